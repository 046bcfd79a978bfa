"""A command on a pseudo-terminal: it sees a terminal (progress bars draw as they do in one), our
terminal still receives every byte it prints, and the same bytes are handed to ``on_output``.

Standard input is passed to the command as it is (the user's terminal, a pipe, /dev/null in CI).
"""

from __future__ import annotations

import errno
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from types import FrameType
from typing import Any

from runicorn.launch.process_group import start_in_new_group

_READ_BYTES = 65536


def _terminal_fd() -> int | None:
    """A file descriptor of our own terminal (stdout, else stdin), or None."""
    for stream in (sys.stdout, sys.stdin):
        try:
            fd = stream.fileno()
        except (AttributeError, ValueError, OSError):
            continue
        if os.isatty(fd):
            return fd
    return None


# The pty's size when no terminal is there to copy it from (a job started by a script, an agent,
# CI): COLUMNS/LINES when set, else 120 x 40. A pty of 0 x 0 makes progress bars (tqdm) draw
# nothing at all.
DEFAULT_COLUMNS, DEFAULT_LINES = 120, 40


def _copy_window_size(source: int, target: int) -> None:
    try:
        size = fcntl.ioctl(source, termios.TIOCGWINSZ, struct.pack("HHHH", 0, 0, 0, 0))
        fcntl.ioctl(target, termios.TIOCSWINSZ, size)
    except OSError:
        pass


def _set_default_window_size(target: int) -> None:
    columns = _positive_int(os.environ.get("COLUMNS"), DEFAULT_COLUMNS)
    lines = _positive_int(os.environ.get("LINES"), DEFAULT_LINES)
    try:
        fcntl.ioctl(target, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    except OSError:
        pass


def _positive_int(text: str | None, default: int) -> int:
    try:
        value = int(text or default)
    except ValueError:
        return default
    return value if 0 < value < 10_000 else default


class PtySession:
    """One run of ``argv`` on a fresh pty, in a process group of its own.

    ``start()`` launches it; ``pump(timeout_s)`` relays what it printed meanwhile; after it
    exited, ``drain()`` relays the rest and ``close()`` releases the pty.
    """

    def __init__(
        self,
        argv: Sequence[str],
        on_output: Callable[[bytes], None],
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        pass_fds: Sequence[int] = (),
        out_fd: int | None = None,
    ) -> None:
        self.argv = list(argv)
        self._on_output = on_output
        self._env = env
        self._cwd = cwd
        self._pass_fds = pass_fds
        self._out_fd = out_fd if out_fd is not None else _stdout_fd()
        self._master: int | None = None
        self._eof = False
        self._terminal = _terminal_fd()
        self._previous_winch: Any = None
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> None:
        master, slave = os.openpty()
        try:
            if self._terminal is not None:
                _copy_window_size(self._terminal, slave)
            else:
                _set_default_window_size(slave)
            self.proc = start_in_new_group(
                self.argv,
                stdin=None,
                stdout=slave,
                stderr=slave,
                env=self._env,
                cwd=self._cwd,
                pass_fds=self._pass_fds,
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)  # the child holds it now: its end is our end of file
        self._master = master
        if self._terminal is not None and threading.current_thread() is threading.main_thread():
            self._previous_winch = signal.signal(signal.SIGWINCH, self._on_winch)

    def poll(self) -> int | None:
        return self.proc.poll() if self.proc is not None else None

    def pump(self, timeout_s: float) -> None:
        """Relay output for up to ``timeout_s`` (returns early once something was relayed)."""
        if self._master is None or self._eof:
            time.sleep(timeout_s)
            return
        try:
            ready, _, _ = select.select([self._master], [], [], timeout_s)
        except InterruptedError:  # pragma: no cover - PEP 475 retries select itself
            return
        if ready:
            self._read_once()

    def drain(self, max_wait_s: float = 2.0) -> None:
        """Relay what is left after the command ended, until the pty reports its end (every
        process holding it is gone) or nothing came for ``max_wait_s``."""
        while self._master is not None and not self._eof:
            ready, _, _ = select.select([self._master], [], [], max_wait_s)
            if not ready:
                return
            self._read_once()

    def close(self) -> None:
        if self._previous_winch is not None:
            signal.signal(signal.SIGWINCH, self._previous_winch)
            self._previous_winch = None
        if self._master is not None:
            os.close(self._master)
            self._master = None

    def _read_once(self) -> None:
        assert self._master is not None
        try:
            data = os.read(self._master, _READ_BYTES)
        except OSError as exc:
            if exc.errno != errno.EIO:  # EIO: every holder of the pty's other end is gone
                raise
            data = b""
        if not data:
            self._eof = True
            return
        self._relay(data)
        self._on_output(data)

    def _relay(self, data: bytes) -> None:
        if self._out_fd < 0:
            return
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._out_fd, view) :]
        except OSError:  # our stdout went away: the run still records everything
            self._out_fd = -1

    def _on_winch(self, signum: int, frame: FrameType | None) -> None:
        if self._master is not None and self._terminal is not None and self.proc is not None:
            _copy_window_size(self._terminal, self._master)
            try:
                os.killpg(self.proc.pid, signal.SIGWINCH)
            except OSError:
                pass


def _stdout_fd() -> int:
    try:
        sys.stdout.flush()
        return sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):
        return 1
