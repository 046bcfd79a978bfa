"""One lock helper: an exclusive ``fcntl.flock`` on one file (runicorn/format.py names the files).

Four things lock this way. For their life: a process writing a run (``run.lock``:
:class:`runicorn.sdk.run_lock.RunLock`) and the job agent of a storage root (``agent.lock``:
:class:`runicorn.agent.agent_lock.AgentLock`), each refusing a second one by the name of the
holder written in the file. For a moment, each waiting its turn: a sweep handing out its next
trial and an artifact name numbering a version.

The kernel releases a lock when its open file is closed, however the process ends (``kill -9``
included), so a crashed holder never blocks the next one. A lock belongs to the open file, not
to the process: a child that inherits the descriptor shares it. Where ``fcntl`` does not exist
(Windows) nothing is locked (:data:`LOCKS` is False).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCKS = fcntl is not None
HOLDER_MAX_BYTES = 200
_REPLACED_TRIES = 100


class LockTaken(Exception):
    """Another open file holds the lock; ``holder`` is what it wrote in the file ("pid@host")."""

    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder


class FileLock:
    """The lock on ``path``, a file made with ``mode`` (and ``flags`` added to its ``os.open``).
    ``removed_on_release``: holders remove the file when they let go (:meth:`release` with
    ``remove``), so taking it checks that the file locked is still the one at ``path``."""

    def __init__(
        self, path: Path, mode: int = 0o666, flags: int = 0, removed_on_release: bool = False
    ) -> None:
        self.path = path
        self.mode = mode
        self.flags = flags
        self.removed_on_release = removed_on_release
        self._fd: int | None = None

    def _open(self) -> int:
        return os.open(self.path, os.O_RDWR | os.O_CREAT | self.flags, self.mode)

    def try_acquire(self) -> bool:
        """Take the lock without waiting and write this process's "pid@host" in the file.
        :class:`LockTaken` naming the holder when another holds it; False when not locked: the
        file system cannot lock (some network mounts), or fcntl is missing."""
        if fcntl is None:
            return False
        for _ in range(_REPLACED_TRIES if self.removed_on_release else 1):
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, HOLDER_MAX_BYTES, 0).decode("utf-8", "replace").strip()
                os.close(fd)
                raise LockTaken(holder or "another process") from None
            except OSError:
                os.close(fd)
                return False
            if not self.removed_on_release or self._still_there(fd):
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}@{socket.gethostname()}\n".encode(), 0)
                self._fd = fd
                return True
            os.close(fd)  # a holder that finished meanwhile removed the file we locked: lock the new one
        return False

    def _still_there(self, fd: int) -> bool:
        try:
            return os.fstat(fd).st_ino == os.stat(self.path).st_ino
        except FileNotFoundError:
            return False

    @contextmanager
    def held(self) -> Iterator[None]:
        """Wait for the lock and hold it for the ``with`` block (nothing is locked without fcntl)."""
        if fcntl is None:  # pragma: no cover
            yield
            return
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def release(self, remove: bool = False) -> None:
        """Let the lock go; with ``remove``, first remove the file (while still holding it, so
        that no one locks a removed file)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        if remove:
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
        and the lock (which belongs to the open file, still open in the other process) alone."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                os.close(fd)
            except OSError:
                pass


def is_held(path: Path) -> bool:
    """True while some process holds the lock on ``path``; False without the file, or where the
    file system cannot lock."""
    if fcntl is None:
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False  # no lock file: nobody holds it
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # also lets go of the shared lock taken just now
    return False
