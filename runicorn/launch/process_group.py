"""Process groups in one place: start a child in a session (and process group) of its own, pass
Ctrl-C and SIGTERM on to its whole group, stop the group with SIGTERM then SIGKILL after a grace.

``runicorn run`` uses it for the command it wraps; anything else that runs commands (a job
service, tests) should use it too, so that what "stopping a command" means is decided here.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import IO, Any

Wait = Callable[[float], object]


def start_in_new_group(
    argv: Sequence[str],
    *,
    stdin: int | IO[Any] | None = None,
    stdout: int | IO[Any] | None = None,
    stderr: int | IO[Any] | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    pass_fds: Sequence[int] = (),
) -> subprocess.Popen[bytes]:
    """Start ``argv`` as the leader of a new session: its pid is its process group id, and a
    Ctrl-C typed at our terminal does not reach it unless we pass it on."""
    return subprocess.Popen(
        list(argv),
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
        env=dict(env) if env is not None else None,
        cwd=cwd,
        pass_fds=tuple(pass_fds),
        start_new_session=True,
    )


def signal_group(pgid: int, signum: int) -> bool:
    """Send ``signum`` to every process of the group; False when the group is gone."""
    try:
        os.killpg(pgid, signum)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:  # a member that changed user: nothing more we may do
        return False


def _proc_state(pid: str) -> tuple[int, str] | None:
    """(process group, state letter) of a process from /proc, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rfind(b")") + 2 :].split()  # after "pid (comm) "
    return int(fields[2]), fields[0].decode()


def group_alive(pgid: int) -> bool:
    """True while a process of the group still lives (zombies waiting to be reaped do not count
    where /proc tells them apart)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return True
    for entry in os.listdir(proc):
        if entry.isdigit():
            state = _proc_state(entry)
            if state is not None and state[0] == pgid and state[1] not in ("Z", "X"):
                return True
    return False


def terminate_group(
    pgid: int,
    grace_s: float,
    reap: Callable[[], object] | None = None,
    wait: Wait = time.sleep,
    poll_s: float = 0.05,
) -> bool:
    """SIGTERM to the group, SIGKILL to what is left after ``grace_s``; returns when no process
    of the group lives. True when the group ended within the grace.

    ``reap`` collects our own child (``Popen.poll``) so that it does not linger as a zombie;
    ``wait(seconds)`` is called between checks (a caller that relays the group's output passes
    its pump, so that a child writing on its way out is not blocked on a full pipe).
    """
    if reap is not None:
        reap()
    if not group_alive(pgid):
        return True
    signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        wait(min(poll_s, max(0.0, deadline - time.monotonic())))
        if reap is not None:
            reap()
        if not group_alive(pgid):
            return True
    signal_group(pgid, signal.SIGKILL)
    for _ in range(200):  # SIGKILL cannot be refused; this only waits for the kernel
        if reap is not None:
            reap()
        if not group_alive(pgid):
            break
        wait(poll_s)
    return False


def exit_status(returncode: int) -> tuple[int, str | None]:
    """(exit code as a shell reports it, name of the signal that ended the process or None):
    a process killed by signal N exits ``128 + N``."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return 128 - returncode, name
    return returncode, None


class SignalForwarder:
    """While active (a ``with`` block on the main thread), SIGINT and SIGTERM sent to this process
    are passed on to the group in ``pgid`` and remembered in ``received``; a signal that arrives
    while no group is set is passed on as soon as one is."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.received: list[int] = []
        self.first_at: float | None = None
        self._pgid: int | None = None
        self._previous: dict[int, Any] = {}

    @property
    def pgid(self) -> int | None:
        return self._pgid

    @pgid.setter
    def pgid(self, pgid: int | None) -> None:
        self._pgid = pgid
        if pgid is not None and self.received:
            signal_group(pgid, self.received[-1])

    @property
    def first_name(self) -> str | None:
        return signal.Signals(self.received[0]).name if self.received else None

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.received.append(signum)
        if self.first_at is None:
            self.first_at = time.monotonic()
        if self._pgid is not None:
            signal_group(self._pgid, signum)

    def __enter__(self) -> SignalForwarder:
        if threading.current_thread() is threading.main_thread():
            for signum in self.SIGNALS:
                self._previous[signum] = signal.signal(signum, self._on_signal)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous if previous is not None else signal.SIG_DFL)
        self._previous.clear()
