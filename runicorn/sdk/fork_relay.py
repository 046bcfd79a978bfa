"""The run process's end of its forked children's pipes (runicorn/sdk/forked.py): one pipe per
child, read by one daemon thread into the run's own queues, so that the run's append-only files
keep one writer."""

from __future__ import annotations

import json
import logging
import os
import select
import threading
import time
from typing import TYPE_CHECKING

from runicorn import format as fmt
from runicorn.sdk.child_lines import CONFIG_LINE, SUMMARY_LINE
from runicorn.sdk.guest_pipe import GUEST_EVENT_LINE, GUEST_LOG_LINE

if TYPE_CHECKING:
    from runicorn.sdk.forked import ForkAware

log = logging.getLogger("runicorn")
POLL_S = 0.05  # how often the relay thread looks for new children's pipes


class ForkRelay:
    """In the run's process: one pipe per forked child, read by one daemon thread into the run."""

    def __init__(self, run: ForkAware) -> None:
        self._run = run
        self._partial: dict[int, bytes] = {}  # read end of each child's pipe -> its unfinished line
        self._lock = threading.Lock()
        self._next: tuple[int, int] | None = None  # the pipe made for the child being forked
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.bad_lines = 0

    def before_fork(self) -> None:
        self._next = os.pipe()

    def after_fork_in_parent(self) -> None:
        """Keep the read end of the pipe just handed to the child (also when the fork failed: the
        read end then sees its end at once) and make sure the thread reads it."""
        pipe, self._next = self._next, None
        if pipe is None:
            return
        read_end, write_end = pipe
        os.close(write_end)
        os.set_blocking(read_end, False)
        with self._lock:
            self._partial[read_end] = b""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="runicorn-fork-relay", daemon=True)
            self._thread.start()

    def child_write_end(self) -> int | None:
        """In the new child: the write end of its own pipe, every read end closed."""
        pipe, self._next = self._next, None
        for read_end in [*self._partial, *(pipe[:1] if pipe else ())]:
            _close(read_end)
        self._partial = {}
        return pipe[1] if pipe else None

    def close(self) -> None:
        """Stop the thread, take everything the children have sent so far, close the pipes: a
        child that sends later is told so (it warns once)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(1.0)
        for read_end in list(self._partial):
            while self._read(read_end):
                pass
        with self._lock:
            for read_end in list(self._partial):
                _close(read_end)
            self._partial.clear()
        if self.bad_lines:
            log.warning(
                "runicorn: %d lines sent by processes forked from this one could not be read and were "
                "skipped",
                self.bad_lines,
            )

    def _loop(self) -> None:
        poller = select.poll()
        watched: set[int] = set()
        while not self._stop.is_set():
            try:
                with self._lock:
                    open_ends = set(self._partial)
                for fd in open_ends - watched:
                    poller.register(fd, select.POLLIN)
                for fd in watched - open_ends:
                    poller.unregister(fd)
                watched = open_ends
                for fd, _ in poller.poll(POLL_S * 1000):
                    while self._read(fd):
                        pass
            except Exception:  # noqa: BLE001 - the relay must never die
                log.exception("runicorn: unexpected error reading lines from forked processes")
                time.sleep(POLL_S)

    def _read(self, fd: int) -> bool:
        """Route the complete lines that arrived on ``fd``; False when none came (or its end)."""
        with self._lock:
            if fd not in self._partial:
                return False
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                return False
            except OSError:
                chunk = b""
            if not chunk:  # every process holding the write end is gone
                if self._partial.pop(fd).strip():
                    self.bad_lines += 1  # a child died in the middle of a line
                _close(fd)
                return False
            data = self._partial[fd] + chunk
            lines, used = fmt.split_complete_lines(data)
            self._partial[fd] = data[used:]
        for line in lines:
            self._route(line)
        return True

    def _route(self, line: bytes) -> None:
        kind, body = line[:1], line[1:]
        run = self._run
        if kind == GUEST_EVENT_LINE and fmt.decode_event(body) is not None:
            run._fork_target(fmt.EVENTS_FILE).append(body + b"\n")
        elif kind == GUEST_LOG_LINE:
            run._fork_target(fmt.LOGS_FILE).append(body + b"\n")
        elif kind in (SUMMARY_LINE, CONFIG_LINE):
            try:
                values = json.loads(body)
            except ValueError:
                values = None
            if isinstance(values, dict):
                run._merge_from_child(kind, values)
            else:
                self.bad_lines += 1
        else:
            self.bad_lines += 1


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass
