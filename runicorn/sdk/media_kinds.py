"""Histograms, tables, audio, video and HTML for the ``log_*`` calls of a run: a cheap copy taken on
the caller's thread (the ``*_snapshot`` functions), binned or encoded and written under ``media/``
by the writer thread, like images (:mod:`runicorn.sdk.media`).

- Histogram: raw values (a list, numpy array or torch tensor: copied, binned by numpy in the
  writer thread, NaN and infinities left out and counted) or counts and edges already binned.
  At most :data:`~runicorn.format.MAX_HISTOGRAM_BINS` bins, written inline in the record.
- Table: columns and rows, written as one JSON file; rows past
  :data:`~runicorn.format.MAX_TABLE_ROWS` are left out and counted in the record.
- Audio: a float array (samples, or samples × channels, in [-1, 1]) written as 16-bit WAV by the
  standard ``wave`` module, or a wav/mp3/ogg/flac file copied.
- Video: an mp4/webm/gif file copied, or a numpy array of frames T×C×H×W (C = 1, 3 or 4; uint8,
  or floats in [0, 1]) written as an animated GIF by Pillow (no ffmpeg needed).
- HTML: a string written as an ``.html`` file, or an .html file copied.

Each function raises :class:`MediaError` with the reason when the value cannot be logged; the run
counts it as a dropped value.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from runicorn import format as fmt
from runicorn.sdk.media import ImageError, _array_to_pil, is_tensor, tensor_array


class MediaError(ValueError):
    """The value cannot be logged as the kind asked for; the message says why."""


_HTML_FILE_SUFFIXES = (".html", ".htm")


@dataclass
class FileSnapshot:
    """A file to copy into ``media/`` (read by the writer thread), or bytes already made."""

    value: Any
    suffix: str
    nbytes: int = 0
    fields: dict[str, Any] = field(default_factory=dict)

    def encode(self) -> bytes:
        if isinstance(self.value, Path):
            return self.value.read_bytes()
        return bytes(self.value)

    def record_fields(self) -> dict[str, Any]:
        return self.fields


def _file(path: str | Path, suffixes: tuple[str, ...], what: str, stored_suffix: str = "") -> FileSnapshot:
    """A file to copy, checked by its name's ending; stored under ``stored_suffix`` when given."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in suffixes:
        raise MediaError(f"{p} is not {what} file (expected one of {', '.join(suffixes)})")
    if not p.is_file():
        raise MediaError(f"{p} is not a file")
    return FileSnapshot(p.absolute(), stored_suffix or suffix)


def _numpy() -> Any:
    try:
        import numpy as np
    except ImportError as exc:
        raise MediaError("logging arrays needs numpy: pip install numpy") from exc
    return np


def _array_copy(value: Any) -> Any:
    """``value`` (a list, numpy array or torch tensor) as a numpy array the caller no longer sees."""
    if is_tensor(value):
        array, fresh = tensor_array(value)  # a tensor on a GPU comes back a fresh copy already
        return array if fresh else array.copy()
    return _numpy().array(value, copy=True)


# --- histograms --------------------------------------------------------------------------------
@dataclass
class HistogramSnapshot:
    """Raw values to bin (in the writer thread), or bins given by the caller."""

    value: Any
    num_bins: int
    nbytes: int
    edges: list[float] | None = None
    counts: list[int] | None = None
    dropped: int = 0

    def encode(self) -> bytes:
        if self.counts is None:
            np = _numpy()
            values = np.asarray(self.value, dtype=np.float64).ravel()
            finite = values[np.isfinite(values)]
            self.dropped = int(values.size - finite.size)
            counts, edges = np.histogram(finite, bins=self.num_bins)
            self.counts, self.edges = [int(c) for c in counts], [float(e) for e in edges]
        return b""

    def record_fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"edges": self.edges, "counts": self.counts}
        if self.dropped:
            out["dropped"] = self.dropped
        return out


