"""The server's clock, as far as the mirror can tell: a lower bound learned from the mtimes it lists.

SFTP mtimes are whole seconds, so a file rewritten twice within one second with the same size looks
unchanged the second time, and so does a folder changed twice. The mirror applies the "racy
timestamp" rule: what it read is *settled* only when it was read at a server time at least one
second past the mtime it saw; until then it reads it again on later cycles. The rule needs the
server's time, not the local one (the two clocks may differ by minutes), and SFTP has no call that
tells it. But every mtime the server reports is at most its time when it answered, so
``mtime - local_time_after_the_answer`` bounds the clock offset from below; the largest such value
seen so far gives a server time never ahead of the real one. Erring low only costs an extra read.

Reads are stamped with the local (monotonic) time they started at and judged later, with the
best offset known by then: the first listings of a mirror, made before the clock has seen a recent
mtime, are judged by what the rest of the first cycle taught it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable


class ServerClock:
    """Learns a lower bound on the server's clock (``saw``) and judges reads with it (``settled``)."""

    def __init__(self, local_now: Callable[[], float] = time.monotonic) -> None:
        self.local_now = local_now
        self._offset: float | None = None  # server time - local time is at least this

    def saw(self, mtimes: Iterable[int | None]) -> None:
        """Learn from mtimes the server has just reported (call right after its answer)."""
        newest = max((m for m in mtimes if m is not None), default=None)
        if newest is None:
            return
        offset = newest - self.local_now()
        if self._offset is None or offset > self._offset:
            self._offset = offset

    def settled(self, mtime: int | None, read_at: float) -> bool:
        """Whether a read that started at local time ``read_at`` and saw ``mtime`` can have missed
        no later change: a change that keeps ``mtime`` happens before the server time ``mtime + 1``.
        (A server that reports no mtime leaves nothing to wait for.)"""
        if mtime is None:
            return True
        return self._offset is not None and mtime + 1 <= read_at + self._offset
