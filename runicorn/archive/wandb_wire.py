"""The few fields of W&B's ``Record`` protocol buffer that an import needs, decoded by hand.

A W&B transaction log record (:mod:`runicorn.archive.wandb_records`) is one ``Record`` message of
W&B's ``wandb_internal.proto``. Protocol buffers' wire format is small: a message is a sequence
of fields, each a varint tag (field number << 3 | wire type) and a value, a varint (type 0), 8 or
4 bytes (types 1 and 5) or a varint length and that many bytes (type 2: strings, bytes and
nested messages). Only the fields listed here are read; every other field is skipped by its wire
type, so records W&B adds later pass unread. No ``protobuf`` package is needed.

The field numbers (``wandb_internal.proto``)::

    Record         num=1 history=2 summary=3 output=4 config=5 files=6 stats=7 metric=12
                   output_raw=13 run=17 exit=18
    HistoryRecord  item=1 (HistoryItem) step=2 (HistoryStep: num=1)
    HistoryItem, SummaryItem, ConfigItem   key=1 nested_key=2 (repeated) value_json=16
    SummaryRecord, ConfigRecord            update=1 remove=2 (items)
    RunRecord      run_id=1 entity=2 project=3 config=4 summary=5 run_group=6 job_type=7
                   display_name=8 notes=9 tags=10 (repeated) host=13 start_time=17 (Timestamp)
    FilesRecord    files=1 (FilesItem: path=1)
    OutputRecord, OutputRawRecord          output_type=1 (0 stderr, 1 stdout) timestamp=2 line=3
    RunExitRecord  exit_code=1 runtime=2
    StatsRecord    timestamp=2 item=3 (StatsItem: key=1 value_json=16, as the items above)
    MetricRecord   name=1 glob_name=2 step_metric=4 options=6 (step_sync=1 hidden=2)
                   summary=7 (min=1 max=2 mean=3 best=4 last=5 none=6 copy=7 first=8)
                   goal=8 (1 minimize, 2 maximize) expanded_from_glob=10
    Timestamp      seconds=1 nanos=2

Bounds: a key path of at most :data:`MAX_KEY_DEPTH` parts, a key of at most
:data:`MAX_KEY_BYTES`, a ``value_json`` of at most :data:`MAX_VALUE_JSON_BYTES`. A field that runs
past its message, a varint longer than 10 bytes, a group (wire types 3 and 4, never used by W&B)
or text that is not UTF-8 raise :class:`WireError`; the reader turns it into an error naming the
file and the record's byte (a record passed its CRC check, so it was written so: crafted).
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_KEY_DEPTH = 32
MAX_KEY_BYTES = 4096
MAX_VALUE_JSON_BYTES = 16 * 1024 * 1024

# Record's fields (the oneof "record_type" among them)
HISTORY, SUMMARY, OUTPUT, CONFIG, FILES, STATS, METRIC, OUTPUT_RAW, RUN, EXIT = (
    2,
    3,
    4,
    5,
    6,
    7,
    12,
    13,
    17,
    18,
)
_VALUE_JSON = 16

Item = tuple[tuple[str, ...], bytes]  # (key path, value_json)


class WireError(ValueError):
    """A record whose bytes are not the message they claim to be."""


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """The varint at ``pos`` and the position after it."""
    value = shift = 0
    for i in range(pos, pos + 10):
        b = data[i]  # an IndexError past the end: the callers name it
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, i + 1
        shift += 7
    raise WireError("a varint longer than 10 bytes")


def fields(data: bytes, stop_at: frozenset[int] = frozenset()) -> list[tuple[int, int, int | bytes]]:
    """``(field number, wire type, value)`` of every field of a message, in order: an int for a
    varint, the bytes for the others; up to and with the first length-delimited field whose
    number is in ``stop_at``, when one is."""
    out: list[tuple[int, int, int | bytes]] = []
    pos, n = 0, len(data)
    try:
        while pos < n:
            tag = data[pos]  # one byte for fields 1 to 15, the common case
            pos += 1
            if tag & 0x80:
                tag, pos = _varint(data, pos - 1)
            wire = tag & 7
            if wire == 0:
                value, pos = _varint(data, pos)
                out.append((tag >> 3, 0, value))
                continue
            if wire == 2:
                length = data[pos]
                pos += 1
                if length & 0x80:
                    length, pos = _varint(data, pos - 1)
                end = pos + length
            elif wire == 1:
                end = pos + 8
            elif wire == 5:
                end = pos + 4
            else:
                raise WireError(f"wire type {wire} (field {tag >> 3}), which W&B never writes")
            if end > n:
                raise WireError(f"field {tag >> 3} runs past the end of its message")
            out.append((tag >> 3, wire, data[pos:end]))
            if wire == 2 and tag >> 3 in stop_at:
                return out
            pos = end
    except IndexError:
        raise WireError("a varint runs past the end of its message") from None
    return out


def record_kind(data: bytes) -> tuple[int, bytes]:
    """The field number of a Record's type (HISTORY, RUN, ...) and its message; (0, b"") for a
    record of no type this reader knows. Fields after it are not read."""
    number, wire, value = fields(data, _KINDS)[-1] if data else (0, 0, b"")
    if wire == 2 and number in _KINDS and isinstance(value, bytes):
        return number, value
    return 0, b""


_KINDS = frozenset({HISTORY, SUMMARY, OUTPUT, CONFIG, FILES, STATS, METRIC, OUTPUT_RAW, RUN, EXIT})


def text(value: int | bytes) -> str:
    if not isinstance(value, bytes):
        raise WireError("a varint where text was expected")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise WireError("text that is not UTF-8") from None


def _item(data: bytes) -> Item:
    """One HistoryItem, SummaryItem or ConfigItem (the same fields), read without the general
    :func:`fields` (a long run has millions of them)."""
    key = ""
    path: list[str] = []
    value = b""
    pos, n = 0, len(data)
    try:
        while pos < n:
            tag = data[pos]
            pos += 1
            if tag & 0x80:  # value_json's tag (16) takes two bytes
                high = data[pos]
                pos += 1
                if high & 0x80:
                    tag, pos = _varint(data, pos - 2)
                else:
                    tag = (tag & 0x7F) | high << 7
            if tag & 7 != 2:
                pos = _skip(data, pos, tag)
                continue
            length = data[pos]
            pos += 1
            if length & 0x80:
                length, pos = _varint(data, pos - 1)
            end = pos + length
            if end > n:
                raise WireError(f"field {tag >> 3} runs past the end of its message")
            number = tag >> 3
            if number == _VALUE_JSON:
                if length > MAX_VALUE_JSON_BYTES:
                    raise WireError(f"a value of {length} bytes, over the bound of {MAX_VALUE_JSON_BYTES}")
                value = data[pos:end]
            elif number == 1 or number == 2:
                if length > MAX_KEY_BYTES:
                    raise WireError(f"a key of {length} bytes, more than the {MAX_KEY_BYTES} one may hold")
                part = data[pos:end].decode("utf-8")
                if number == 1:
                    key = part
                else:
                    path.append(part)
                    if len(path) > MAX_KEY_DEPTH:
                        raise WireError(f"a key nested more than {MAX_KEY_DEPTH} levels deep")
            pos = end
    except IndexError:
        raise WireError("a varint runs past the end of its message") from None
    except UnicodeDecodeError:
        raise WireError("text that is not UTF-8") from None
    return (tuple(path) if path else (key,)), value


def _skip(data: bytes, pos: int, tag: int) -> int:
    """The position after a field that is not length-delimited."""
    wire = tag & 7
    if wire == 0:
        return _varint(data, pos)[1]
    if wire == 1 or wire == 5:
        if pos + (8 if wire == 1 else 4) > len(data):
            raise WireError(f"field {tag >> 3} runs past the end of its message")
        return pos + (8 if wire == 1 else 4)
    raise WireError(f"wire type {wire} (field {tag >> 3}), which W&B never writes")


def history(data: bytes) -> tuple[list[Item], int | None]:
    """A HistoryRecord's items and its step number (None when it has none)."""
    items: list[Item] = []
    step = None
    for number, _, raw in fields(data):
        if number == 1 and isinstance(raw, bytes):
            items.append(_item(raw))
        elif number == 2 and isinstance(raw, bytes):
            step = 0
            for inner, _, value in fields(raw):
                if inner == 1 and isinstance(value, int):
                    step = _signed(value)
    return items, step


