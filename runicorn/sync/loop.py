"""A background loop of sync cycles (``sync --watch``, the bucket viewer, ``runicorn run``).

Each cycle runs ``step``; a store error is kept as ``last_error`` and retried with backoff (1 s
doubling to 30 s), so a network cut or a restarted store only delays the next cycle: the uploader
and the materialiser both resume from what the bucket and the local folder hold.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from runicorn.sync.bucket import BucketError

MAX_BACKOFF_S = 30.0


class SyncLoop:
    def __init__(self, step: Callable[[], Any], interval_s: float, name: str) -> None:
        self.step = step
        self.interval_s = interval_s
        self.name = name
        self.cycles = 0
        self.last_error: BucketError | None = None
        self.last_result: Any = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run(self, on_cycle: Callable[[SyncLoop], None] | None = None) -> None:
        backoff = 1.0
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self.last_result = self.step()
                self.last_error = None
                backoff = 1.0
                wait = max(0.0, self.interval_s - (time.monotonic() - started))
            except BucketError as err:
                self.last_error = err
                wait, backoff = backoff, min(backoff * 2, MAX_BACKOFF_S)
            self.cycles += 1
            if on_cycle is not None:
                on_cycle(self)
            self._stop.wait(wait)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