def histogram_snapshot(
    values: Any = None, counts: Any = None, edges: Any = None, num_bins: int = 64
) -> HistogramSnapshot:
    if counts is not None or edges is not None:
        if values is not None:
            raise MediaError("give either values or counts and edges, not both")
        if counts is None or edges is None:
            raise MediaError("counts and edges go together (len(edges) == len(counts) + 1)")
        count_list = [int(c) for c in _array_copy(counts).ravel().tolist()]
        edge_list = [float(e) for e in _array_copy(edges).ravel().tolist()]
        if len(edge_list) != len(count_list) + 1:
            raise MediaError(
                f"{len(edge_list)} edges for {len(count_list)} counts: need one more edge than counts"
            )
        if not 1 <= len(count_list) <= fmt.MAX_HISTOGRAM_BINS:
            raise MediaError(f"a histogram has 1 to {fmt.MAX_HISTOGRAM_BINS} bins, got {len(count_list)}")
        if any(b <= a for a, b in zip(edge_list, edge_list[1:], strict=False)) or any(
            c < 0 for c in count_list
        ):
            raise MediaError("edges must ascend and counts must not be negative")
        return HistogramSnapshot(None, len(count_list), 0, edge_list, count_list)
    if values is None:
        raise MediaError("nothing to bin: pass values, or counts and edges")
    if (
        isinstance(num_bins, bool)
        or not isinstance(num_bins, int)
        or not 1 <= num_bins <= fmt.MAX_HISTOGRAM_BINS
    ):
        raise MediaError(f"num_bins must be an int from 1 to {fmt.MAX_HISTOGRAM_BINS}, got {num_bins!r}")
    array = _array_copy(values)
    if array.dtype.kind not in "biuf":
        raise MediaError(f"histogram values must be numbers, got an array of {array.dtype}")
    return HistogramSnapshot(array, num_bins, int(array.nbytes))


# --- tables ------------------------------------------------------------------------------------
@dataclass
class TableSnapshot:
    value: list[list[Any]]
    columns: list[str]
    nbytes: int
    rows_dropped: int = 0
    chart: dict[str, Any] | None = None

    def encode(self) -> bytes:
        body: dict[str, Any] = {fmt.TABLE_COLUMNS_KEY: self.columns, fmt.TABLE_DATA_KEY: self.value}
        if self.chart is not None:
            body[fmt.TABLE_CHART_KEY] = self.chart
        return orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY, default=_cell)

    def record_fields(self) -> dict[str, Any]:
        return {"rows_dropped": self.rows_dropped} if self.rows_dropped else {}