def updates(data: bytes) -> tuple[list[Item], list[Item]]:
    """A SummaryRecord's or ConfigRecord's ``update`` and ``remove`` items."""
    update: list[Item] = []
    remove: list[Item] = []
    for number, _, raw in fields(data):
        if number in (1, 2) and isinstance(raw, bytes):
            (update if number == 1 else remove).append(_item(raw))
    return update, remove


@dataclass
class RunInfo:
    """The RunRecord's fields an import keeps."""

    run_id: str = ""
    entity: str = ""
    project: str = ""
    group: str = ""
    job_type: str = ""
    display_name: str = ""
    notes: str = ""
    host: str = ""
    tags: list[str] = field(default_factory=list)
    start_time: float | None = None
    config: list[Item] = field(default_factory=list)
    summary: list[Item] = field(default_factory=list)


_RUN_TEXT = {
    1: "run_id",
    2: "entity",
    3: "project",
    6: "group",
    7: "job_type",
    8: "display_name",
    9: "notes",
    13: "host",
}


def run(data: bytes) -> RunInfo:
    info = RunInfo()
    for number, _, raw in fields(data):
        if not isinstance(raw, bytes):
            continue
        if number in _RUN_TEXT:
            setattr(info, _RUN_TEXT[number], text(raw))
        elif number == 10:
            info.tags.append(text(raw))
        elif number == 17:
            info.start_time = timestamp(raw)
        elif number in (4, 5):
            (info.config if number == 4 else info.summary).extend(updates(raw)[0])
    return info


