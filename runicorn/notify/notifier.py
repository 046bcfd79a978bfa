"""The one sender behind every channel: a bounded queue and a daemon thread that owns the
timeout, the bounded retry with backoff and each channel's rate limit.

``send`` never blocks and never raises: it only queues. What became of each message is told to
``on_result(channel_name, ok, detail, event)``, with the channel's own words on a refusal and
every credential masked (:func:`runicorn.notify.redact.redact`). ``close(timeout_s)`` delivers
what it can within ``timeout_s`` and reports the rest as not sent: once closing, a message is
tried again at once (its attempts left, no backoff), so that a failing service adds no retry
wait to the exit of a short command, and no attempt outlasts ``timeout_s``.
"""

from __future__ import annotations

import heapq
import itertools
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from runicorn.notify.channel import Channel, Outcome
from runicorn.notify.message import Message
from runicorn.notify.ratelimit import RateLimit
from runicorn.notify.redact import redact

OnResult = Callable[[str, bool, str, "str | None"], None]


@dataclass(order=True)
class _Job:
    due: float
    seq: int
    channel: Channel = field(compare=False)
    message: Message = field(compare=False)
    event: str | None = field(compare=False)
    attempt: int = field(default=1, compare=False)
    waiting_for: str = field(default="", compare=False)
    retrying: bool = field(default=False, compare=False)  # waiting out a backoff, not a rate limit


def _retries_now(pending: list[_Job], now: float) -> None:
    """Closing: the messages waiting out a retry backoff are tried again now (their attempts
    left, no more backoff), instead of holding the close (the exit of the command) for it."""
    changed = False
    for job in pending:
        if job.retrying and job.due > now:
            job.due = now
            changed = True
    if changed:
        heapq.heapify(pending)


class Notifier:
    """Sends messages to ``channels`` in the background.

    - ``timeout_s``: the longest one attempt may wait for a service's answer;
    - ``max_attempts``, ``retry_backoff_s``: a network error, a 5xx or a 429 is tried again after
      ``retry_backoff_s``, then twice that, ... up to ``max_attempts`` in all; a refusal is not;
    - each channel's ``rate_per_minute`` is kept by holding messages back, never by dropping them;
    - ``max_queue``: messages waiting past this are dropped and reported.
    """

    def __init__(
        self,
        channels: Iterable[Channel],
        *,
        on_result: OnResult | None = None,
        timeout_s: float = 10.0,
        max_attempts: int = 3,
        retry_backoff_s: float = 2.0,
        max_queue: int = 100,
    ) -> None:
        self.channels = list(channels)
        self.on_result = on_result
        self.timeout_s = timeout_s
        self.max_attempts = max(1, max_attempts)
        self.retry_backoff_s = retry_backoff_s
        self._limits = {
            id(ch): RateLimit(ch.rate_per_minute, 60.0) for ch in self.channels if ch.rate_per_minute
        }
        self._inbox: queue.Queue[_Job | None] = queue.Queue(maxsize=max_queue)
        self._seq = itertools.count()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._close_deadline: float | None = None

    # -- the caller's side: never blocks, never raises --------------------------------------

    def send(self, message: Message, event: str | None = "finish") -> None:
        """Queue ``message`` for every channel that takes ``event`` (None: every channel)."""
        try:
            for channel in self.channels:
                if not channel.accepts(event):
                    continue
                if self._close_deadline is not None:
                    self._report(channel, event, False, "not sent: the notifier is closed")
                    continue
                self._start()
                job = _Job(time.monotonic(), next(self._seq), channel, message, event)
                try:
                    self._inbox.put_nowait(job)
                except queue.Full:
                    self._report(channel, event, False, "not sent: too many notifications are waiting")
        except Exception:  # noqa: BLE001 - the training loop must never see a notification fail
            pass

    def close(self, timeout_s: float = 10.0) -> bool:
        """Deliver what can be delivered within ``timeout_s``; True when nothing was left over."""
        timeout_s = max(0.0, timeout_s)
        with self._lock:
            if self._close_deadline is None:
                # the last tenth of the time is for reporting what is left and stopping
                self._close_deadline = time.monotonic() + 0.9 * timeout_s
            thread = self._thread
        if thread is None:
            return True
        try:
            self._inbox.put_nowait(None)  # wake the thread; a full queue wakes it anyway
        except queue.Full:
            pass
        thread.join(timeout_s)
        return not thread.is_alive()

    def __enter__(self) -> Notifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the sending thread ---------------------------------------------------------------

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="runicorn-notify", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        pending: list[_Job] = []
        while True:
            now = time.monotonic()
            deadline = self._close_deadline
            if deadline is not None and self._inbox.empty():
                if not pending:
                    return
                if now >= deadline:
                    for job in pending:
                        why = job.waiting_for or "the notifier closed first"
                        self._report(job.channel, job.event, False, f"not sent before close: {why}")
                    return
                _retries_now(pending, now)
            wait_s = pending[0].due - now if pending else None
            if deadline is not None:
                wait_s = min(wait_s if wait_s is not None else deadline - now, deadline - now)
            try:
                queued = self._inbox.get(timeout=None if wait_s is None else max(0.0, wait_s))
                if queued is not None:
                    heapq.heappush(pending, queued)
                continue
            except queue.Empty:
                pass
            if pending and pending[0].due <= time.monotonic():
                self._attempt(heapq.heappop(pending), pending)

    def _attempt(self, job: _Job, pending: list[_Job]) -> None:
        limit = self._limits.get(id(job.channel))
        if limit is not None and not limit.try_acquire():
            job.due = time.monotonic() + limit.wait_s()
            job.waiting_for = f"{job.channel.name} takes at most {limit.max_count} messages a minute"
            heapq.heappush(pending, job)
            return
        timeout_s = self.timeout_s
        if self._close_deadline is not None:  # closing: no attempt outlasts the close
            timeout_s = max(0.1, min(timeout_s, self._close_deadline - time.monotonic()))
        try:
            outcome = job.channel.deliver(job.message, job.event, timeout_s)
        except Exception as exc:  # noqa: BLE001 - a channel bug is reported, not raised
            outcome = Outcome(False, f"{type(exc).__name__}: {exc}")
        if outcome.ok:
            self._report(job.channel, job.event, True, outcome.detail)
        elif outcome.retry and job.attempt < self.max_attempts:
            closing = self._close_deadline is not None  # no backoff: the close is waiting
            job.due = time.monotonic() + (0.0 if closing else self.retry_backoff_s * 2 ** (job.attempt - 1))
            job.attempt += 1
            job.waiting_for = f"retrying after: {outcome.detail}"
            job.retrying = True
            heapq.heappush(pending, job)
        else:
            tries = f" (after {job.attempt} attempts)" if job.attempt > 1 else ""
            self._report(job.channel, job.event, False, outcome.detail + tries)

    def _report(self, channel: Channel, event: str | None, ok: bool, detail: str) -> None:
        if self.on_result is None:
            return
        try:
            self.on_result(channel.name, ok, redact(detail, channel.secrets), event)
        except Exception:  # noqa: BLE001 - a failing callback must not stop the sender
            pass
