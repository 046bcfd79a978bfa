"""Read side: finds runs in every layout and reads them incrementally, never writing.

The viewer uses :class:`StoreReader`; the pieces are importable on their own.
"""

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
