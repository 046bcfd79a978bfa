"""``events.columns``: the blocks of ``events.jsonl`` already decoded, as binary frames.

The SDK decodes what it appends to ``events.jsonl`` (with the same
:func:`~runicorn.store.blocks.decode_block` the viewer uses) and appends each block's columns to
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
(float64). ``docs/format.md`` describes the same layout for people.
"""

from __future__ import annotations

import os
import struct
import sys
import zlib
from array import array
from dataclasses import dataclass
from typing import Any, BinaryIO

import orjson

from runicorn.store.blocks import Block, Rows

MAGIC = b"RNC1"
_PREFIX = struct.Struct("<4sIII")  # magic, header length, payload length, CRC-32
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
    return _PREFIX.pack(MAGIC, len(head), len(payload), crc) + head + payload


def frame_refs(f: BinaryIO) -> list[FrameRef]:
    """The whole frames at the start of ``f``, in order; stops at the first torn or foreign one.

    Reads only the headers: a frame's CRC is checked when :func:`read_frame` reads it."""
    refs: list[FrameRef] = []
    position = 0
    file_size = os.fstat(f.fileno()).st_size
    while True:
        f.seek(position)
        prefix = f.read(_PREFIX.size)
        if len(prefix) < _PREFIX.size:
            return refs
        magic, head_len, payload_len, _ = _PREFIX.unpack(prefix)
        if magic != MAGIC or head_len > MAX_HEADER_BYTES:
            return refs
        size = _PREFIX.size + head_len + payload_len
        if position + size > file_size:  # torn by a crash, or still being written
            return refs
        header = _header(f.read(head_len))
        if header is None:
            return refs
        refs.append(FrameRef(header["start"], header["end"], header["events_crc"], position, size))
        position += size


def read_frame(f: BinaryIO, ref: FrameRef) -> Block | None:
    """The block a frame holds; None when it no longer reads back whole."""
    f.seek(ref.position)
    data = f.read(ref.size)
    if len(data) != ref.size:
        return None
    _, head_len, payload_len, crc = _PREFIX.unpack_from(data)
    head = data[_PREFIX.size : _PREFIX.size + head_len]
    payload = memoryview(data)[_PREFIX.size + head_len :]
    if zlib.crc32(payload, zlib.crc32(head)) != crc:
        return None
    try:
        header = orjson.loads(head)
        block = Block(header["end"] - header["start"], malformed=header["malformed"], images=header["images"])
        at = 0
        block.metrics, at = _rows_from(header["metrics"], payload, at)
        block.system, at = _rows_from(header["system"], payload, at)
    except (KeyError, TypeError, ValueError, orjson.JSONDecodeError):
        return None
    return block if at == payload_len else None


def whole_frames_length(data: bytes) -> int:
    """How many bytes at the start of ``data`` (which starts at a frame) are whole frames."""
    at = 0
    while at + _PREFIX.size <= len(data):
        magic, head_len, payload_len, _ = _PREFIX.unpack_from(data, at)
        size = _PREFIX.size + head_len + payload_len
        if magic != MAGIC or at + size > len(data):
            break
        at += size
    return at


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
    if header is None:
        return None, at
    count = header["count"]
    steps, at = _take("d", payload, at, count)
    times, at = _take("d", payload, at, count)
    columns: dict[str, tuple[array | None, array]] = {}
    for key, explicit_count, value_count in header["columns"]:
        explicit = None
        if explicit_count >= 0:
            explicit, at = _take("q", payload, at, explicit_count)
        values, at = _take("d", payload, at, value_count)
        columns[key] = (explicit, values)
    stages = [(stage, n) for stage, n in header["stages"]]
    rows = Rows(
        count, steps, times, stages, columns, header["nonfinite"], header["steps_lead"], header["times_lead"]
    )
    return rows, at


def _take(code: str, payload: memoryview, at: int, count: int) -> tuple[array, int]:
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
