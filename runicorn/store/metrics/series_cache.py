"""Keeps the :class:`~runicorn.store.metrics.series.RunSeries` of recently viewed runs in memory.

A bounded LRU keyed by run folder: a viewed run's columns stay warm (a live chart polls with
``since=`` and only the appended bytes are read), runs nobody looks at are dropped so memory
stays bounded at 10,000 runs. A :class:`~runicorn.store.metrics.decode_pool.DecodePool`, when given,
and a :class:`~runicorn.store.metrics.jsonl_decoder.JsonlDecoder`, when given, are shared by all the runs.
"""

from __future__ import annotations

from pathlib import Path

from runicorn.store.lru import LRU
from runicorn.store.metrics.decode_pool import DecodePool
from runicorn.store.metrics.jsonl_decoder import JsonlDecoder
from runicorn.store.metrics.series import RunSeries


class SeriesCache:
    """At most ``max_runs`` RunSeries, least recently used dropped first. Thread-safe."""

    def __init__(
        self, max_runs: int = 64, pool: DecodePool | None = None, decoder: JsonlDecoder | None = None
    ) -> None:
        self.max_runs = max_runs
        self.pool = pool  # decodes the cold read of a long run in parallel (None: in the caller)
        self.decoder = decoder  # keeps long stretches decoded for the next start (None: nothing kept)
        self._series: LRU[Path, RunSeries] = LRU(max_runs)

    def get(self, run_dir: Path) -> RunSeries:
        """The run's series, brought up to date with its events file."""
        run_dir = Path(run_dir)
        series = self._series.get_or_add(run_dir, lambda: RunSeries(run_dir, self.pool, self.decoder))
        series.update()
        return series

    def peek(self, run_dir: Path) -> RunSeries | None:
        """The run's series when it is kept (brought up to date), else None: nothing is read for a
        run not kept (a chart of one key over many runs reads that key alone)."""
        series = self._series.get(Path(run_dir))
        if series is not None:
            series.update()
        return series

    def __len__(self) -> int:
        return len(self._series)
