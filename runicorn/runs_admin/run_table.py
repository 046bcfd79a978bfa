"""The rows ``runicorn ls`` prints: one per run, from the store's index and its filters, newest
first; as JSON objects for scripts, or as a table (aligned plain text, or rich on a terminal)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from runicorn.store.index.run_index import RunIndex, RunInfo
from runicorn.store.query.columns import parse_columns, row_values
from runicorn.store.query.fields import FieldContext
from runicorn.store.query.run_filter import RunFilter

if TYPE_CHECKING:
    from rich.table import Table

COLUMNS = ("ID", "RUN", "STATUS", "STARTED", "DURATION", "SERVER", "EXIT", "TAGS")
EMPTY = "-"


@dataclass(frozen=True)
class RunRow:
    """What ``runicorn ls`` shows of one run; times in unix seconds."""

    key: str  # the id, or ``<id>.<hash>`` when several folders hold the same id
    id: str
    project: str
    name: str
    status: str  # derived: ``crashed`` for a running run whose heartbeat went stale
    started_at: float
    ended_at: float | None
    duration_s: float | None
    server: str | None  # the host the run was started on
    exit_code: int | None
    tags: list[str]
    path: str  # the run folder relative to the storage root
    label: str = ""  # the run's label among the listed runs (runicorn.store.index.labels)
    values: dict[str, Any] = field(default_factory=dict)  # the fields asked with --columns

    @classmethod
    def of(cls, run: RunInfo, now: float, label: str = "", values: dict[str, Any] | None = None) -> RunRow:
        return cls(
            key=run.key,
            id=run.id,
            project=run.project,
            name=run.name,
            status=run.state(now),
            started_at=run.created_at,
            ended_at=run.ended_at,
            duration_s=run.duration_s(now),
            server=run.hostname,
            exit_code=run.exit_code,
            tags=run.tags,
            path=run.relpath,
            label=label or run.name,
            values=values or {},
        )

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def cells(self, columns: Sequence[str] = ()) -> tuple[str, ...]:
        """The row's table cells, in :data:`COLUMNS` order, then the ``columns`` asked."""
        return (
            self.key,
            f"{self.project}/{self.label or self.name}",
            self.status,
            time.strftime("%Y-%m-%d %H:%M", time.localtime(self.started_at)),
            format_duration(self.duration_s),
            self.server or EMPTY,
            EMPTY if self.exit_code is None else str(self.exit_code),
            ",".join(self.tags) or EMPTY,
            *(_shown(self.values.get(c)) for c in columns),
        )


def _shown(value: Any) -> str:
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def list_rows(
    index: RunIndex,
    project: str | None = None,
    name: str | None = None,
    status: str | None = None,
    tag: str | None = None,
    q: str | None = None,
    columns: str | None = None,
) -> list[RunRow]:
    """The runs matching every filter given, newest first (the viewer's filters; ``q`` a query
    or plain words, as the viewer's ``?q=``), labelled as the viewer labels them, with the values
    of the fields named in ``columns`` (comma-separated). QueryError for a query or column that
    does not parse."""
    names = parse_columns(columns)
    runs = index.select(RunFilter(project, name, status, tag, q))
    now = time.time()
    labels = index.labels(runs)
    ctx = FieldContext(now, labels)
    return [RunRow.of(run, now, labels.get(run.key, ""), row_values(run, names, ctx)) for run in runs]


def format_duration(seconds: float | None) -> str:
    """``42s``, ``3m05s``, ``2h07m``, ``3d04h``; ``-`` when unknown."""
    if seconds is None:
        return EMPTY
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"


def plain_table(rows: list[RunRow], columns: Sequence[str] = ()) -> str:
    """The rows as aligned plain text with a header line (for pipes and files)."""
    header = (*COLUMNS, *columns)
    table = [header, *(row.cells(columns) for row in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in table
    )


_STATUS_STYLES = {
    "running": "cyan",
    "finished": "green",
    "failed": "red",
    "crashed": "red",
    "interrupted": "yellow",
}


def rich_table(rows: list[RunRow], columns: Sequence[str] = ()) -> Table:
    """The rows as a rich table, statuses coloured (for a terminal)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in (*COLUMNS, *columns):
        table.add_column(column, no_wrap=column != "TAGS")
    for row in rows:
        cells = [Text(cell) for cell in row.cells(columns)]  # never read as rich markup
        cells[2].stylize(_STATUS_STYLES.get(row.status, ""))
        table.add_row(*cells)
    return table
