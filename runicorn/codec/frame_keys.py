"""A few metric keys out of ``events.columns`` frames, without decoding the other columns.

A chart of one metric over 1,500 runs of 1,500 metrics each needs one column per run, not 1,500.
:func:`key_frames` walks a frames file in order and reads each whole frame once: its CRC-32 is
checked over the header and payload (as :func:`~runicorn.codec.frames.read_frame` does), the
header is parsed, and the place of each wanted column in the payload is worked out from the
header's column list (each column holds its row indexes, when explicit, then its values: 8 bytes
each). Only the steps, the times and the wanted columns are copied out; the stages, leads and
NaN indexes of the wanted keys are checked as the full read checks them.

Parsing a header that lists 1,500 columns costs more than the rest of the frame's read, and runs
that log the same keys write the same column list frame after frame, run after run.
:class:`ColumnLayouts` keeps the latest few lists parsed: a header holding one of them (byte for
byte, as the SDK's encoder writes it) is parsed with ``null`` in its place, and the result is
taken only when ``null`` landed exactly where the metrics' column list stands; the list is then
the one parsed before.

The block it gives for a frame holds the same steps, times, stages and wanted columns as the full
read of that frame (a test compares them); it has no system rows and no images. A frame that does
not read back whole, fails its CRC or describes rows this package could not have written gives no
block (None): the caller then decodes those events lines from ``events.jsonl``. Checking that the
events bytes still have the frame's ``events_crc`` is the caller's part, as with the full read.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, BinaryIO

import orjson

from runicorn.codec.blocks import Block, Rows
from runicorn.codec.checksum import crc32
from runicorn.codec.frames import (
    MAGIC,
    MAX_HEADER_BYTES,
    PREFIX,
    FrameRef,
    checked_count,
    checked_nonfinite,
    checked_stages,
    take_array,
    take_column,
)

__all__ = ["ColumnLayouts", "ReadBuffer", "key_frames"]

_ITEM = 8  # bytes per step, time, row index or value
_COLUMNS_KEY = b'"columns":'
_PARSE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError, orjson.JSONDecodeError)


@dataclass(frozen=True)
class _Layout:
    """One metrics column list: where each column lies, in 8-byte items after the times."""

    text: bytes  # '"columns":' and the list, as the encoder writes it
    index: dict[str, int]  # key -> its place in the list
    counts: list[tuple[int, int]]  # (row indexes or -1, values) of each column
    starts: list[int]  # items before each column; the last entry: items of all columns

    @classmethod
    def of(cls, columns: Any) -> _Layout:
        """ValueError (or TypeError) when ``columns`` is not ``[[key, rows or -1, values], ...]``
        with each key once."""
        names = [c[0] for c in columns]
        counts = [(c[1], c[2]) for c in columns]
        if not all(len(c) == 3 for c in columns) or not all(type(n) is str for n in names):
            raise ValueError("bad column list")
        if not all(type(e) is int and type(v) is int and v >= 0 and e >= -1 for e, v in counts):
            raise ValueError("bad column counts")
        index = {n: i for i, n in enumerate(names)}
        if len(index) != len(names):
            raise ValueError("bad column key")  # as the full read: a key listed twice
        starts = list(accumulate((v + max(e, 0) for e, v in counts), initial=0))
        return cls(_COLUMNS_KEY + orjson.dumps(columns), index, counts, starts)


class ColumnLayouts:
    """The latest ``kept`` metrics column lists parsed (only lists of at least ``min_columns``
    columns: a short one parses fast anyway). Thread-safe; share one across the runs of a read."""

    def __init__(self, kept: int = 8, min_columns: int = 64) -> None:
        self.kept = kept
        self.min_columns = min_columns
        self._lock = threading.Lock()
        self._recent: list[_Layout] = []

    def parse(self, head: bytes) -> tuple[dict[str, Any], _Layout | None]:
        """The header (a JSON object, else ValueError) and the layout of its metrics columns
        (None when it has no metrics rows, or a column list this package does not write)."""
        with self._lock:
            recent = list(self._recent)
        if recent:
            places: list[int] = []  # where a column list may begin (metrics, system, a record's key)
            at = head.find(_COLUMNS_KEY)
            while at >= 0 and len(places) < 8:
                places.append(at)
                at = head.find(_COLUMNS_KEY, at + 1)
            for layout in recent:
                for at in places:
                    if not head.startswith(layout.text, at):
                        continue
                    cut = at + len(_COLUMNS_KEY)
                    try:
                        header = orjson.loads(head[:cut] + b"null" + head[at + len(layout.text) :])
                        if header["metrics"]["columns"] is None:
                            return header, layout
                    except _PARSE_ERRORS:
                        pass
        header = orjson.loads(head)
        try:
            layout = _Layout.of(header["metrics"]["columns"])
        except _PARSE_ERRORS:  # no metrics rows, or not a list this package writes
            return header, None
        if len(layout.counts) >= self.min_columns:
            with self._lock:
                self._recent = [layout, *(r for r in self._recent if r.text != layout.text)][: self.kept]
        return header, layout


class ReadBuffer:
    """One buffer reused by reads of about the same size (frames, events stretches): a fresh
    object of half a megabyte per read costs about as much as reading it. Not thread-safe: one
    per thread."""

    def __init__(self) -> None:
        self._data = bytearray()

    def read(self, fd: int, at: int, size: int) -> memoryview:
        """Up to ``size`` bytes of the file from ``at`` (fewer at its end); valid until the next read."""
        if len(self._data) < size:
            self._data = bytearray(size)
        view = memoryview(self._data)[:size]
        got = 0
        while got < size:
            n = os.preadv(fd, [view[got:]], at + got)
            if n <= 0:
                break
            got += n
        return view[:got]


def key_frames(
    f: BinaryIO,
    keys: Collection[str],
    layouts: ColumnLayouts | None = None,
    position: int = 0,
    buffer: ReadBuffer | None = None,
) -> Iterator[tuple[FrameRef, Block | None]]:
    """Each whole frame of ``f`` from byte ``position`` (where a frame starts) in file order, with
    the block of metrics rows that holds only the ``keys`` it has (None when the frame fails its
    checks); stops at the first torn or foreign frame, as
    :func:`~runicorn.codec.frames.frame_refs` does. Frames are read into ``buffer``."""
    layouts = layouts or ColumnLayouts()
    buffer = buffer or ReadBuffer()
    fd = f.fileno()
    size = os.fstat(fd).st_size
    while position + PREFIX.size <= size:
        magic, head_len, payload_len, crc = PREFIX.unpack(os.pread(fd, PREFIX.size, position))
        frame_size = PREFIX.size + head_len + payload_len
        if magic != MAGIC or head_len > MAX_HEADER_BYTES or position + frame_size > size:
            return
        body = buffer.read(fd, position + PREFIX.size, head_len + payload_len)
        if len(body) != head_len + payload_len:
            return
        try:
            header, layout = layouts.parse(bytes(body[:head_len]))
            start, end, events_crc = header["start"], header["end"], header["events_crc"]
            if not (type(start) is int and type(end) is int and type(events_crc) is int and end > start >= 0):
                return
        except _PARSE_ERRORS:
            return  # not a header this package writes: a foreign file
        block = None
        if crc32(body) == crc:
            block = _key_block(header, layout, memoryview(body)[head_len:], keys)
        yield FrameRef(start, end, events_crc, position, frame_size), block
        position += frame_size


def _key_block(
    header: dict[str, Any], layout: _Layout | None, payload: memoryview, keys: Collection[str]
) -> Block | None:
    try:
        if not isinstance(header["images"], list):
            raise ValueError("images are not records")
        block = Block(header["end"] - header["start"], malformed=checked_count(header["malformed"]))
        metrics, system = header["metrics"], header["system"]
        system_items = 0
        if system is not None:
            system_items = 2 * checked_count(system["count"]) + _Layout.of(system["columns"]).starts[-1]
        if metrics is not None:
            if layout is None:
                raise ValueError("bad column list")
            count = checked_count(metrics["count"])
            if _ITEM * (2 * count + layout.starts[-1] + system_items) != len(payload):
                raise ValueError("frame payload of another length than its header says")
            block.metrics = _rows_of_keys(metrics, count, layout, payload, keys)
        elif _ITEM * system_items != len(payload):
            raise ValueError("frame payload of another length than its header says")
    except _PARSE_ERRORS:
        return None
    return block


def _rows_of_keys(
    header: dict[str, Any], count: int, layout: _Layout, payload: memoryview, keys: Collection[str]
) -> Rows:
    steps, at = take_array("d", payload, 0, count)
    times, at = take_array("d", payload, at, count)
    columns: dict[str, tuple[Any, Any]] = {}
    nonfinite: dict[str, list[int]] = {}
    all_nonfinite = header["nonfinite"]
    if not isinstance(all_nonfinite, dict):
        raise ValueError("nonfinite is not an object")
    for key in keys:
        i = layout.index.get(key)
        if i is None or key in columns:
            continue
        explicit_count, value_count = layout.counts[i]
        at = (2 * count + layout.starts[i]) * _ITEM
        explicit, values, _ = take_column(payload, at, explicit_count, value_count, count)
        columns[key] = (explicit, values)
        if key in all_nonfinite:
            nonfinite[key] = checked_nonfinite(all_nonfinite[key], len(values))
    rows = Rows(count, steps, times, checked_stages(header["stages"], count), columns, nonfinite)
    rows.steps_lead = checked_count(header["steps_lead"], count)
    rows.times_lead = checked_count(header["times_lead"], count)
    return rows
