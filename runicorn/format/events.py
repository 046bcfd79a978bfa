"""``events.jsonl``: the record kinds, the shape of each record's ``data``, and the encoding of
one line. ``media/`` holds the files some records name.

One exception, named in :mod:`runicorn.format.run` but laid out beside the decoding it stores:
``events.columns``, an optional copy of ``events.jsonl`` already decoded (runicorn/codec/frames.py).
It is never the record of truth: readers check it against ``events.jsonl`` and can always do
without it.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any, Literal, TypedDict

import orjson

from runicorn.format.run import MEDIA_DIR, has_non_finite

__all__ = [
    "METRICS",
    "IMAGE",
    "SYSTEM",
    "ALERT",
    "HISTOGRAM",
    "TABLE",
    "AUDIO",
    "VIDEO",
    "HTML",
    "CHECKPOINT",
    "RECORD_KINDS",
    "MEDIA_FILE_KINDS",
    "EXTRA_MEDIA_KINDS",
    "STEP_KEY",
    "TIME_KEY",
    "STAGE_KEY",
    "RESERVED_METRIC_KEYS",
    "MetricsData",
    "ImageData",
    "HistogramData",
    "MAX_HISTOGRAM_BINS",
    "TableData",
    "TABLE_SUFFIX",
    "TABLE_COLUMNS_KEY",
    "TABLE_DATA_KEY",
    "TABLE_CHART_KEY",
    "ChartSpec",
    "CHART_KINDS",
    "CELL_TYPE_KEY",
    "CELL_PATH_KEY",
    "IMAGE_CELL_TYPE",
    "MAX_TABLE_ROWS",
    "MAX_TABLE_COLUMNS",
    "MediaFileData",
    "AUDIO_SUFFIXES",
    "VIDEO_SUFFIXES",
    "HTML_SUFFIX",
    "SystemData",
    "ALERT_LEVELS",
    "ALERT_TITLE_MAX_CHARS",
    "ALERT_TEXT_MAX_CHARS",
    "AlertData",
    "CheckpointData",
    "Event",
    "SYSTEM_CPU_PERCENT",
    "SYSTEM_RAM_USED_BYTES",
    "SYSTEM_RAM_TOTAL_BYTES",
    "GPU_FIELDS",
    "gpu_key",
    "encode_event",
    "decode_event",
    "split_complete_lines",
    "metric_items",
    "media_relpath",
]


# --- event records ---------------------------------------------------------------------------
METRICS: Literal["metrics"] = "metrics"
IMAGE: Literal["image"] = "image"
SYSTEM: Literal["system"] = "system"
# One ``rn.alert`` call (added in format 1 without a version change: readers skip kinds they do
# not know, so older viewers simply do not show alerts).
ALERT: Literal["alert"] = "alert"
# Added with the W&B data types (runicorn/sdk/media_kinds.py); readers that predate them skip them.
HISTOGRAM: Literal["histogram"] = "histogram"
TABLE: Literal["table"] = "table"
AUDIO: Literal["audio"] = "audio"
VIDEO: Literal["video"] = "video"
HTML: Literal["html"] = "html"
# One ``rn.log_checkpoint`` call (added in format 1 without a version change; readers skip it).
CHECKPOINT: Literal["checkpoint"] = "checkpoint"
RECORD_KINDS = (METRICS, IMAGE, SYSTEM, ALERT, HISTOGRAM, TABLE, AUDIO, VIDEO, HTML, CHECKPOINT)
# Kinds whose record names a file under media/ (its ``path``), written before the record.
MEDIA_FILE_KINDS = (IMAGE, TABLE, AUDIO, VIDEO, HTML)
# Kinds the store reads apart from the metric columns (runicorn/store/records/media_records.py).
EXTRA_MEDIA_KINDS = (HISTOGRAM, TABLE, AUDIO, VIDEO, HTML)

# Reserved keys inside the ``data`` of a metrics record.
STEP_KEY = "global_step"
TIME_KEY = "time"
STAGE_KEY = "stage"
RESERVED_METRIC_KEYS = frozenset({STEP_KEY, TIME_KEY, STAGE_KEY})


class MetricsData(TypedDict, total=False):
    """``data`` of a ``metrics`` record: metric keys to numbers, plus the reserved keys."""

    global_step: int
    time: float
    stage: str


class ImageData(TypedDict, total=False):
    key: str
    path: str  # relative to the run directory, always under media/
    step: int
    caption: str | None


class HistogramData(TypedDict, total=False):
    """``data`` of a ``histogram`` record: ``len(edges) == len(counts) + 1``, edges ascending."""

    key: str
    step: int
    edges: list[float]
    counts: list[float]  # whole numbers from the SDK; TensorBoard's may be fractional
    dropped: int  # NaN and infinite values left out of the counts (present when > 0)


# A histogram record holds at most this many bins (its line stays a few KB).
MAX_HISTOGRAM_BINS = 512


class TableData(TypedDict, total=False):
    """``data`` of a ``table`` record; the rows are in the file at ``path``."""

    key: str
    step: int
    path: str  # media/..., a TABLE_SUFFIX file: {"columns": [...], "data": [[...], ...]}
    columns: list[str]
    rows: int  # rows in the file
    rows_dropped: int  # rows past MAX_TABLE_ROWS left out (present when > 0)


TABLE_SUFFIX = ".table.json"
TABLE_COLUMNS_KEY = "columns"
TABLE_DATA_KEY = "data"
# Optional in a table file: the chart drawn from the table (wandb.plot.*), a ChartSpec.
TABLE_CHART_KEY = "chart"
# A table cell that is an image: {"_type": "image-file", "path": "media/..."}.
CELL_TYPE_KEY = "_type"
CELL_PATH_KEY = "path"
IMAGE_CELL_TYPE = "image-file"
CHART_KINDS = ("line", "scatter", "bar", "histogram", "confusion_matrix")


class ChartSpec(TypedDict, total=False):
    """``chart`` of a table file: how to draw the table. ``kind`` is one of :data:`CHART_KINDS`;
    ``x``, ``y`` name columns (a histogram has only ``value``); ``series`` the column whose
    values split the rows into lines; ``title``, ``x_title``, ``y_title`` label it; ``vega_spec``
    is the W&B chart it stands for (``wandb/line/v0``)."""

    kind: str
    x: str
    y: str
    value: str
    series: str
    title: str
    x_title: str
    y_title: str
    vega_spec: str


MAX_TABLE_ROWS = 100_000
MAX_TABLE_COLUMNS = 1000


class MediaFileData(TypedDict, total=False):
    """``data`` of an ``audio``, ``video`` or ``html`` record."""

    key: str
    step: int
    path: str  # media/...
    caption: str | None
    sample_rate: int  # audio written from an array
    fps: float  # video written from an array


AUDIO_SUFFIXES = (".wav", ".mp3", ".ogg", ".flac")
VIDEO_SUFFIXES = (".mp4", ".webm", ".gif")
HTML_SUFFIX = ".html"


class SystemData(TypedDict, total=False):
    """``data`` of a ``system`` record: flat keys such as ``cpu/percent``, ``gpu0/util_percent``."""

    time: float


ALERT_LEVELS = ("info", "success", "warning", "error")
ALERT_TITLE_MAX_CHARS = 200
ALERT_TEXT_MAX_CHARS = 4000


class AlertData(TypedDict):
    """``data`` of an ``alert`` record: what ``rn.alert`` was given, at the run's current step."""

    title: str  # at most ALERT_TITLE_MAX_CHARS
    text: str  # at most ALERT_TEXT_MAX_CHARS
    level: str  # one of ALERT_LEVELS
    step: int  # the run's last logged step when the alert was raised (0 before any)


