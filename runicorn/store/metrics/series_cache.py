"""Keeps the :class:`~runicorn.store.metrics.series.RunSeries` of recently viewed runs in memory.

A bounded LRU keyed by run folder: a viewed run's columns stay warm (a live chart polls with
``since=`` and only the appended bytes are read), runs nobody looks at are dropped so memory
stays bounded at 10,000 runs. A :class:`~runicorn.store.metrics.decode_pool.DecodePool`, when given,
is shared by all the runs.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from runicorn.store.metrics.decode_pool import DecodePool
from runicorn.store.metrics.series import RunSeries


class SeriesCache:
    """At most ``max_runs`` RunSeries, least recently used dropped first. Thread-safe."""

    def __init__(self, max_runs: int = 64, pool: DecodePool | None = None) -> None:
        self.max_runs = max_runs
        self.pool = pool  # decodes the cold read of a long run in parallel (None: in the caller)
        self._lock = threading.Lock()
        self._series: OrderedDict[Path, RunSeries] = OrderedDict()

    def get(self, run_dir: Path) -> RunSeries:
        """The run's series, brought up to date with its events file."""
        run_dir = Path(run_dir)
        with self._lock:
            series = self._series.get(run_dir)
            if series is None:
                series = self._series[run_dir] = RunSeries(run_dir, self.pool)
                while len(self._series) > self.max_runs:
                    self._series.popitem(last=False)
            else:
                self._series.move_to_end(run_dir)
        series.update()
        return series

    def __len__(self) -> int:
        return len(self._series)
