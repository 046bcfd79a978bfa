"""``events.columns``: the blocks of ``events.jsonl`` already decoded, as binary frames.

The SDK decodes what it appends to ``events.jsonl`` (with the same
:func:`~runicorn.codec.blocks.decode_block` the viewer uses) and appends each block's columns to
``events.columns`` as one frame. A reader then loads a long run's columns from the frames instead
of decoding hundreds of MB of JSON: same columns, a fraction of the time. ``events.jsonl`` stays
the record of truth: a frame is used only when the bytes it covers still have the CRC-32 it
names, and anything not covered by a valid frame (a run written by another program, a frame
torn by a crash, an edited file) is decoded from ``events.jsonl`` as usual.

A frame (all integers little-endian)::

    b"RNC1" | header length (u32) | payload length (u32) | CRC-32 of header + payload (u32)
    header: a JSON object | payload: the arrays the header lists, back to back

The header names the events byte range (``start``, ``end``, ``events_crc``), ``malformed``,
``images`` (the image records' data) and, for ``metrics`` and ``system``, the rows: ``count``,
``steps_lead``, ``times_lead``, ``stages`` (``[stage or null, rows]`` runs), ``nonfinite`` and
``columns`` (``[key, explicit row count or -1, value count]``). The payload holds, per kind, the
steps and times (float64), then per column its row indexes (int64, when explicit) and values
(float64). ``docs/format.md`` describes the same layout for people. A reader that wants a few
columns only takes them with :func:`runicorn.codec.frame_keys.key_frames`, without decoding the
others.
"""

from __future__ import annotations

import itertools
import operator
import os
import struct
import sys
import zlib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import orjson

from runicorn.codec.blocks import Block, Rows

MAGIC = b"RNC1"
PREFIX = struct.Struct("<4sIII")  # magic, header length, payload length, CRC-32
MAX_HEADER_BYTES = 64 * 1024 * 1024  # anything larger is not a frame this module wrote
_SWAP = sys.byteorder != "little"


@dataclass(frozen=True)
class FrameRef:
    """Where one frame lies in ``events.columns`` and which events bytes it stands for."""

    start: int  # events.jsonl byte range start..end
    end: int
    events_crc: int
    position: int  # of the frame in events.columns
    size: int  # of the whole frame


def encode_frame(block: Block, start: int, events_crc: int) -> bytes:
    """One frame for ``block``, the decoded bytes ``start..start + block.nbytes`` of events.jsonl."""
    arrays: list[array] = []
    header: dict[str, Any] = {
        "start": start,
        "end": start + block.nbytes,
        "events_crc": events_crc,
        "malformed": block.malformed,
        "images": block.images,
        "metrics": _rows_header(block.metrics, arrays),
        "system": _rows_header(block.system, arrays),
    }
    head = orjson.dumps(header)
    payload = b"".join(_le_bytes(a) for a in arrays)
    crc = zlib.crc32(payload, zlib.crc32(head))
    return PREFIX.pack(MAGIC, len(head), len(payload), crc) + head + payload


def frame_refs(f: BinaryIO) -> list[FrameRef]:
    """The whole frames at the start of ``f``, in order; stops at the first torn or foreign one.

    Reads only the headers: a frame's CRC is checked when :func:`read_frame` reads it."""
    refs: list[FrameRef] = []

    def read(at: int, n: int) -> bytes:
        f.seek(at)
        return f.read(n)

    for position, head_len, size in _whole_frames(read, os.fstat(f.fileno()).st_size):
        header = _header(f.read(head_len))  # right after the prefix just read
        if header is None:
            break
        refs.append(FrameRef(header["start"], header["end"], header["events_crc"], position, size))
    return refs


def _whole_frames(
    read: Callable[[int, int], bytes | memoryview], size: int
) -> Iterator[tuple[int, int, int]]:
    """``(position, header length, frame size)`` of each whole frame from the start of a file of
    ``size`` bytes that ``read(at, n)`` reads; stops at the first torn (a crash, or still being
    written) or foreign one."""
    position = 0
    while position + PREFIX.size <= size:
        magic, head_len, payload_len, _ = PREFIX.unpack(read(position, PREFIX.size))
        frame_size = PREFIX.size + head_len + payload_len
        if magic != MAGIC or head_len > MAX_HEADER_BYTES or position + frame_size > size:
            return
        yield position, head_len, frame_size
        position += frame_size


def read_frame(f: BinaryIO, ref: FrameRef) -> Block | None:
    """The block a frame holds; None when it no longer reads back whole."""
    f.seek(ref.position)
    data = f.read(ref.size)
    if len(data) != ref.size:
        return None
    _, head_len, payload_len, crc = PREFIX.unpack_from(data)
    head = data[PREFIX.size : PREFIX.size + head_len]
    payload = memoryview(data)[PREFIX.size + head_len :]
    if zlib.crc32(payload, zlib.crc32(head)) != crc:
        return None
    try:
        header = orjson.loads(head)
        images = header["images"]
        if not isinstance(images, list) or not all(isinstance(i, dict) for i in images):
            raise ValueError("images are not records")
        nbytes = header["end"] - header["start"]
        if nbytes != ref.end - ref.start:
            raise ValueError("the header names another range than the index read")
        block = Block(nbytes, malformed=checked_count(header["malformed"]), images=images)
        at = 0
        block.metrics, at = _rows_from(header["metrics"], payload, at)
        block.system, at = _rows_from(header["system"], payload, at)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, orjson.JSONDecodeError):
        return None
    return block if at == payload_len else None


