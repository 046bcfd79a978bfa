"""A sliding-window rate limit (DingTalk: 20 messages a minute per robot), pure: the clock is
passed in, so a test walks a minute without waiting one."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class RateLimit:
    """At most ``max_count`` sends in any ``window_s`` seconds."""

    def __init__(
        self, max_count: int, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_count < 1:
            raise ValueError("max_count must be at least 1")
        self.max_count = max_count
        self.window_s = window_s
        self._clock = clock
        self._sent: deque[float] = deque()

    def wait_s(self) -> float:
        """Seconds until one more send is allowed (0.0: now)."""
        now = self._clock()
        while self._sent and self._sent[0] <= now - self.window_s:
            self._sent.popleft()
        if len(self._sent) < self.max_count:
            return 0.0
        return self._sent[0] + self.window_s - now

    def try_acquire(self) -> bool:
        """Take one send if allowed now; False (nothing taken) when the window is full."""
        if self.wait_s() > 0:
            return False
        self._sent.append(self._clock())
        return True