def _cell(value: Any) -> Any:
    """A cell orjson cannot write: a tensor or numpy value as a number (or list), else its text."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def table_snapshot(columns: Any, rows: Any, chart: Mapping[str, Any] | None = None) -> TableSnapshot:
    column_list = [str(c) for c in columns]
    if not column_list or len(column_list) > fmt.MAX_TABLE_COLUMNS:
        raise MediaError(f"a table has 1 to {fmt.MAX_TABLE_COLUMNS} columns, got {len(column_list)}")
    kept: list[list[Any]] = []
    dropped = 0
    for row in rows:
        cells = list(row)
        if len(cells) != len(column_list):
            raise MediaError(f"a row has {len(cells)} cells for {len(column_list)} columns: {cells[:5]!r}")
        if len(kept) < fmt.MAX_TABLE_ROWS:
            kept.append(cells)
        else:
            dropped += 1
    chart_spec = None if chart is None else _chart(chart, column_list)
    return TableSnapshot(kept, column_list, 16 * len(column_list) * len(kept), dropped, chart_spec)


def _chart(chart: Mapping[str, Any], columns: list[str]) -> dict[str, Any]:
    spec = {str(k): str(v) for k, v in chart.items() if v is not None}
    if spec.get("kind") not in fmt.CHART_KINDS:
        raise MediaError(f"a chart's kind is one of {fmt.CHART_KINDS}, got {spec.get('kind')!r}")
    for name in ("x", "y", "value", "series"):
        if name in spec and spec[name] not in columns:
            raise MediaError(f"the chart's {name} {spec[name]!r} is not a column of the table {columns}")
    return spec


# --- audio -------------------------------------------------------------------------------------
def audio_snapshot(data_or_path: Any, sample_rate: int | None) -> FileSnapshot:
    if isinstance(data_or_path, (str, Path)):
        return _file(data_or_path, fmt.AUDIO_SUFFIXES, "an audio")
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int) or sample_rate <= 0:
        raise MediaError(f"audio from an array needs sample_rate= (samples per second), got {sample_rate!r}")
    a = _array_copy(data_or_path)
    if a.ndim == 2 and a.shape[0] <= 8 < a.shape[1]:
        a = a.T  # channels first
    if a.ndim not in (1, 2) or a.size == 0:
        raise MediaError(f"audio must be samples or samples × channels, got shape {a.shape}")
    return FileSnapshot(_AudioArray(a, sample_rate), ".wav", int(a.nbytes), {"sample_rate": sample_rate})


@dataclass
class _AudioArray:
    samples: Any
    sample_rate: int

    def __bytes__(self) -> bytes:
        np = _numpy()
        a = self.samples
        if a.dtype.kind == "f":
            a = np.clip(np.nan_to_num(a), -1.0, 1.0) * 32767.0
        pcm = np.asarray(a).astype("<i2")
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(1 if pcm.ndim == 1 else pcm.shape[1])
            w.setsampwidth(2)
            w.setframerate(self.sample_rate)
            w.writeframes(np.ascontiguousarray(pcm).tobytes())
        return buf.getvalue()


# --- video -------------------------------------------------------------------------------------
def video_snapshot(data_or_path: Any, fps: float) -> FileSnapshot:
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not 0 < fps <= 100:
        raise MediaError(f"fps must be a number in (0, 100], got {fps!r}")
    if isinstance(data_or_path, (str, Path)):
        return _file(data_or_path, fmt.VIDEO_SUFFIXES, "a video")
    a = _array_copy(data_or_path)
    if a.ndim != 4 or a.shape[1] not in (1, 3, 4) or a.shape[0] == 0:
        raise MediaError(
            f"a video array must be frames × channels × height × width (channels 1, 3 or 4), got {a.shape}"
        )
    return FileSnapshot(_GifFrames(a, float(fps)), ".gif", int(a.nbytes), {"fps": fps})


@dataclass
class _GifFrames:
    frames: Any  # T×C×H×W
    fps: float

    def __bytes__(self) -> bytes:
        np = _numpy()
        frames = self.frames
        if frames.dtype != np.uint8:  # floats in [0, 1] (or 0 - 255), scaled once for every frame
            frames = np.nan_to_num(frames.astype(np.float64))
            if frames.max(initial=0) <= 1.0:
                frames = frames * 255.0
            frames = np.clip(frames, 0, 255).astype(np.uint8)
        frames = frames[:, 0] if frames.shape[1] == 1 else frames[:, :3].transpose(0, 2, 3, 1)
        try:
            images = [_array_to_pil(frame).convert("RGB") for frame in frames]
        except ImageError as exc:
            raise MediaError(str(exc)) from exc
        buf = io.BytesIO()
        duration_ms = max(10, round(1000 / self.fps))
        images[0].save(
            buf, format="GIF", save_all=True, append_images=images[1:], duration=duration_ms, loop=0
        )
        return buf.getvalue()


# --- html --------------------------------------------------------------------------------------
def html_snapshot(html_or_path: Any) -> FileSnapshot:
    if isinstance(html_or_path, Path) or (
        isinstance(html_or_path, str)
        and "<" not in html_or_path
        and html_or_path.lower().endswith(_HTML_FILE_SUFFIXES)
    ):
        return _file(html_or_path, _HTML_FILE_SUFFIXES, "an HTML", fmt.HTML_SUFFIX)
    if not isinstance(html_or_path, str):
        raise MediaError(f"HTML is a str (or a path to an .html file), got {type(html_or_path).__name__}")
    data = html_or_path.encode("utf-8", "replace")
    return FileSnapshot(data, fmt.HTML_SUFFIX, len(data))
