"""The rows ``runicorn ls`` prints: one per run, from the store's index and its filters, newest
first; as JSON objects for scripts, or as a table (aligned plain text, or rich on a terminal)."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from runicorn.store.scan import RunIndex, RunInfo

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

    @classmethod
    def of(cls, run: RunInfo, now: float) -> RunRow:
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
        )

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def cells(self) -> tuple[str, ...]:
        """The row's table cells, in :data:`COLUMNS` order."""
        return (
            self.key,
            f"{self.project}/{self.name}",
            self.status,
            time.strftime("%Y-%m-%d %H:%M", time.localtime(self.started_at)),
            format_duration(self.duration_s),
            self.server or EMPTY,
            EMPTY if self.exit_code is None else str(self.exit_code),
            ",".join(self.tags) or EMPTY,
        )


def list_rows(
    index: RunIndex,
    project: str | None = None,
    name: str | None = None,
    status: str | None = None,
    tag: str | None = None,
) -> list[RunRow]:
    """The runs matching every filter given, newest first (the viewer's filters)."""
    page = index.query(project=project, name=name, status=status, tag=tag, limit=None)
    now = time.time()
    return [RunRow.of(run, now) for run in page.runs]


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


def plain_table(rows: list[RunRow]) -> str:
    """The rows as aligned plain text with a header line (for pipes and files)."""
    table = [COLUMNS, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
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


def rich_table(rows: list[RunRow]) -> Table:
    """The rows as a rich table, statuses coloured (for a terminal)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in COLUMNS:
        table.add_column(column, no_wrap=column != "TAGS")
    for row in rows:
        cells = [Text(cell) for cell in row.cells()]  # never read as rich markup
        cells[2].stylize(_STATUS_STYLES.get(row.status, ""))
        table.add_row(*cells)
    return table