def timestamp(data: bytes) -> float:
    seconds = nanos = 0
    for number, _, value in fields(data):
        if isinstance(value, int):
            if number == 1:
                seconds = _signed(value)
            elif number == 2:
                nanos = _signed(value)
    return seconds + nanos / 1e9


def files(data: bytes) -> list[str]:
    """A FilesRecord's paths (relative to the run's ``files/`` folder)."""
    paths = []
    for number, _, raw in fields(data):
        if number == 1 and isinstance(raw, bytes):
            for inner, _, value in fields(raw):
                if inner == 1:
                    paths.append(text(value))
    return paths


def output(data: bytes) -> tuple[bool, float | None, str]:
    """An OutputRecord's or OutputRawRecord's (is stderr, time, text)."""
    stderr, when, line = True, None, ""
    for number, _, value in fields(data):
        if number == 1 and isinstance(value, int):
            stderr = value == 0
        elif number == 2 and isinstance(value, bytes):
            when = timestamp(value)
        elif number == 3:
            line = text(value)
    return stderr, when, line


def stats(data: bytes) -> tuple[float | None, list[Item]]:
    """A StatsRecord's time and items (system metrics such as ``gpu.0.gpu``)."""
    when, items = None, []
    for number, _, value in fields(data):
        if number == 2 and isinstance(value, bytes):
            when = timestamp(value)
        elif number == 3 and isinstance(value, bytes):
            items.append(_item(value))
    return when, items


_METRIC_SUMMARIES = {1: "min", 2: "max", 3: "mean", 4: "best", 5: "last", 6: "none", 7: "copy", 8: "first"}


def metric(data: bytes) -> tuple[str, dict[str, object]] | None:
    """A MetricRecord (``define_metric``) as its name or glob and Runicorn's metric definition
    (``format.MetricDefinition``); None for one W&B expanded from a glob itself."""
    name = ""
    definition: dict[str, object] = {}
    summary: list[str] = []
    for number, _, value in fields(data):
        if number in (1, 2) and isinstance(value, bytes) and value:
            name = text(value)
        elif number == 4 and isinstance(value, bytes) and value:
            definition["step_metric"] = text(value)
        elif number == 6 and isinstance(value, bytes):
            for option, _, flag in fields(value):
                if option in (1, 2) and flag:
                    definition["step_sync" if option == 1 else "hidden"] = True
        elif number == 7 and isinstance(value, bytes):
            summary = [
                _METRIC_SUMMARIES[kind]
                for kind, _, flag in fields(value)
                if kind in _METRIC_SUMMARIES and flag
            ]
        elif number == 8 and value in (1, 2):
            definition["goal"] = "minimize" if value == 1 else "maximize"
        elif number == 10 and value:
            return None
    if summary:
        definition["summary"] = summary
    return (name, definition) if name else None


def exit_code(data: bytes) -> int:
    for number, _, value in fields(data):
        if number == 1 and isinstance(value, int):
            return _signed(value, 32)
    return 0


def _signed(value: int, bits: int = 64) -> int:
    """A varint read as the signed integer it encodes (negatives take 10 bytes)."""
    value &= (1 << 64) - 1
    if value >= 1 << 63:
        value -= 1 << 64
    if bits == 32:
        value = ((value + (1 << 31)) % (1 << 32)) - (1 << 31)
    return value
