"""Keeps the :class:`~runicorn.store.metrics.key_series.KeySeries` of recently charted keys, and
reads one key of many runs at once: :class:`KeySeriesCache`.

A chart of one metric over many runs (grouped metrics, compare) is asked for again: another
band or grouping, the compare page polling a live run. The cache keeps each run's series of the
keys asked, so the next answer reads only what was appended. It is bounded by the memory the
series hold (their arrays and objects: :data:`MAX_BYTES` in all), least recently used dropped
first: a few long runs, or thousands of short ones.

:meth:`KeySeriesCache.read_many` reads many runs at once in a few threads (reading and the CRC
checks let other threads run meanwhile), each thread with one read buffer, all sharing the
cache's :class:`~runicorn.codec.frame_keys.ColumnLayouts`, and hands each run's series to a
function as soon as it is read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from runicorn.codec.checksum import FAST
from runicorn.codec.frame_keys import ColumnLayouts, ReadBuffer
from runicorn.store.lru import SizedLRU
from runicorn.store.metrics.decode_pool import DecodePool
from runicorn.store.metrics.key_series import KeySeries
from runicorn.store.metrics.series import RunSeries

__all__ = ["KeySeriesCache", "MAX_BYTES", "READ_THREADS"]

MAX_BYTES = 128 * 1024 * 1024
# Threads reading runs at once: with zlib's CRC about half the work lets other threads run, and
# four threads shorten a read on two cores by about a tenth (at a third more CPU); with ISA-L's
# the checks take little, the rest holds the interpreter lock, and threads only slow it down.
READ_THREADS = 1 if FAST else 4
T = TypeVar("T")
_Key = tuple[Path, frozenset[str]]


class KeySeriesCache:
    """KeySeries by (run folder, keys), holding at most ``max_bytes`` in all. Thread-safe."""

    def __init__(self, max_bytes: int = MAX_BYTES, pool: DecodePool | None = None) -> None:
        self.pool = pool  # decodes a long unframed stretch in parallel (None: in the caller)
        self.layouts = ColumnLayouts()
        self._kept: SizedLRU[_Key, KeySeries] = SizedLRU(max_bytes)

    @property
    def max_bytes(self) -> int:
        return self._kept.max_bytes

    def get(self, run_dir: Path, keys: Collection[str], buffer: ReadBuffer | None = None) -> KeySeries:
        """The run's series of ``keys``, brought up to date (reading into ``buffer``)."""
        key = (Path(run_dir), frozenset(keys))
        series = self._kept.get(key)
        if series is None:
            series = KeySeries(key[0], key[1], self.layouts, self.pool)
        series.update_with(buffer or ReadBuffer())
        self._kept.put(key, series, series.nbytes)
        return series

    @property
    def nbytes(self) -> int:
        """The memory the kept series hold, about."""
        return self._kept.nbytes

    def __len__(self) -> int:
        return len(self._kept)

    def read_many(
        self,
        run_dirs: Sequence[Path],
        keys: Collection[str],
        use: Callable[[RunSeries], T],
        full: Callable[[Path], RunSeries | None] = lambda _: None,
        threads: int = READ_THREADS,
    ) -> list[T]:
        """``use(series)`` of each run folder in order, where ``series`` is the run's full series
        when ``full`` has it (brought up to date), else its series of ``keys`` from this cache."""
        local = threading.local()  # a read buffer per thread, for this call

        def one(run_dir: Path) -> T:
            series = full(run_dir)
            if series is None:
                buffer = getattr(local, "buffer", None)
                if buffer is None:
                    buffer = local.buffer = ReadBuffer()
                series = self.get(run_dir, keys, buffer)
            return use(series)

        if threads <= 1 or len(run_dirs) <= 1:
            return [one(d) for d in run_dirs]
        with ThreadPoolExecutor(min(threads, len(run_dirs)), thread_name_prefix="runicorn-keys") as pool:
            return list(pool.map(one, run_dirs))
