"""The text, ``null`` and list values of a run's metric rows, read apart from its numbers.

A run logged through ``runicorn.wandb`` keeps what W&B's history keeps: a metrics row may hold
``"phase": "warmup"``, ``"note": null`` or ``"tokens": [1, 2]`` beside its numbers
(docs/format.md#eventsjsonl). The metric columns (:mod:`runicorn.store.metrics.series`) and the
``events.columns`` frames hold numbers only, so these values are read here, from
``events.jsonl``, like the media records (:mod:`runicorn.store.records.media_records`): a byte
search finds the lines where a key is followed by a string, ``null`` or ``[`` (the record's own
``"type":"metrics"`` and the reserved ``"stage"`` excepted), and only those lines are decoded. A
numbers-only run decodes nothing.

Memory stays bounded however long the run: for each such key, :class:`TextValues` keeps only the
byte offsets of the lines holding it (8 bytes a value), and a page of values
(:meth:`TextValues.page`) reads its lines again from the file. Values longer than
:data:`MAX_VALUE_CHARS` are cut. It reads on by byte offset through a
:class:`~runicorn.store.follower.Follower` (a live run's new rows are the appended bytes); a
replaced or truncated file is read again from the start. :class:`TextValuesCache` keeps the runs
read recently, at most :data:`MAX_BYTES` of offsets in all.
"""

from __future__ import annotations

import os
import re
from array import array
from pathlib import Path
from typing import Any

import orjson

from runicorn import format as fmt
from runicorn.codec.blocks import cut_blocks, gc_paused
from runicorn.files import open_run_file
from runicorn.store.lru import SizedLRU
from runicorn.store.records.followed_events import FollowedEvents

__all__ = ["TextValues", "TextValuesCache", "MAX_VALUE_CHARS", "MAX_PAGE_ROWS", "MAX_BYTES"]

MAX_VALUE_CHARS = 1000  # a longer string (or list, as JSON) is cut to this many characters
MAX_PAGE_ROWS = 1000
MAX_BYTES = 64 * 1024 * 1024  # offsets kept by the cache in all (8 bytes a value)
_LINE_READ_BYTES = 4096
_OFFSET_BYTES = 8
_RUN_BYTES = 1024  # what a run's entry costs beyond its offsets, about
# A colon followed by a string, null or a list, except the record's own "type":"metrics" and
# the reserved "stage" (as the SDK and json.dumps write them: no space before the colon). Lines
# with no match hold numbers only; a line matched for another reason (an image record, a colon
# inside a text) is decoded and found to hold no such value. It starts with the colon so that the
# search skips from colon to colon (a lookbehind first would be tried at every byte: 10x slower).
_VALUE_PATTERN = re.compile(rb':(?:(?<!"stage":)\s*(?:"(?!metrics")|null\b|\[)|(?<!"type":)\s*"metrics")')
_KEPT_TYPES = frozenset({str, list, dict, type(None)})  # exactly: a subclass is no JSON value


