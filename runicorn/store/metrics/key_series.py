"""A few metric keys of a run, and one key of many runs: :class:`KeySeries`, :func:`read_key_series`.

A chart of one metric over hundreds of runs (compare, grouped metrics) needs that metric's column
of each run, not the run's every column. :class:`KeySeries` is a
:class:`~runicorn.store.metrics.series.RunSeries` that keeps only some metric keys (with the
steps, times and stages of every row, so its answers for those keys are the full series' own):
it takes them out of ``events.columns`` without decoding the other columns
(:func:`~runicorn.codec.frame_keys.key_frames`), each frame used only when the ``events.jsonl``
bytes it stands for still have the CRC-32 it names, as the full read checks it; the stretches no
valid frame covers are decoded from ``events.jsonl`` and the other keys dropped.

:func:`read_key_series` reads many runs at once in a few threads (reading and the CRC checks let
other threads run meanwhile), sharing one :class:`~runicorn.codec.frame_keys.ColumnLayouts`, and
hands each run's series to a function as soon as it is read; nothing of a run is kept after it.
"""

from __future__ import annotations

import io
import threading
import zlib
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from runicorn import format as fmt
from runicorn.codec.blocks import Block
from runicorn.codec.frame_keys import ColumnLayouts, ReadBuffer, key_frames
from runicorn.files import open_run_file
from runicorn.store.metrics.series import RunSeries

__all__ = ["KeySeries", "read_key_series", "READ_THREADS"]

READ_THREADS = 4
T = TypeVar("T")


class KeySeries(RunSeries):
    """The history of metric ``keys`` of one run folder (no system samples, no images)."""

    frames_min_bytes = 0  # taking one key from the frames beats decoding any JSON

    def __init__(
        self,
        run_dir: Path,
        keys: Collection[str],
        layouts: ColumnLayouts | None = None,
        buffer: ReadBuffer | None = None,
    ) -> None:
        self.keys = frozenset(keys)
        self.layouts = layouts or ColumnLayouts()
        self._buffer = buffer  # for the reads of one thread (None: a buffer per read)
        super().__init__(run_dir)

    def _reset(self) -> None:
        super()._reset()
        self._frames_at = 0  # where in events.columns the frames not used yet begin

    def _read_frames(self, f: io.BufferedReader, size: int) -> None:
        try:
            frames_file = open_run_file(self.run_dir, fmt.COLUMNS_FILE)
        except OSError:
            return
        buffer = self._buffer or ReadBuffer()
        with frames_file:
            for ref, block in key_frames(frames_file, self.keys, self.layouts, self._frames_at, buffer):
                if ref.start < self.offset:
                    self._frames_at = ref.position + ref.size
                    continue
                if ref.end > size:
                    break
                if ref.start > self.offset:
                    self._decode_to(f, ref.start)
                if ref.start != self.offset or block is None:
                    continue  # not where the read stands, or a frame that failed its checks
                if zlib.crc32(buffer.read(f.fileno(), ref.start, ref.end - ref.start)) != ref.events_crc:
                    continue  # events.jsonl changed under it: decoded from the file instead
                self._apply(block)
                self._frames_at = ref.position + ref.size

    def _apply(self, block: Block) -> None:
        metrics = block.metrics
        if metrics is not None and not metrics.columns.keys() <= self.keys:
            columns = {k: v for k, v in metrics.columns.items() if k in self.keys}
            nonfinite = {k: v for k, v in metrics.nonfinite.items() if k in self.keys}
            metrics = replace(metrics, columns=columns, nonfinite=nonfinite)
        super()._apply(Block(block.nbytes, metrics=metrics, malformed=block.malformed))


def read_key_series(
    run_dirs: Sequence[Path],
    keys: Collection[str],
    use: Callable[[RunSeries], T],
    cached: Callable[[Path], RunSeries | None] = lambda _: None,
    threads: int = READ_THREADS,
) -> list[T]:
    """``use(series)`` of each run folder in order, where ``series`` is the run's full series when
    ``cached`` has it (brought up to date), else a :class:`KeySeries` of ``keys`` read for the call."""
    layouts = ColumnLayouts()
    local = threading.local()  # a read buffer per thread, for this call

    def one(run_dir: Path) -> T:
        series = cached(run_dir)
        if series is None:
            buffer = getattr(local, "buffer", None)
            if buffer is None:
                buffer = local.buffer = ReadBuffer()
            series = KeySeries(run_dir, keys, layouts, buffer)
            series.update()
        return use(series)

    if threads <= 1 or len(run_dirs) <= 1:
        return [one(d) for d in run_dirs]
    with ThreadPoolExecutor(min(threads, len(run_dirs)), thread_name_prefix="runicorn-keys") as pool:
        return list(pool.map(one, run_dirs))
