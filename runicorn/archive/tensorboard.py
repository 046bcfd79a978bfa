"""Read TensorBoard event files into plain records: :func:`find_runs` and :class:`EventReader`.

A TensorBoard run is a directory holding ``events.out.tfevents.*`` files (several files in one
directory are one run, read in the order they were started). Records come out as TensorBoard
wrote them, every one of them: nothing is sampled (TensorBoard's own viewer keeps a reservoir of
10,000 scalars per tag; this reader is not that).

The files are read with the ``tensorboard`` package (``pip install 'runicorn[tensorboard]'``):
its protocol buffers and CRC-32C, without TensorFlow. An event file is not trusted: records are
framed by :mod:`runicorn.archive.tensorboard_records` (a length beyond its bound is refused before
anything is read) and tensors made by :mod:`runicorn.archive.tensorboard_tensors` (a shape asking
for more than its bound is refused before anything is expanded); a value that cannot be what it
claims (a bad tensor, a wall time that is not a time) is an :class:`ArchiveError` naming the file
and the record's byte. Both summary styles are understood: TensorBoard 1 values (``simple_value``,
``image``, ``histo``) and TensorBoard 2 tensors tagged by plugin (``scalars``, ``images``,
``histograms``, ``text``, ``hparams``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.archive.tensorboard_records import RecordFile
from runicorn.archive.tensorboard_tensors import BadValue, tensor_array
from runicorn.errors import ArchiveError

EVENTS_FILE_PREFIX = "events.out.tfevents."
INSTALL_HINT = "pip install 'runicorn[tensorboard]'"
# The plugins whose values become records; values of any other plugin are counted and skipped.
_SCALARS, _IMAGES, _HISTOGRAMS, _TEXT, _HPARAMS = "scalars", "images", "histograms", "text", "hparams"
_RECORD_FRAME_BYTES = 16  # length (8) + its CRC (4) before a record, the record's CRC (4) after
# Wall times a record may carry: from 1970 to before the year 5000 (time.localtime takes them all).
_MAX_WALL_TIME = 95_000_000_000.0
_STARTED_AT = re.compile(r"^events\.out\.tfevents\.(\d+)")
# The folder ``add_hparams`` of torch's and tensorboardX's SummaryWriter writes into, under the
# writer's own log directory, when no run name is given: ``str(time.time())``.
_HPARAMS_FOLDER = re.compile(r"^\d{9,}(\.\d+)?$")


def is_events_file(name: str) -> bool:
    return name.startswith(EVENTS_FILE_PREFIX) and not name.endswith((".tmp", ".lock"))


@dataclass(frozen=True)
class EventFile:
    path: Path
    rel: str  # relative to the log directory, "/"-separated
    size: int


@dataclass(frozen=True)
class TensorBoardRun:
    """One run directory: its place under the log directory and its event files, in order."""

    dir: Path
    rel: str  # "." for the log directory itself
    files: tuple[EventFile, ...]

    @property
    def bytes(self) -> int:
        return sum(f.size for f in self.files)


def find_runs(path: Path) -> tuple[Path, list[TensorBoardRun]]:
    """The log directory and every run under ``path``: a log directory, a run directory or one
    events file (then its directory is the log directory and that file the run's only file).
    Links are not followed."""
    path = Path(path)
    if path.is_file():
        if not is_events_file(path.name):
            return path.parent, []
        logdir = path.parent
        return logdir, [TensorBoardRun(logdir, ".", (EventFile(path, path.name, path.stat().st_size),))]
    runs = []
    for dirpath in sorted(_walk(path)):
        files = []
        for file in dirpath.iterdir():
            if is_events_file(file.name) and file.is_file() and not file.is_symlink():
                files.append(EventFile(file, file.relative_to(path).as_posix(), file.stat().st_size))
        if files:
            files.sort(key=lambda f: (_started_at(f.path.name), f.path.name))
            rel = dirpath.relative_to(path).as_posix()
            runs.append(TensorBoardRun(dirpath, rel, tuple(files)))
    return path, _with_hparams_folded_in(runs)


def _with_hparams_folded_in(runs: list[TensorBoardRun]) -> list[TensorBoardRun]:
    """The runs, where a folder named by a unix time directly under another run (what
    ``SummaryWriter.add_hparams`` writes: the hparams and its metrics) is read as part of that
    run, after its own files: the hparams become that run's config, not a run of their own."""
    by_dir = {run.dir: run for run in runs}
    folded: dict[Path, list[EventFile]] = {}
    for run in runs:
        if run.rel != "." and _HPARAMS_FOLDER.match(run.dir.name) and run.dir.parent in by_dir:
            folded.setdefault(run.dir.parent, []).extend(run.files)
    kept = []
    for run in runs:
        if run.dir.parent in by_dir and any(f in folded.get(run.dir.parent, ()) for f in run.files):
            continue
        extra = sorted(folded.get(run.dir, ()), key=lambda f: (_started_at(f.path.name), f.rel))
        kept.append(TensorBoardRun(run.dir, run.rel, run.files + tuple(extra)) if extra else run)
    return kept


def _walk(path: Path) -> Iterator[Path]:
    yield path
    try:
        children = sorted(path.iterdir())
    except OSError:
        return
    for child in children:
        if child.is_dir() and not child.is_symlink():
            yield from _walk(child)


def _started_at(name: str) -> int:
    """The unix time in an events file's name (``events.out.tfevents.<time>.<host>...``)."""
    match = _STARTED_AT.match(name)
    return int(match.group(1)) if match else 0


# --- records ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scalar:
    tag: str
    step: int
    wall_time: float
    value: float


@dataclass(frozen=True)
class Image:
    tag: str
    step: int
    wall_time: float
    encoded: bytes  # the image file's bytes as TensorBoard stored them (PNG, sometimes JPEG or GIF)


@dataclass(frozen=True)
class Histogram:
    tag: str
    step: int
    wall_time: float
    edges: list[float]  # len(counts) + 1, ascending
    counts: list[float]


@dataclass(frozen=True)
class Text:
    tag: str
    step: int
    wall_time: float
    text: str


@dataclass(frozen=True)
class HParams:
    wall_time: float
    values: dict[str, Any]


Record = Scalar | Image | Histogram | Text | HParams


@dataclass(frozen=True)
class Damage:
    """The unread end of an events file: a record cut short (a writer stopped mid-write) or one
    that fails its CRC check. The records before it were read."""

    file: str  # EventFile.rel
    read_bytes: int
    size: int


# --- reading ---------------------------------------------------------------------------------
class EventReader:
    """Reads one run's event files in order; :meth:`records` yields every record.

    ``on_bytes(n)`` is called as records are read with the bytes read since the last call.
    After reading, :attr:`skipped` counts the values no record kind stands for (by plugin or
    value kind) and :attr:`damaged` names files whose end could not be read.
    """

    def __init__(self, run: TensorBoardRun, on_bytes: Callable[[int], None] | None = None) -> None:
        self.run = run
        self._on_bytes = on_bytes
        self.skipped: Counter[str] = Counter()
        self.damaged: list[Damage] = []
        self._plugins: dict[str, str] = {}  # tag -> plugin, from the first value carrying metadata
        self._protos = _protos()

    def first_wall_time(self) -> float | None:
        """The wall time of the run's first event (read from the first record alone)."""
        for file in self.run.files:
            for offset, raw in RecordFile(file.path, self._protos.masked_crc).records():
                try:
                    event = self._protos.Event.FromString(raw)
                except Exception:  # noqa: BLE001 - no Event: the file's records end here
                    break
                return self._wall_time(event, file, offset)
        return None

    @staticmethod
    def _wall_time(event: Any, file: EventFile, offset: int) -> float:
        wall_time = float(event.wall_time)
        if not 0.0 <= wall_time < _MAX_WALL_TIME:  # NaN fails too
            raise _bad_record(file, offset, f"a wall time of {wall_time}, not a time")
        return wall_time

    def records(self) -> Iterator[Record]:
        for file in self.run.files:
            yield from self._file_records(file)

    def _file_records(self, file: EventFile) -> Iterator[Record]:
        read = 0
        pending = 0
        for offset, raw in RecordFile(file.path, self._protos.masked_crc).records():
            size = len(raw) + _RECORD_FRAME_BYTES
            read += size
            pending += size
            if pending >= 1 << 20 and self._on_bytes:
                self._on_bytes(pending)
                pending = 0
            try:
                event = self._protos.Event.FromString(raw)
            except Exception:  # noqa: BLE001 - a record whose CRC holds but is no Event: the end
                read -= size
                break
            if event.HasField("summary"):
                wall_time = self._wall_time(event, file, offset)
                try:
                    yield from self._summary_records(event, wall_time)
                except BadValue as exc:
                    raise _bad_record(file, offset, str(exc)) from None
        if self._on_bytes:
            self._on_bytes(pending + max(file.size - read, 0))
        if read < file.size:
            self.damaged.append(Damage(file.rel, read, file.size))

    def _summary_records(self, event: Any, wall_time: float) -> Iterator[Record]:
        step = int(event.step)
        for value in event.summary.value:
            try:
                yield from self._value_records(value, step, wall_time)
            except BadValue as exc:
                raise BadValue(f"value {value.tag!r} holding {exc}") from None

    def _value_records(self, value: Any, step: int, wall_time: float) -> Iterator[Record]:
        tag = value.tag
        plugin = value.metadata.plugin_data.plugin_name
        if plugin:
            self._plugins[tag] = plugin
        else:
            plugin = self._plugins.get(tag, "")
        kind = value.WhichOneof("value")
        if kind == "simple_value":
            yield Scalar(tag, step, wall_time, float(value.simple_value))
        elif kind == "image":
            yield Image(tag, step, wall_time, bytes(value.image.encoded_image_string))
        elif kind == "histo":
            edges, counts = histogram_of_proto(value.histo)
            yield Histogram(tag, step, wall_time, edges, counts)
        elif plugin == _HPARAMS:
            hparams = self._hparams(value.metadata.plugin_data.content)
            if hparams is not None:
                yield HParams(wall_time, hparams)
        elif kind == "tensor" and plugin == _SCALARS:
            yield Scalar(tag, step, wall_time, _scalar_of_tensor(value.tensor))
        elif kind == "tensor" and plugin == _IMAGES:
            for encoded in value.tensor.string_val[2:]:  # [width, height, image, image, ...]
                yield Image(tag, step, wall_time, bytes(encoded))
        elif kind == "tensor" and plugin == _HISTOGRAMS:
            edges, counts = histogram_of_buckets(_buckets_of_tensor(value.tensor))
            if counts:
                yield Histogram(tag, step, wall_time, edges, counts)
        elif kind == "tensor" and plugin == _TEXT:
            yield Text(tag, step, wall_time, _text_of_tensor(value.tensor))
        else:
            self.skipped[plugin or kind or "empty"] += 1

    def _hparams(self, content: bytes) -> dict[str, Any] | None:
        """The hyperparameters of an hparams ``session_start_info``; None for its other values
        (the experiment's layout, the session's end)."""
        try:
            data = self._protos.HParamsPluginData.FromString(content)
        except Exception:  # noqa: BLE001 - protobuf's DecodeError, whatever its module
            raise BadValue("hparams data that does not parse") from None
        if data.WhichOneof("data") != "session_start_info":
            return None
        values: dict[str, Any] = {}
        for name, value in data.session_start_info.hparams.items():
            kind = value.WhichOneof("kind")
            if kind == "number_value":
                number = float(value.number_value)
                values[name] = int(number) if number.is_integer() and abs(number) < 2**53 else number
            elif kind in ("string_value", "bool_value"):
                values[name] = getattr(value, kind)
        return values


def _bad_record(file: EventFile, offset: int, what: str) -> ArchiveError:
    return ArchiveError(
        f"cannot import {file.path}: the record at byte {offset} has {what}",
        "the file is damaged or was not written by TensorBoard; nothing of this run was imported, "
        "runs listed before it were",
    )


def _scalar_of_tensor(tensor: Any) -> float:
    values = tensor_array(tensor).reshape(-1)
    if not len(values):
        raise BadValue("a scalar tensor with no value")
    return float(values[0])


def _buckets_of_tensor(tensor: Any) -> list[list[float]]:
    """A ``histograms`` tensor's rows of (left, right, count)."""
    array = tensor_array(tensor)
    if array.size and (array.ndim != 2 or array.shape[1] != 3):
        raise BadValue(f"a histogram tensor of shape {list(array.shape)}, not rows of (left, right, count)")
    return [[float(x) for x in row] for row in array.reshape(-1, 3)]


def _text_of_tensor(tensor: Any) -> str:
    parts = [s.decode("utf-8", "replace") for s in tensor.string_val]
    return "\n".join(parts)


# --- histograms ------------------------------------------------------------------------------
def histogram_of_proto(histo: Any) -> tuple[list[float], list[float]]:
    """Edges and counts of a TensorBoard 1 ``HistogramProto``.

    ``bucket_limit[i]`` is the right edge of ``bucket[i]``; the left edge of the first bucket is
    ``min``. Empty buckets at both ends are dropped, the first left edge is raised to ``min`` and
    the last right edge lowered to ``max`` (TensorFlow's last limit is the largest double), so
    the edges span the data.
    """
    limits, counts = list(histo.bucket_limit), list(histo.bucket)
    nonzero = [i for i, c in enumerate(counts) if c]
    low, high = float(histo.min), float(histo.max)
    if not nonzero or len(limits) != len(counts):
        return [low, max(low, high)], [float(sum(counts))]
    first, last = nonzero[0], nonzero[-1]
    left = low if first == 0 else max(limits[first - 1], low)
    edges = [left]
    for limit in limits[first:last]:
        edges.append(max(float(limit), edges[-1]))
    right = float(limits[last])
    if high >= edges[-1] and (right > high or not math.isfinite(right)):
        right = high
    edges.append(max(right, edges[-1]))
    return merge_bins(edges, [float(c) for c in counts[first : last + 1]])


def histogram_of_buckets(buckets: list[list[float]]) -> tuple[list[float], list[float]]:
    """Edges and counts of a TensorBoard 2 ``histograms`` tensor: rows of (left, right, count).
    Empty buckets at both ends are dropped."""
    nonzero = [i for i, row in enumerate(buckets) if row[2]]
    if not nonzero:
        return ([float(buckets[0][0]), float(buckets[-1][1])], [0.0]) if buckets else ([], [])
    rows = buckets[nonzero[0] : nonzero[-1] + 1]
    edges = [float(rows[0][0])]
    for row in rows:
        edges.append(max(float(row[1]), edges[-1]))
    return merge_bins(edges, [float(row[2]) for row in rows])


def merge_bins(
    edges: list[float], counts: list[float], max_bins: int | None = None
) -> tuple[list[float], list[float]]:
    """At most ``max_bins`` bins (``format.MAX_HISTOGRAM_BINS``): runs of neighbouring bins are
    merged, their counts summed, so the total and the span stay."""
    limit = max_bins or fmt.MAX_HISTOGRAM_BINS
    if len(counts) <= limit:
        return edges, counts
    group = math.ceil(len(counts) / limit)
    merged_counts = [sum(counts[i : i + group]) for i in range(0, len(counts), group)]
    merged_edges = edges[0 : len(edges) - 1 : group] + [edges[-1]]
    return merged_edges, merged_counts


# --- the tensorboard package -----------------------------------------------------------------
@dataclass(frozen=True)
class _Protos:
    masked_crc: Callable[[bytes], int]  # the masked CRC-32C of TFRecord framing
    Event: Any
    HParamsPluginData: Any


_cached: _Protos | None = None


def _protos() -> _Protos:
    global _cached
    if _cached is None:
        _cached = _load_protos()
    return _cached


def _load_protos() -> _Protos:
    try:
        from tensorboard.compat.proto.event_pb2 import Event
        from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c
        from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData
    except ImportError as exc:
        raise ArchiveError(
            f"reading TensorBoard event files needs the tensorboard package ({exc})",
            f"install it: {INSTALL_HINT}",
        ) from exc
    return _Protos(masked_crc32c, Event, HParamsPluginData)


def require_reader() -> None:
    """Raise ArchiveError, with the install hint, when the tensorboard package cannot be imported."""
    _protos()