class CheckpointData(TypedDict):
    """``data`` of a ``checkpoint`` record: a model checkpoint the run saved (``rn.log_checkpoint``)."""

    path: str  # as the script gave it; absolute when it gave a relative path (resolved in its cwd)
    step: int  # the step given, else the run's last logged step (0 before any)


class Event(TypedDict):
    ts: float
    type: str
    data: dict[str, Any]


# System metric keys (flat, so charts treat them like any metric).
SYSTEM_CPU_PERCENT = "cpu/percent"
SYSTEM_RAM_USED_BYTES = "ram/used_bytes"
SYSTEM_RAM_TOTAL_BYTES = "ram/total_bytes"
GPU_FIELDS = ("util_percent", "mem_used_bytes", "mem_total_bytes", "temp_c", "power_w")


def gpu_key(index: int, field: str) -> str:
    """The system-record key of one GPU field, e.g. ``gpu0/util_percent``."""
    return f"gpu{index}/{field}"


# --- event lines -----------------------------------------------------------------------------
_dumps = orjson.dumps


def encode_event(kind: str, data: dict[str, Any], ts: float) -> bytes:
    """One ``events.jsonl`` line, newline included.

    orjson would write NaN and infinities as ``null``; those lines take Python's ``json`` so the
    bare tokens ``NaN``/``Infinity``/``-Infinity`` survive, as the PyPI package writes them.
    """
    # ``+ b"\n"`` rather than OPT_APPEND_NEWLINE: orjson >= 3.12 returns bytes that keep a ~4 KiB
    # buffer, and a queue of such lines holds 25 times their size; the copy is right-sized.
    line = _dumps({"ts": ts, "type": kind, "data": data}) + b"\n"
    if b"null" in line and has_non_finite(data):
        record = {"ts": ts, "type": kind, "data": data}
        line = json.dumps(record, allow_nan=True, separators=(",", ":")).encode() + b"\n"
    return line


def decode_event(line: bytes) -> dict[str, Any] | None:
    """One events line back into a record; None for a malformed line (caller counts it)."""
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        try:
            value = json.loads(line.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None
    if not isinstance(value, dict) or not isinstance(value.get("data"), dict):
        return None
    return value


def split_complete_lines(chunk: bytes) -> tuple[list[bytes], int]:
    """Complete lines of ``chunk`` and how many bytes they span (a trailing partial line is left)."""
    end = chunk.rfind(b"\n")
    if end < 0:
        return [], 0
    return [line for line in chunk[:end].split(b"\n") if line.strip()], end + 1


def metric_items(record: dict[str, Any]) -> dict[str, float]:
    """The numeric metrics of a metrics/system record's data, reserved keys left out."""
    out: dict[str, float] = {}
    for key, value in record["data"].items():
        if key in RESERVED_METRIC_KEYS or isinstance(value, bool):
            continue
        if isinstance(value, (int, float)):
            out[key] = value
    return out


# --- media -----------------------------------------------------------------------------------
_MEDIA_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]+")


def media_relpath(key: str, now: float, suffix: str = ".png") -> str:
    """``media/<unix ms>_<6 hex>_<key><suffix>``, relative to the run folder, safe for any key."""
    safe_key = _MEDIA_KEY_UNSAFE.sub("_", key).strip("._")[:80] or "image"
    return f"{MEDIA_DIR}/{int(now * 1000)}_{uuid.uuid4().hex[:6]}_{safe_key}{suffix}"