def whole_frames_length(data: bytes) -> int:
    """How many bytes at the start of ``data`` (which starts at a frame) are whole frames."""
    view = memoryview(data)
    spans = list(_whole_frames(lambda at, n: view[at : at + n], len(data)))
    return spans[-1][0] + spans[-1][2] if spans else 0


def valid_length(path: os.PathLike[str] | str) -> int:
    """How many bytes at the start of the file at ``path`` are whole frames (0 when none): where
    a writer appends after a crash tore the last frame."""
    try:
        with open(path, "rb") as f:
            refs = frame_refs(f)
    except OSError:
        return 0
    return refs[-1].position + refs[-1].size if refs else 0


def _header(head: bytes) -> dict[str, Any] | None:
    """The parsed header when it names an events byte range (its CRC is checked on reading)."""
    try:
        header = orjson.loads(head)
        if all(isinstance(header.get(k), int) for k in ("start", "end", "events_crc")):
            return header if header["end"] > header["start"] >= 0 else None
    except (orjson.JSONDecodeError, AttributeError):
        pass
    return None


def _rows_header(rows: Rows | None, arrays: list[array]) -> dict[str, Any] | None:
    if rows is None:
        return None
    arrays += (rows.steps, rows.times)
    columns = []
    for key, (explicit, values) in rows.columns.items():
        columns.append([key, -1 if explicit is None else len(explicit), len(values)])
        if explicit is not None:
            arrays.append(explicit)
        arrays.append(values)
    return {
        "count": rows.count,
        "steps_lead": rows.steps_lead,
        "times_lead": rows.times_lead,
        "stages": rows.stages,
        "nonfinite": rows.nonfinite,
        "columns": columns,
    }


def _rows_from(header: dict[str, Any] | None, payload: memoryview, at: int) -> tuple[Rows | None, int]:
    """The rows a header describes, read from ``payload`` at ``at``. ValueError (or KeyError,
    TypeError) when the header does not describe rows this module could have written: a frame
    that passed its CRC is still checked, so that no file can make a reader fail."""
    if header is None:
        return None, at
    count = checked_count(header["count"])
    steps, at = take_array("d", payload, at, count)
    times, at = take_array("d", payload, at, count)
    columns: dict[str, tuple[array | None, array]] = {}
    for key, explicit_count, value_count in header["columns"]:
        if not isinstance(key, str) or key in columns:
            raise ValueError("bad column key")
        explicit, values, at = take_column(payload, at, explicit_count, value_count, count)
        columns[key] = (explicit, values)
    nonfinite: dict[str, list[int]] = header["nonfinite"]
    for key, indexes in nonfinite.items():
        checked_nonfinite(indexes, len(columns[key][1]))
    rows = Rows(count, steps, times, checked_stages(header["stages"], count), columns, nonfinite)
    rows.steps_lead = checked_count(header["steps_lead"], count)
    rows.times_lead = checked_count(header["times_lead"], count)
    return rows, at


def take_column(
    payload: memoryview, at: int, explicit_count: int, value_count: int, count: int
) -> tuple[array | None, array, int]:
    """One column of a block of ``count`` rows at byte ``at`` of ``payload``: its row indexes
    (None when it has a value in every row: ``explicit_count`` -1), its values, and the byte
    after them. ValueError when the counts or row indexes are not ones this module writes."""
    explicit = None
    if explicit_count != -1:
        if explicit_count != value_count:
            raise ValueError("a row index for every value")
        explicit, at = take_array("q", payload, at, checked_count(explicit_count, count))
        if value_count and (explicit[0] < 0 or explicit[-1] >= count or not increasing(explicit)):
            raise ValueError("column rows out of order or range")
    elif value_count != count:
        raise ValueError("a full column of the wrong length")
    values, at = take_array("d", payload, at, checked_count(value_count, count))
    return explicit, values, at


def checked_stages(runs: Any, count: int) -> list[tuple[str | None, int]]:
    """A header's ``stages``: ``[stage or null, rows]`` runs covering ``count`` rows (ValueError
    otherwise)."""
    stages = [(stage, checked_count(n, count)) for stage, n in runs]
    if sum(n for _, n in stages) != count or not all(s is None or isinstance(s, str) for s, _ in stages):
        raise ValueError("stage runs do not cover the rows")
    return stages


def checked_nonfinite(indexes: Any, size: int) -> list[int]:
    """A column's NaN/Inf indexes: ints ascending below ``size`` (ValueError otherwise)."""
    if not all(type(i) is int and 0 <= i < size for i in indexes) or indexes != sorted(indexes):
        raise ValueError("NaN indexes out of range or order")
    return list(indexes)


def checked_count(value: Any, most: int | None = None) -> int:
    """``value`` when it is an int from 0 to ``most``; ValueError otherwise."""
    if type(value) is not int or value < 0 or (most is not None and value > most):
        raise ValueError(f"bad count {value!r}")
    return value


def increasing(values: array) -> bool:
    return all(map(operator.lt, values, itertools.islice(values, 1, None)))


def take_array(code: str, payload: memoryview, at: int, count: int) -> tuple[array, int]:
    out = array(code)
    end = at + count * out.itemsize
    if end > len(payload):
        raise ValueError("frame payload shorter than its header says")
    out.frombytes(payload[at:end])
    if _SWAP:
        out.byteswap()
    return out, end


def _le_bytes(values: array) -> bytes:
    if not _SWAP:
        return values.tobytes()
    swapped = array(values.typecode, values)
    swapped.byteswap()
    return swapped.tobytes()
