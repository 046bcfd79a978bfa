"""The lock a writing process holds on its run for the life of the run.

An exclusive ``fcntl.flock`` on ``run.lock`` in the run folder: a second process (or a second
``Run`` in the same process) attaching to the same run is refused instead of interleaving rows.
The kernel releases it when the file is closed: at ``finish`` (which also removes the file), or
when the process dies however it dies (``kill -9`` included, which leaves the file, unlocked), so
a crashed run can always be resumed. Where ``fcntl`` does not
exist (Windows) runs are not locked.

A lock belongs to the open file, not to the process: a child that inherits the descriptor shares
it. That is how a command wrapper can later hand its run to the child it starts.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from runicorn import format as fmt
from runicorn.errors import ConfigError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class RunLock:
    """Holds ``run.lock`` of one run folder; :meth:`release` (or the process's end) lets it go."""

    def __init__(self, run_dir: Path) -> None:
        self.path = run_dir / fmt.RUN_LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise ConfigError naming the process that holds it."""
        if fcntl is None:
            return
        for _ in range(100):
            fd = self._lock_fd()
            if fd is None:
                return
            try:  # a holder that finished meanwhile removed the file we locked: lock the new one
                if os.fstat(fd).st_ino == os.stat(self.path).st_ino:
                    break
            except FileNotFoundError:
                pass
            os.close(fd)
        else:
            return
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}@{socket.gethostname()}\n".encode(), 0)
        self._fd = fd

    def _lock_fd(self) -> int | None:
        """An open descriptor of the lock file, locked; None where the file system cannot lock."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise ConfigError(
                f"run {self.path.parent.name} is being written by {holder} (pid@host); "
                "two processes cannot write one run at once",
                "wait for that run to finish, or pass another run_id (None for a fresh run)",
            ) from None
        except OSError:
            os.close(fd)  # a file system without flock (some network mounts): not locked
            return None
        return fd

    def release(self) -> None:
        """Remove the lock file (while still holding it, so no one locks a removed file) and unlock."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                os.unlink(self.path)
            except OSError:
                pass
            try:
                os.close(fd)  # closing releases the flock
            except OSError:
                pass

    def forget(self) -> None:
        """In a forked process: close this process's copy of the descriptor, leaving the file
        and the lock (which belongs to the open file, still open in the run's process) alone."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                os.close(fd)
            except OSError:
                pass


def is_locked(run_dir: Path) -> bool:
    """True while a process holds the lock of the run in ``run_dir`` (a run being written)."""
    if fcntl is None:
        return False
    try:
        fd = os.open(run_dir / fmt.RUN_LOCK_FILE, os.O_RDONLY)
    except OSError:
        return False  # no lock file: nobody holds it
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False  # a file system without flock: only the heartbeat can tell
    finally:
        os.close(fd)  # also lets go of the shared lock taken just now
    return False
