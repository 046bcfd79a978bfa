"""Read side: finds runs in every layout and reads them incrementally, never writing.

The viewer uses :class:`StoreReader`; the pieces are importable on their own. The names below are
loaded when first used, so a process that needs one module does not pay for the rest (the reader,
the scan, the process pool of :mod:`runicorn.store.metrics.decode_pool`). The frames codec that the SDK
writes lives apart, in :mod:`runicorn.codec`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runicorn.store.index.run_index import GroupInfo, RunIndex, RunInfo, RunPage
    from runicorn.store.logs.tail import EventChunk, LogChunk, Tail, read_events, read_logs
    from runicorn.store.metrics.columns import ColumnSet, StageSpan
    from runicorn.store.metrics.compare import compare_runs
    from runicorn.store.metrics.csv_export import metrics_csv
    from runicorn.store.metrics.decode_pool import DecodePool
    from runicorn.store.metrics.downsample import keep_indexes
    from runicorn.store.metrics.series import RunSeries
    from runicorn.store.metrics.series_cache import SeriesCache
    from runicorn.store.query.run_filter import RunFilter
    from runicorn.store.reader import StoreReader
    from runicorn.store.records.media import media_files, media_path

_HOMES = {
    "SeriesCache": "metrics.series_cache",
    "ColumnSet": "metrics.columns",
    "StageSpan": "metrics.columns",
    "compare_runs": "metrics.compare",
    "metrics_csv": "metrics.csv_export",
    "DecodePool": "metrics.decode_pool",
    "keep_indexes": "metrics.downsample",
    "media_files": "records.media",
    "media_path": "records.media",
    "RunFilter": "query.run_filter",
    "StoreReader": "reader",
    "GroupInfo": "index.run_index",
    "RunIndex": "index.run_index",
    "RunInfo": "index.run_index",
    "RunPage": "index.run_index",
    "RunSeries": "metrics.series",
    "EventChunk": "logs.tail",
    "LogChunk": "logs.tail",
    "Tail": "logs.tail",
    "read_events": "logs.tail",
    "read_logs": "logs.tail",
}

__all__ = [
    "ColumnSet",
    "DecodePool",
    "EventChunk",
    "GroupInfo",
    "LogChunk",
    "RunIndex",
    "RunInfo",
    "RunFilter",
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
