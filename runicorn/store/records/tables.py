"""One logged table's rows, paged and sorted for the viewer (docs/api.md#tables).

A table file (``media/*.table.json``, see :data:`runicorn.format.TABLE_SUFFIX`) is read through
the run-file opener, at most :data:`MAX_TABLE_FILE_BYTES`, and the last few parsed are kept
(keyed by the file's size and mtime, so a replaced file is read again).
"""

from __future__ import annotations

import os
from typing import Any

import orjson

from runicorn import format as fmt
from runicorn.errors import BadArgument
from runicorn.files import open_run_file
from runicorn.store.lru import LRU

MAX_TABLE_FILE_BYTES = 64 * 1024 * 1024
MAX_PAGE_ROWS = 1000
TABLES_KEPT = 8


class TableUnreadable(ValueError):
    """The table file is missing, too large or not a table; the message says which."""


class TableFiles:
    """Parsed table files, the last :data:`TABLES_KEPT` kept. Thread-safe."""

    def __init__(self) -> None:
        self._kept: LRU[tuple[str, int, int], ParsedTable] = LRU(TABLES_KEPT)

    def read(self, run_dir: os.PathLike[str] | str, relpath: str) -> ParsedTable:
        """The table's columns, rows and chart; :class:`TableUnreadable` when it cannot be read."""
        try:
            f = open_run_file(run_dir, relpath)
        except OSError as exc:
            raise TableUnreadable(f"cannot read {relpath}: {exc.strerror or exc}") from None
        with f:
            st = os.fstat(f.fileno())
            key = (f.name, st.st_size, st.st_mtime_ns)
            kept = self._kept.get(key)
            if kept is not None:
                return kept
            if st.st_size > MAX_TABLE_FILE_BYTES:
                raise TableUnreadable(f"{relpath} is larger than {MAX_TABLE_FILE_BYTES // (1024 * 1024)} MB")
            raw = f.read(MAX_TABLE_FILE_BYTES + 1)
        table = _parse(raw, relpath)
        self._kept.put(key, table)
        return table


# (columns, rows, chart): chart is the table file's ChartSpec (wandb.plot.*), or None
ParsedTable = tuple[list[str], list[list[Any]], dict[str, Any] | None]


def _parse(raw: bytes, relpath: str) -> ParsedTable:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise TableUnreadable(f"{relpath} is not JSON") from None
    columns = body.get(fmt.TABLE_COLUMNS_KEY) if isinstance(body, dict) else None
    rows = body.get(fmt.TABLE_DATA_KEY) if isinstance(body, dict) else None
    if not isinstance(columns, list) or not isinstance(rows, list):
        raise TableUnreadable(f"{relpath} is not a table (no columns and data)")
    width = len(columns)
    good = [r for r in rows if isinstance(r, list) and len(r) == width]
    chart = body.get(fmt.TABLE_CHART_KEY)
    return [str(c) for c in columns], good, _chart(chart, columns)


def _chart(chart: Any, columns: list[Any]) -> dict[str, Any] | None:
    """The chart spec when it is one the viewer can draw from these columns, else None."""
    if not isinstance(chart, dict) or chart.get("kind") not in fmt.CHART_KINDS:
        return None
    spec = {k: v for k, v in chart.items() if isinstance(k, str) and isinstance(v, str)}
    for field in ("x", "y", "value", "series"):
        if field in spec and spec[field] not in columns:
            return None
    return spec


def page(
    columns: list[str],
    rows: list[list[Any]],
    offset: int = 0,
    limit: int = 100,
    sort: str | None = None,
    desc: bool = False,
    chart: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``{"columns", "rows", "offset", "total", "sort", "desc", "chart"}``: rows ``offset..offset+limit``
    after sorting by column ``sort`` (numbers before text before other values; empty cells
    last whichever the direction). BadArgument for an unknown column or a bad offset/limit."""
    if offset < 0 or not 0 < limit <= MAX_PAGE_ROWS:
        raise BadArgument(f"offset must be >= 0 and limit 1 to {MAX_PAGE_ROWS}")
    ordered = rows
    if sort is not None:
        if sort not in columns:
            raise BadArgument(f"no column {sort!r}; the columns are {columns}")
        i = columns.index(sort)
        present = [r for r in rows if r[i] is not None]
        present.sort(key=lambda r: _sort_key(r[i]), reverse=desc)
        ordered = present + [r for r in rows if r[i] is None]
    return {
        "columns": columns,
        "rows": ordered[offset : offset + limit],
        "offset": offset,
        "total": len(rows),
        "sort": sort,
        "desc": desc,
        "chart": chart,
    }


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, (int, float)):  # bools sort as numbers
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    return (2, orjson.dumps(value).decode())
