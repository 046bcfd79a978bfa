"""Decoding a span of complete ``events.jsonl`` lines into compact columns: a :class:`Block`.

A block is about :data:`BLOCK_BYTES` of whole lines. It is decoded with one ``orjson`` call over
the lines turned into a JSON array (a C-level ``bytes.replace`` of the newlines), and its records
become columns with C-level ``map``/``itemgetter``: when every row of a kind has the same keys,
all columns come out of one pass of ``itemgetter`` over the rows, sliced by stride. A block holding
a broken line (or the bare ``NaN`` tokens the PyPI package writes, which orjson rejects) is
decoded line by line, skipping and counting bad lines; blank lines are skipped silently.

What a block holds does not depend on where the blocks were cut: rows that need the row before
them (a missing step counts on from the previous one, a missing time repeats it) are answered
from inside the block when they can be, and the first rows that cannot are counted
(``steps_lead``, ``times_lead``) for :class:`~runicorn.store.metrics.columns.ColumnSet` to fill in from
its last row. So blocks decoded in worker processes (:mod:`runicorn.store.metrics.decode_pool`) and in
the reader's thread give the same columns. Nothing here keeps state between calls.
"""

from __future__ import annotations

import gc
import math
import os
import struct
import threading
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, compress, groupby, repeat
from operator import eq, itemgetter, methodcaller
from typing import Any

import orjson

from runicorn import format as fmt

BLOCK_BYTES = 512 * 1024  # a block and its objects stay in a core's cache
_NUMBER_TYPES = frozenset({int, float, bool})  # exactly what array('d') takes from JSON values
_get_type = methodcaller("get", "type")
_get_stage = methodcaller("get", fmt.STAGE_KEY)
_type_of = itemgetter("type")
_data_of = itemgetter("data")
_loads = orjson.loads
_ColumnParts = dict[str, tuple["array | None", array]]


@dataclass
class Rows:
    """The rows of one kind (metrics or system) in one block, column by column.

    ``columns`` maps a metric key to ``(rows, values)``: ``rows`` (indexes into these rows, as
    ``array('q')``) is None when the key has a number in every row. ``stages`` is the stage of
    consecutive rows as ``(stage, count)`` runs, None where a row has no (string) stage.
    """

    count: int
    steps: array
    times: array
    stages: list[tuple[str | None, int]]
    columns: _ColumnParts
    nonfinite: dict[str, list[int]]  # per key, indexes into its values holding NaN/Inf (if any)
    steps_lead: int = 0  # first rows without a step: numbered on from the reader's last step
    times_lead: int = 0  # first rows without a time or ts: the reader's last time


@dataclass
class Block:
    """What ``nbytes`` bytes of whole lines hold."""

    nbytes: int
    metrics: Rows | None = None
    system: Rows | None = None
    images: list[dict[str, Any]] = field(default_factory=list)
    malformed: int = 0


def cut_blocks(data: bytes, block_bytes: int = BLOCK_BYTES) -> Iterator[bytes]:
    """``data`` (whole lines) in pieces of about ``block_bytes``, each ending with a newline."""
    start = 0
    size = len(data)
    while start < size:
        end = data.rfind(b"\n", start, start + block_bytes) + 1 if start + block_bytes < size else size
        if end <= start:  # one line longer than a block
            end = data.find(b"\n", start + block_bytes) + 1 or size
        yield data[start:end]
        start = end


def decode_block(data: bytes) -> Block:
    """Decode whole lines (``data`` ends with a newline, or is empty)."""
    block = Block(len(data))
    if not data:
        return block
    decoded = _decode_all(data)
    finite = decoded is not None  # orjson never gives NaN or infinities
    if decoded is None:
        decoded = _decode_each(data, block)
    records, datas = decoded
    if not records:
        return block
    try:
        kinds: set[Any] | None = set(map(_type_of, records))
    except (KeyError, TypeError):  # a record without a type, or an odd one
        kinds = None
    if kinds == {fmt.METRICS}:
        block.metrics = _rows(records, datas, finite)
        return block
    types = list(map(_get_type, records))
    if fmt.METRICS in types:
        block.metrics = _rows(_only(fmt.METRICS, types, records), _only(fmt.METRICS, types, datas), finite)
    if fmt.SYSTEM in types:
        block.system = _rows(_only(fmt.SYSTEM, types, records), _only(fmt.SYSTEM, types, datas), finite)
    if fmt.IMAGE in types:
        for record in _only(fmt.IMAGE, types, records):
            image = dict(record["data"])
            image.setdefault("ts", record.get("ts"))
            block.images.append(image)
    # other kinds: written by a newer version; ignored, not malformed
    return block


