"""A run's metric history as columns in memory, filled incrementally from ``events.jsonl``.

:class:`RunSeries` reads the events file from the byte offset where it stopped last time (its
:class:`~runicorn.store.follower.Follower` says whether the file grew, or was replaced or cut and
is read again from the start), decodes whole lines a block at a
time (:mod:`runicorn.codec.blocks`) and appends them to two
:class:`~runicorn.store.metrics.columns.ColumnSet` (metrics records, and ``system`` records: CPU/GPU
samples); ``image`` records are kept as a list. A truncated last line waits until it is
complete. A large unread part (a cold read of a long run) is decoded by worker processes in
parallel when a :class:`~runicorn.store.metrics.decode_pool.DecodePool` is given, and taken from
and kept in the viewer's decoded cache when a
:class:`~runicorn.store.metrics.jsonl_decoder.JsonlDecoder` is given; the columns are the same
either way.

Queries (:meth:`RunSeries.metrics`) return each key downsampled on its own
(:mod:`runicorn.store.metrics.downsample`), stage spans for drawing separators, and the byte ``offset`` to
pass back as ``since`` to get only what was appended. Rows are not tied to byte offsets one by
one: the row counts are kept at each block's end (where every offset handed out lies), and a
``since`` between two of them (an offset from another process) is placed by decoding that
stretch again.
"""

from __future__ import annotations

import io
import math
import threading
from array import array
from bisect import bisect_right
from operator import attrgetter
from pathlib import Path
from typing import Any, BinaryIO

from runicorn import format as fmt
from runicorn.codec.blocks import Block, cut_blocks, decode_block, gc_paused
from runicorn.codec.checksum import crc32
from runicorn.codec.frames import frame_refs, read_frame
from runicorn.errors import BadArgument
from runicorn.files import open_run_file
from runicorn.store.follower import Follower, Look, open_with_size
from runicorn.store.metrics.columns import X_MODES, Column, ColumnSet
from runicorn.store.metrics.decode_pool import DecodePool
from runicorn.store.metrics.downsample import keep_indexes
from runicorn.store.metrics.jsonl_decoder import JsonlDecoder

READ_CHUNK_BYTES = 8 * 1024 * 1024
# An unread part this large is first looked up in events.columns (smaller ones decode as fast).
FRAMES_MIN_BYTES = 1024 * 1024
PICKS_KEPT = 64  # downsampled index lists kept per run until it grows (16 KB each at most)


