"""The server's clock, as far as the mirror can tell: a lower bound learned from the mtimes it lists.

SFTP mtimes are whole seconds, so a file rewritten twice within one second with the same size looks
unchanged the second time. The mirror applies the "racy timestamp" rule: a copy is *settled* only
when it was read at a server time at least one second past the file's mtime; an unsettled copy is
fetched again on the next cycle. The rule needs the server's time, not the local one (the two
clocks may differ by minutes), and SFTP has no call that tells it. But every mtime the server
reports is at most its time when it answered, so ``mtime - local_time_after_the_answer`` bounds the
clock offset from below; the largest such value seen gives a server time that is never ahead of
the real one. Erring low only costs an extra fetch of a small file.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable


class ServerClock:
    """A lower bound on the server's current time (``now``), learned from mtimes (``saw``)."""

    def __init__(self, local_now: Callable[[], float] = time.monotonic) -> None:
        self._local_now = local_now
        self._offset: float | None = None

    def saw(self, mtimes: Iterable[int | None]) -> None:
        """Learn from mtimes the server has just reported (call right after its answer)."""
        newest = max((m for m in mtimes if m is not None), default=None)
        if newest is None:
            return
        offset = newest - self._local_now()
        if self._offset is None or offset > self._offset:
            self._offset = offset

    def now(self) -> float:
        """The server time is at least this; ``-inf`` before any mtime was seen."""
        if self._offset is None:
            return float("-inf")
        return self._local_now() + self._offset

    @staticmethod
    def settled(mtime: int | None, read_at: float) -> bool:
        """Whether a copy read at server time ``read_at`` (a ``now()`` taken before the read) can
        miss no later write: a write that keeps ``mtime`` happens before ``mtime + 1``."""
        return mtime is not None and mtime + 1 <= read_at