FileIdentity = tuple[int, int]  # (st_dev, st_ino)


class FileChanged(OSError):
    """The file at a path is no longer the one the caller opened and checked (swapped under it)."""


def decode_file_range(
    path: str, start: int, end: int, block_bytes: int = BLOCK_BYTES, identity: FileIdentity | None = None
) -> list[Block]:
    """The blocks of bytes ``start..end`` of the file at ``path`` (whole lines): a worker's job.
    ``identity``: the file the caller checked (it was opened through the run-folder guard); a
    worker opening the path later reads nothing else: a file swapped in since, a link put in its
    place or a pipe is refused with :class:`FileChanged` (the caller then decodes from its own,
    checked handle)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if identity is not None:
            st = os.fstat(fd)
            if (st.st_dev, st.st_ino) != identity:
                raise FileChanged(f"{path} is no longer the file that was checked")
        data = _read_range(fd, start, end)
    finally:
        os.close(fd)
    return _decode_bytes(data, block_bytes)


def decode_fd_range(fd: int, start: int, end: int, block_bytes: int = BLOCK_BYTES) -> list[Block]:
    """The same from an open file, without moving its position."""
    return _decode_bytes(_read_range(fd, start, end), block_bytes)


def _read_range(fd: int, start: int, end: int) -> bytes:
    parts: list[bytes] = []
    while start < end:
        chunk = os.pread(fd, end - start, start)
        if not chunk:
            break
        parts.append(chunk)
        start += len(chunk)
    return b"".join(parts)


def _decode_bytes(data: bytes, block_bytes: int) -> list[Block]:
    with gc_paused():
        return [decode_block(piece) for piece in cut_blocks(data, block_bytes)]


def _decode_all(data: bytes) -> tuple[list[Any], list[Any]] | None:
    """Records and their ``data`` with one orjson call; None when any line is not a plain record."""
    try:
        records = _loads(b"[" + data[:-1].replace(b"\n", b",") + b"]")
    except orjson.JSONDecodeError:
        return None
    # A line that is not one JSON value changes the count (an empty one does not parse at all).
    if len(records) != data.count(b"\n"):
        return None
    try:
        datas = list(map(_data_of, records))
    except (KeyError, TypeError):  # a record that is not an object, or has no data
        return None
    if set(map(type, datas)) != {dict}:
        return None
    return records, datas


def _decode_each(data: bytes, block: Block) -> tuple[list[Any], list[Any]]:
    records: list[dict[str, Any]] = []
    lines = data.split(b"\n")
    lines.pop()  # data ends with a newline
    for line in lines:
        if not line.strip():
            continue
        record = fmt.decode_event(line)
        if record is None:
            block.malformed += 1
        else:
            records.append(record)
    return records, [r["data"] for r in records]


def _only(kind: str, types: list[Any], items: list[Any]) -> list[Any]:
    return list(compress(items, map(eq, types, repeat(kind))))


def _floats(values: list[Any]) -> array:
    """``values`` as ``array('d')``; struct.error when one is not a number (bools count as 0/1).

    ``struct.pack`` converts a list about twice as fast as ``array('d', iterable)``."""
    out = array("d")
    out.frombytes(struct.pack(f"{len(values)}d", *values))
    return out


def _rows(records: list[dict[str, Any]], datas: list[dict[str, Any]], finite: bool) -> Rows:
    same = _same_keys_columns(datas)
    if same is not None:
        columns, stages = same
    else:
        columns, stages = _columns_by_key(datas), list(map(_get_stage, datas))
    step_column = columns.pop(fmt.STEP_KEY, None)
    time_column = columns.pop(fmt.TIME_KEY, None)
    steps, steps_lead = _steps(datas, step_column)
    times, times_lead = _times(datas, records, time_column)
    nonfinite = {} if finite else {k: nonfinite_indexes(v) for k, (_, v) in columns.items()}
    return Rows(
        len(datas), steps, times, _stage_runs(stages, len(datas)), columns, nonfinite, steps_lead, times_lead
    )


def _same_keys_columns(datas: list[dict[str, Any]]) -> tuple[_ColumnParts, list[Any] | None] | None:
    """Every column, and the stages, in one pass when all rows have the first row's keys and
    numbers in all of them but the stage; None otherwise."""
    numeric = [k for k in datas[0] if k != fmt.STAGE_KEY]
    has_stage = len(numeric) < len(datas[0])
    order = [*numeric, fmt.STAGE_KEY] if has_stage else numeric
    width = len(order)
    try:
        if width == 1:
            flat = list(map(itemgetter(order[0]), datas))
        else:  # row after row: (value, value, ..., stage); a KeyError when a row lacks a key
            flat = list(chain.from_iterable(map(itemgetter(*order), datas)))
        if sum(map(len, datas)) != width * len(datas):  # a row with a key more
            return None
        columns: _ColumnParts = {key: (None, _floats(flat[i::width])) for i, key in enumerate(numeric)}
    except (KeyError, TypeError, OverflowError, struct.error):
        return None
    return columns, flat[len(numeric) :: width] if has_stage else None


def _columns_by_key(datas: list[dict[str, Any]]) -> _ColumnParts:
    columns: _ColumnParts = {}
    for key in sorted(set().union(*datas)):
        if key == fmt.STAGE_KEY:
            continue
        try:  # fast path: every row has a number for this key
            columns[key] = (None, _floats(list(map(itemgetter(key), datas))))
            continue
        except (KeyError, TypeError, OverflowError, struct.error):
            pass
        rows = array("q")
        values = array("d")
        for i, d in enumerate(datas):
            v = _number(d.get(key))  # None also for an integer too large for a float
            if v is not None:
                values.append(v)
                rows.append(i)
        if rows:
            columns[key] = (rows, values)
    return columns


def _number(value: Any) -> float | None:
    if type(value) in _NUMBER_TYPES:
        try:
            return float(value)
        except OverflowError:
            return None
    return None


def _steps(datas: list[dict[str, Any]], column: tuple[array | None, array] | None) -> tuple[array, int]:
    """Each row's step; a row without one counts on from the row before (``lead``: rows with
    none before them)."""
    if column is not None and column[0] is None:
        return column[1], 0
    out = array("d")
    lead = 0
    prev: float | None = None
    for d in datas:
        v = _number(d.get(fmt.STEP_KEY))
        if v is None:
            if prev is None:
                lead += 1
                out.append(0.0)
                continue
            v = prev + 1
        prev = v
        out.append(v)
    return out, lead


def _times(
    datas: list[dict[str, Any]], records: list[dict[str, Any]], column: tuple[array | None, array] | None
) -> tuple[array, int]:
    """Each row's time: ``data.time``, else the record's ``ts``, else the row before's."""
    if column is not None and column[0] is None:
        return column[1], 0
    out = array("d")
    lead = 0
    prev: float | None = None
    for d, r in zip(datas, records, strict=True):
        v = _number(d.get(fmt.TIME_KEY))
        if v is None:
            v = _number(r.get("ts"))
        if v is None:
            v = prev
        if v is None:
            lead += 1
            out.append(0.0)
            continue
        prev = v
        out.append(v)
    return out, lead


def _stage_runs(stages: list[Any] | None, count: int) -> list[tuple[str | None, int]]:
    if stages is None:
        return [(None, count)]
    if stages.count(stages[0]) == count:
        runs: list[tuple[Any, int]] = [(stages[0], count)]
    else:
        runs = [(stage, len(list(group))) for stage, group in groupby(stages)]
    return [(s if isinstance(s, str) and s else None, n) for s, n in runs]


class _GcPause:
    """Turns the cyclic garbage collector off while any thread decodes a block.

    Decoding creates tens of thousands of dicts that die right after; collections triggered by
    them would only walk live objects again and again (about 15% of a cold read). Depth-counted,
    so overlapping decodes in several threads re-enable it once, and only if it was on.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._was_enabled = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._depth == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0 and self._was_enabled:
                    gc.enable()


gc_paused = _GcPause()


def nonfinite_indexes(values: array, offset: int = 0) -> list[int]:
    """Indexes (plus ``offset``) of NaN/Inf entries; a fast sum() check skips clean arrays."""
    total = sum(values)  # NaN or inf if any entry is (or, harmlessly, on overflow)
    if math.isfinite(total):
        return []
    return [offset + i for i, v in enumerate(values) if not math.isfinite(v)]
