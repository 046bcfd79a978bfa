"""Read side: finds runs in every layout and reads them incrementally, never writing.

The viewer uses :class:`StoreReader`; the pieces are importable on their own. The names below are
loaded when first used, so a process that needs one module does not pay for the rest (the reader,
the scan, the process pool of :mod:`runicorn.store.decode_pool`). The frames codec that the SDK
writes lives apart, in :mod:`runicorn.codec`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runicorn.store.cache import SeriesCache
    from runicorn.store.columns import ColumnSet, StageSpan
    from runicorn.store.compare import compare_runs
    from runicorn.store.csv_export import metrics_csv
    from runicorn.store.decode_pool import DecodePool
    from runicorn.store.downsample import keep_indexes
    from runicorn.store.media import media_files, media_path
    from runicorn.store.reader import StoreReader
    from runicorn.store.scan import GroupInfo, RunIndex, RunInfo, RunPage
    from runicorn.store.series import RunSeries
    from runicorn.store.tail import EventChunk, LogChunk, Tail, read_events, read_logs

_HOMES = {
    "SeriesCache": "cache",
    "ColumnSet": "columns",
    "StageSpan": "columns",
    "compare_runs": "compare",
    "metrics_csv": "csv_export",
    "DecodePool": "decode_pool",
    "keep_indexes": "downsample",
    "media_files": "media",
    "media_path": "media",
    "StoreReader": "reader",
    "GroupInfo": "scan",
    "RunIndex": "scan",
    "RunInfo": "scan",
    "RunPage": "scan",
    "RunSeries": "series",
    "EventChunk": "tail",
    "LogChunk": "tail",
    "Tail": "tail",
    "read_events": "tail",
    "read_logs": "tail",
}

__all__ = [
    "ColumnSet",
    "DecodePool",
    "EventChunk",
    "GroupInfo",
    "LogChunk",
    "RunIndex",
    "RunInfo",
    "RunPage",
    "RunSeries",
    "SeriesCache",
    "StageSpan",
    "StoreReader",
    "Tail",
    "compare_runs",
    "keep_indexes",
    "media_files",
    "media_path",
    "metrics_csv",
    "read_events",
    "read_logs",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
