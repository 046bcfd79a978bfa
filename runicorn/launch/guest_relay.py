"""The wrapper's end of the guest hand-off (runicorn/sdk/guest.py): a pipe whose write end the
command inherits, and a thread that reads whole lines from it into the run's own queues, so the
run's append-only files keep one writer."""

from __future__ import annotations

import os
import threading

from runicorn import format as fmt
from runicorn.sdk.guest_pipe import GUEST_EVENT_LINE, GUEST_LOG_LINE
from runicorn.sdk.run import Run

_TARGETS = {GUEST_EVENT_LINE[0]: fmt.EVENTS_FILE, GUEST_LOG_LINE[0]: fmt.LOGS_FILE}


class GuestRelay:
    """One pipe for one attempt. ``write_fd`` goes to the child (``pass_fds``) and into its
    environment; call ``child_started()`` once it runs and ``join()`` after it ended."""

    def __init__(self, run: Run) -> None:
        self._run = run
        self._read_fd, self.write_fd = os.pipe()
        self.bad_lines = 0
        self._thread = threading.Thread(target=self._loop, name="runicorn-guest-relay", daemon=True)

    def env(self) -> dict[str, str]:
        return {
            fmt.RUN_DIR_ENV: str(self._run.dir),
            fmt.RUN_ID_ENV: self._run.id,
            fmt.EVENTS_FD_ENV: str(self.write_fd),
        }

    def child_started(self) -> None:
        """Close our copy of the write end (the child has its own) and start reading."""
        self._close_write_end()
        self._thread.start()

    def join(self, timeout_s: float = 5.0) -> None:
        """Wait for the pipe's end (every process holding its write end is gone), at most
        ``timeout_s``; then stop reading."""
        self._close_write_end()
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        if not self._thread.is_alive():
            os.close(self._read_fd)
        # else: a process the command left behind still holds the pipe; the daemon thread keeps
        # the read end until this process exits, and the run ignores what arrives after finish.

    def _close_write_end(self) -> None:
        if self.write_fd >= 0:
            os.close(self.write_fd)
            self.write_fd = -1

    def _loop(self) -> None:
        partial = b""
        while True:
            try:
                chunk = os.read(self._read_fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            lines, used = fmt.split_complete_lines(partial + chunk)
            partial = (partial + chunk)[used:]
            for line in lines:
                self._route(line + b"\n")

    def _route(self, line: bytes) -> None:
        target = _TARGETS.get(line[0]) if line else None
        body = line[1:]
        if target == fmt.EVENTS_FILE and fmt.decode_event(body) is None:
            target = None
        if target is None:
            self.bad_lines += 1
            return
        self._run.append_encoded(target, body)