class TextValues(FollowedEvents):
    """Where each key's non-number values are in one run's ``events.jsonl``. Thread-safe."""

    def _reset(self) -> None:
        self.offsets: dict[str, array] = {}  # key -> byte offsets of its lines, in file order
        self.malformed = 0

    @property
    def nbytes(self) -> int:
        """About the memory held: the offsets and the entry."""
        return _OFFSET_BYTES * sum(len(a) for a in self.offsets.values()) + _RUN_BYTES

    def _take_lines(self, lines: bytes) -> None:
        base = self._follower.offset  # moves past them after
        with gc_paused():  # the rows decoded hold no cycles
            for piece in cut_blocks(lines):  # a piece's rows stay in a core's cache
                self._take(piece, base)
                base += len(piece)

    def _take(self, data: bytes, base: int) -> None:
        """Note the metrics lines of ``data`` (whole lines starting at byte ``base``) holding a
        value that is not a number: the lines matched are decoded with one call, then one by one
        when a line among them is broken."""
        starts: list[int] = []
        spans: list[list[int]] = []  # runs of matched lines next to each other: [first byte, end]
        search = _VALUE_PATTERN.search
        at = 0
        while (match := search(data, at)) is not None:
            start = data.rfind(b"\n", 0, match.start()) + 1
            end = data.find(b"\n", match.end())
            if end < 0:
                end = len(data)
            at = end + 1
            starts.append(start)
            if spans and spans[-1][1] + 1 == start:
                spans[-1][1] = end
            else:
                spans.append([start, end])
        if not starts:
            return
        try:
            joined = b",".join(data[a:b] for a, b in spans).replace(b"\n", b",")
            records = orjson.loads(b"[" + joined + b"]")
        except orjson.JSONDecodeError:  # a broken line, or the bare NaN of the PyPI package
            records = None
        if not isinstance(records, list) or len(records) != len(starts):  # a line "1,2" joins as two
            records = [fmt.decode_event(_line_in(data, a)) for a in starts]
        reserved, offsets, kept, metrics = fmt.RESERVED_METRIC_KEYS, self.offsets, _KEPT_TYPES, fmt.METRICS
        for start, record in zip(starts, records, strict=True):
            start += base
            row = record.get("data") if type(record) is dict else None
            if type(row) is not dict:
                self.malformed += 1
                continue
            if record.get("type") != metrics:
                continue
            for key in [k for k, v in row.items() if type(v) in kept]:  # the stage too: skipped
                if key not in reserved:
                    column = offsets.get(key)
                    if column is None:
                        column = offsets[key] = array("q")
                    column.append(start)

    def keys(self) -> dict[str, int]:
        """Each key with such values and how many it has, keys sorted."""
        with self._lock:
            return {key: len(self.offsets[key]) for key in sorted(self.offsets)}

    def page(self, key: str, start: int | None, limit: int) -> dict[str, Any]:
        """Values ``start`` to ``start + limit`` of ``key`` in file order (None: the last
        ``limit``), each ``{"step", "value", "cut"}``; ``count`` is how many the key has."""
        with self._lock:
            offsets = self.offsets.get(key)
            count = len(offsets) if offsets is not None else 0
            first = max(0, count - limit) if start is None else min(max(0, start), count)
            picked = list(offsets[first : first + limit]) if offsets is not None else []
        rows = []
        try:
            with open_run_file(self.run_dir, fmt.EVENTS_FILE) as f:
                fd = f.fileno()
                for at in picked:
                    rows.append(_row(_line_at(fd, at), key))
        except OSError:
            rows = []
        return {"key": key, "count": count, "start": first, "rows": rows}


def _line_in(data: bytes, at: int) -> bytes:
    """The line of ``data`` starting at ``at``, without its newline."""
    end = data.find(b"\n", at)
    return data[at:] if end < 0 else data[at:end]


def _line_at(fd: int, at: int) -> bytes:
    """The line of the file starting at byte ``at``, without its newline."""
    data = os.pread(fd, _LINE_READ_BYTES, at)
    while b"\n" not in data:
        more = os.pread(fd, max(len(data), _LINE_READ_BYTES), at + len(data))
        if not more:
            break
        data += more
    end = data.find(b"\n")
    return data if end < 0 else data[:end]


def _row(line: bytes, key: str) -> dict[str, Any]:
    """One row of a page: the line's step and its value of ``key`` (cut when long)."""
    record = fmt.decode_event(line)
    data = record["data"] if record is not None else {}
    step = data.get(fmt.STEP_KEY)
    value = data.get(key)
    text = value if isinstance(value, str) else None
    if text is None and isinstance(value, (list, dict)):
        encoded = orjson.dumps(value)
        if len(encoded) > MAX_VALUE_CHARS:
            text = encoded.decode("utf-8", "replace")
    if text is not None and len(text) > MAX_VALUE_CHARS:
        return {"step": _step(step), "value": text[:MAX_VALUE_CHARS], "cut": True}
    return {"step": _step(step), "value": value, "cut": False}


def _step(step: Any) -> int | float | None:
    if isinstance(step, bool) or not isinstance(step, (int, float)):
        return None
    return step


class TextValuesCache:
    """The :class:`TextValues` of recently shown runs, at most ``max_bytes`` of offsets in all,
    least recently used dropped first. Thread-safe."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self._kept: SizedLRU[Path, TextValues] = SizedLRU(max_bytes)

    @property
    def max_bytes(self) -> int:
        return self._kept.max_bytes

    def get(self, run_dir: Path) -> TextValues:
        """The run's values, brought up to date with its events file."""
        run_dir = Path(run_dir)
        values = self._kept.get(run_dir)
        if values is None:
            values = TextValues(run_dir)
        values.update()
        self._kept.put(run_dir, values, values.nbytes)
        return values

    @property
    def nbytes(self) -> int:
        return self._kept.nbytes