class RunSeries:
    """The metric, system and image history of one run folder, read incrementally. Thread-safe."""

    def __init__(
        self, run_dir: Path, pool: DecodePool | None = None, decoder: JsonlDecoder | None = None
    ) -> None:
        self.run_dir = Path(run_dir)
        self.events_path = self.run_dir / fmt.EVENTS_FILE
        self.pool = pool
        self.decoder = decoder  # the decoded cache's reads and writes for long stretches, if any
        self._lock = threading.RLock()
        self._follower = Follower()
        self._reset()

    @property
    def offset(self) -> int:
        """Bytes of events.jsonl consumed (complete lines only)."""
        return self._follower.offset

    def _reset(self) -> None:
        self.metric_rows = ColumnSet()
        self.system_rows = ColumnSet()
        self.images: list[dict[str, Any]] = []
        self.malformed = 0  # lines skipped as not a valid record
        # Row counts (metrics, system) at the end of each block read: offsets ascending.
        self._mark_offsets = array("q", [0])
        self._mark_metric_rows = array("q", [0])
        self._mark_system_rows = array("q", [0])
        self._results: dict[tuple[Any, ...], dict[str, Any]] = {}
        # downsampled indexes of what is read now, by (system, key, first, length, max_points)
        self._picks: dict[tuple[Any, ...], array] = {}

    # --- reading -------------------------------------------------------------------------------
    def update(self) -> bool:
        """Read what was appended since the last call; True when anything changed."""
        with self._lock:
            look = self._follower.look_at(self.run_dir, fmt.EVENTS_FILE)
            if look in (Look.RESTARTED, Look.GONE):
                self._reset()  # replaced, truncated or removed: read again from the start
            if look in (Look.SAME, Look.GONE):
                return look is Look.GONE
            before = self.offset
            try:
                self._read_from_offset()
            except BaseException:
                self._follower.interrupted()  # cut short (the viewer stopping): the next call reads on
                self._forget_answers()
                raise
            if self.offset != before or before == 0:
                self._forget_answers()
            return self.offset != before

    def _forget_answers(self) -> None:
        """The rows changed: cached answers and downsampled indexes no longer hold."""
        self._results.clear()
        self._picks.clear()

    # An unread part this large is first looked up in events.columns (a subclass may look sooner).
    frames_min_bytes = FRAMES_MIN_BYTES

    def _read_from_offset(self) -> None:
        opened = open_with_size(self.run_dir, fmt.EVENTS_FILE)
        if opened is None:
            return
        f, size = opened
        with f:
            if size - self.offset >= self.frames_min_bytes:
                self._read_frames(f, size)
            self._decode_to(f, size)

    def _read_frames(self, f: io.BufferedReader, size: int) -> None:
        """Take the blocks ``events.columns`` holds for the unread bytes (each checked against
        the bytes it stands for); the stretches no valid frame covers are decoded."""
        try:
            frames_file = open_run_file(self.run_dir, fmt.COLUMNS_FILE)
        except OSError:
            return
        buffer = bytearray()
        with frames_file:
            for ref in sorted(frame_refs(frames_file), key=attrgetter("start")):
                if ref.start < self.offset:
                    continue
                if ref.end > size:
                    break
                if ref.start > self.offset:
                    self._decode_to(f, ref.start)
                if ref.start != self.offset:
                    continue  # the stretch before it did not end where the frame begins
                if _crc_of(f, ref.start, ref.end - ref.start, buffer) != ref.events_crc:
                    continue  # events.jsonl changed under it: decoded from the file instead
                block = read_frame(frames_file, ref)
                if block is not None:
                    self._apply(block)

    def _decode_to(self, f: BinaryIO, end: int) -> None:
        """Decode the whole lines from the read offset up to byte ``end``."""
        if self.decoder is not None and end - self.offset >= self.decoder.min_bytes:
            for blocks in self.decoder.batches(f, self.offset, end, self.pool):
                self._apply_batch(blocks)
        elif self.pool is not None and end - self.offset >= self.pool.min_bytes:
            for blocks in self.pool.decode_batches(f, self.offset, end):
                self._apply_batch(blocks)
        f.seek(self.offset)
        left = end - self.offset
        carry = b""
        while left > 0:
            chunk = f.read(min(READ_CHUNK_BYTES, left))
            if not chunk:
                break
            left -= len(chunk)
            data = carry + chunk if carry else chunk
            cut = data.rfind(b"\n") + 1
            carry = data[cut:]
            for piece in cut_blocks(data[:cut] if cut < len(data) else data):
                with gc_paused():
                    block = decode_block(piece)
                self._apply(block)

    def _apply_batch(self, blocks: list[Block]) -> None:
        """The same as :meth:`_apply` of each block in turn, with each column's array grown once
        (see :meth:`ColumnSet.extend_many`)."""
        metrics = [b.metrics for b in blocks if b.metrics is not None]
        system = [b.system for b in blocks if b.system is not None]
        metric_rows, system_rows = len(self.metric_rows), len(self.system_rows)
        if metrics:
            self.metric_rows.extend_many(metrics)
        if system:
            self.system_rows.extend_many(system)
        for block in blocks:
            self.images.extend(block.images)
            self.malformed += block.malformed
            self._follower.offset += block.nbytes
            metric_rows += block.metrics.count if block.metrics is not None else 0
            system_rows += block.system.count if block.system is not None else 0
            self._mark_offsets.append(self.offset)
            self._mark_metric_rows.append(metric_rows)
            self._mark_system_rows.append(system_rows)

    def _apply(self, block: Block) -> None:
        if block.metrics is not None:
            self.metric_rows.extend(block.metrics)
        if block.system is not None:
            self.system_rows.extend(block.system)
        self.images.extend(block.images)
        self.malformed += block.malformed
        self._follower.offset += block.nbytes
        self._mark_offsets.append(self.offset)
        self._mark_metric_rows.append(len(self.metric_rows))
        self._mark_system_rows.append(len(self.system_rows))

    def _rows_before(self, offset: int, system: bool) -> int:
        """How many rows (of the kind) come from lines ending at or before byte ``offset``."""
        i = bisect_right(self._mark_offsets, offset) - 1
        marks = self._mark_system_rows if system else self._mark_metric_rows
        rows = marks[i]
        start = self._mark_offsets[i]
        if start == offset:
            return rows
        try:  # an offset inside a block (from another process): count the lines up to it
            with open_run_file(self.run_dir, fmt.EVENTS_FILE) as f:
                f.seek(start)
                data = f.read(offset - start)
        except OSError:
            return rows
        block = decode_block(data[: data.rfind(b"\n") + 1])
        part = block.system if system else block.metrics
        return rows + (part.count if part is not None else 0)

    # --- queries -------------------------------------------------------------------------------
    def metric_keys(self) -> list[str]:
        with self._lock:
            return sorted(self.metric_rows.columns)

    def system_keys(self) -> list[str]:
        with self._lock:
            return sorted(self.system_rows.columns)

    def points(self, key: str, x: str = "step") -> tuple[list[float], list[float]]:
        """Every value of metric ``key`` with its x (``step``, ``time``, ``elapsed`` or another
        metric key, as in :meth:`metrics`), not downsampled; points without an x are left out.
        Empty lists when the run has no such metric."""
        with self._lock:
            cols = self.metric_rows
            col = cols.columns.get(key)
            if col is None or (x not in X_MODES and x not in cols.columns):
                return [], []
            xs, x0 = cols.x_values(x)
            row_of = col.row_of
            pairs = [(xs[row_of(i)] - x0, v) for i, v in enumerate(col.values)]
        kept = [(a, b) for a, b in pairs if not math.isnan(a)]
        return [a for a, _ in kept], [b for _, b in kept]

    def metrics(
        self,
        keys: list[str] | None = None,
        x: str = "step",
        max_points: int = 2000,
        since: int | None = None,
        system: bool = False,
    ) -> dict[str, Any]:
        """Downsampled series per key, stage spans, and ``offset`` for the next ``since``.

        ``keys`` None means all keys. ``since`` (a byte offset from an earlier answer) limits the
        answer to rows appended after it; a ``since`` past the end of the file (the file was
        replaced) answers everything with ``restarted: true``. ``system`` answers the system
        samples (x is then time or elapsed; step counts samples). Raises BadArgument for a bad
        ``x`` or ``max_points``.
        """
        if x not in X_MODES and (system or x not in self.metric_rows.columns):
            raise BadArgument(f"unknown x {x!r}: use one of {', '.join(X_MODES)} or a metric key of the run")
        if max_points < 1:
            raise BadArgument("max_points must be at least 1")
        with self._lock:
            cache_key = (tuple(keys) if keys is not None else None, x, max_points, since, system)
            cached = self._results.get(cache_key)
            if cached is not None:
                return cached
            result = self._compute(keys, x, max_points, since, system)
            if len(self._results) >= 32:
                self._results.pop(next(iter(self._results)))
            self._results[cache_key] = result
            return result

    def _picks_of(self, col: Column, key: str, first: int, max_points: int, system: bool) -> array:
        """The indexes downsampling keeps of a column's values from ``first`` on. They depend on
        the values alone, not on the x axis: switching step / time / elapsed reuses them."""
        picks_key = (system, key, first, len(col.values), max_points)
        picks = self._picks.get(picks_key)
        if picks is None:
            if len(self._picks) >= PICKS_KEPT:
                self._picks.pop(next(iter(self._picks)))
            picks = self._picks[picks_key] = array("q", _picks(col, first, max_points))
        return picks

    def _compute(
        self, keys: list[str] | None, x: str, max_points: int, since: int | None, system: bool
    ) -> dict[str, Any]:
        cols = self.system_rows if system else self.metric_rows
        restarted = since is not None and (since > self.offset or since < 0)
        start_row = 0 if since is None or restarted else self._rows_before(since, system)
        xs, x0 = cols.x_values(x)
        wanted = sorted(cols.columns) if keys is None else list(keys)
        series: dict[str, Any] = {}
        for key in wanted:
            col = cols.columns.get(key)
            if col is None:
                series[key] = {"x": [], "y": [], "count": 0, "downsampled": False}
                continue
            first = col.index_of_row(start_row)
            picks = self._picks_of(col, key, first, max_points, system)
            row_of, values = col.row_of, col.values
            if x in X_MODES:
                series[key] = {
                    "x": [xs[row_of(first + i)] - x0 for i in picks],
                    "y": [_finite_or_none(values[first + i]) for i in picks],
                    "count": len(values) - first,
                    "downsampled": len(picks) < len(values) - first,
                }
            else:  # x is a metric: points before its first value have no x and are left out
                kept = [i for i in picks if not math.isnan(xs[row_of(first + i)])]
                series[key] = {
                    "x": [xs[row_of(first + i)] for i in kept],
                    "y": [_finite_or_none(values[first + i]) for i in kept],
                    "count": len(values) - first,
                    "downsampled": len(picks) < len(values) - first,
                }
        stages = [
            {"stage": s.stage, "x_start": xs[s.first_row] - x0, "x_end": xs[s.last_row] - x0}
            for s in cols.stage_spans
            if s.last_row >= start_row and not math.isnan(xs[s.first_row]) and not math.isnan(xs[s.last_row])
        ]
        return {
            "x": x,
            "keys": sorted(cols.columns),
            "series": series,
            "stages": stages,
            "rows": len(cols) - start_row,
            "since": since,
            "offset": self.offset,
            "restarted": restarted,
            "malformed": self.malformed,
        }


def _picks(col: Column, first: int, max_points: int) -> list[int]:
    values = col.values[first:] if first else col.values
    nonfinite = [i - first for i in col.nonfinite if i >= first] if col.nonfinite else []
    return keep_indexes(values, max_points, nonfinite)


def _crc_of(f: io.BufferedReader, start: int, size: int, buffer: bytearray) -> int:
    """CRC-32 of ``size`` bytes of ``f`` from ``start``, read into a buffer that is reused."""
    if len(buffer) < size:
        buffer.extend(bytes(size - len(buffer)))
    view = memoryview(buffer)[:size]
    f.seek(start)
    got = f.readinto(view)
    return crc32(view[:got])


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None
