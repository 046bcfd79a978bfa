"""The sender of a process forked from a run's process (runicorn/sdk/forked.py): each line goes
down the child's pipe when it is logged, from the calling thread, never blocking it.

The pipe is non-blocking: when the run's process does not read (it is stopped), the child keeps
what it could not send (up to the run's ``max_pending_bytes``), sends it with its next line or
when it ends, and warns once about anything it could not send. Each line starts with one byte
saying what it is: an ``events.jsonl`` or ``logs.txt`` line (as from a guest of ``runicorn run``,
runicorn/format/), or summary or config keys the child set (:data:`SUMMARY_LINE`,
:data:`CONFIG_LINE`).
"""

from __future__ import annotations

import logging
import os
import select
import sys
import threading
import time
from collections import deque
from collections.abc import Mapping
from typing import Any

from runicorn import format as fmt
from runicorn.sdk.guest_pipe import GUEST_EVENT_LINE, GUEST_LOG_LINE
from runicorn.sdk.media import MediaSnapshot, MediaWriter

log = logging.getLogger("runicorn")

SUMMARY_LINE = b"s"  # the rest: a JSON object of summary keys a child set
CONFIG_LINE = b"c"  # the rest: a JSON object of config keys a child set
END_WAIT_S = 5.0  # how long a child that ends waits for the run's process to take its last lines


class SentAtOnce(deque[bytes]):
    """Stands in for a queue of the run's lines in a forked child: ``append`` sends the line."""

    def __init__(self, lines: ChildLines, kind: bytes) -> None:
        super().__init__()
        self._lines = lines
        self._kind = kind

    def append(self, line: bytes) -> None:
        self._lines.send(self._kind + line)


class ChildLines:
    """In a forked child: the run's lines, written down this process's pipe as they come. Stands
    in for the run's writer (``queue``, ``flush``, ``close``, ``lost_lines``)."""

    def __init__(self, fd: int | None, max_pending_bytes: int, run_id: str, why_not: str = "") -> None:
        self.fd = fd
        self.lost_lines = 0
        self.events = SentAtOnce(self, GUEST_EVENT_LINE)
        self.logs = SentAtOnce(self, GUEST_LOG_LINE)
        self._run_id = run_id
        self._max_pending_bytes = max_pending_bytes
        self._backlog: deque[bytes] = deque()
        self._backlog_bytes = 0
        self._lock = threading.Lock()
        self._broken = why_not if fd is None else ""
        self._warned = False
        self._end_hooked = False
        if fd is not None:
            try:
                os.set_blocking(fd, False)
            except OSError as exc:
                self._broken = f"its pipe is closed ({exc.strerror or exc})"

    def queue(self, key: str) -> deque[bytes]:
        return self.events if key == fmt.EVENTS_FILE else self.logs

    def send(self, line: bytes) -> None:
        """Write ``line`` (its kind byte first, newline last) down the pipe now; never blocks."""
        with self._lock:
            if self._broken:
                self._lose(1)
                return
            self._backlog.append(line)
            self._backlog_bytes += len(line)
            self._write_backlog()
            if self._backlog:
                self._trim_backlog()
                self._flush_at_end()

    def flush(self) -> bool:
        with self._lock:
            self._write_backlog()
            return not self._backlog

    def close(self, timeout_s: float = END_WAIT_S) -> bool:
        """Send what is left, waiting at most ``timeout_s`` for the run's process to take it."""
        with self._lock:
            deadline = time.monotonic() + timeout_s
            while self._backlog and not self._broken and self.fd is not None:
                self._write_backlog()
                left = deadline - time.monotonic()
                if not self._backlog or left <= 0:
                    break
                poller = select.poll()
                poller.register(self.fd, select.POLLOUT)
                poller.poll(min(left, 0.1) * 1000)
            if self._backlog:
                lost = len(self._backlog)
                self._backlog.clear()
                self._backlog_bytes = 0
                self._broken = self._broken or f"the run's process did not read them within {timeout_s:.0f} s"
                self._lose(lost)
            return not self.lost_lines

    def _write_backlog(self) -> None:
        backlog = self._backlog
        while backlog and not self._broken:
            head = backlog[0]
            try:
                written = os.write(self.fd, head)  # type: ignore[arg-type]
            except BlockingIOError:
                return  # the pipe is full: the run's process reads it soon
            except OSError as exc:  # EPIPE: the run finished, or its process is gone
                self._broken = f"the run's process no longer reads them ({exc.strerror or exc})"
                self._lose(len(backlog))
                backlog.clear()
                self._backlog_bytes = 0
                return
            self._backlog_bytes -= written
            if written < len(head):
                backlog[0] = head[written:]
                return
            backlog.popleft()

    def _trim_backlog(self) -> None:
        while self._backlog_bytes > self._max_pending_bytes and len(self._backlog) > 1:
            self._backlog_bytes -= len(self._backlog.popleft())
            self._broken_once(f"more than {self._max_pending_bytes // (1024 * 1024)} MB waited to be sent")
            self.lost_lines += 1

    def _flush_at_end(self) -> None:
        """Lines wait: send them when this process ends, also as a multiprocessing worker (which
        ends with ``os._exit``, after its finalizers but without ``atexit``)."""
        if self._end_hooked:
            return
        self._end_hooked = True
        util = sys.modules.get("multiprocessing.util")
        if util is not None:
            util.Finalize(None, self.close, exitpriority=0)

    def _lose(self, count: int) -> None:
        self.lost_lines += count
        self._broken_once(self._broken)

    def _broken_once(self, why: str) -> None:
        if not self._warned:
            self._warned = True
            log.warning(
                "runicorn: process %d, forked from the process of run %s, cannot send its values to "
                "the run (%s): what it logs is not recorded (warned once)",
                os.getpid(),
                self._run_id,
                why,
            )


class ChildMedia(MediaWriter):
    """A forked child's media: no writer thread there, so each one is encoded and written when
    logged, and its record sent."""

    def put(self, image: MediaSnapshot, record: Mapping[str, Any], ts: float, kind: str = fmt.IMAGE) -> None:
        super().put(image, record, ts, kind)
        self.write_pending()
