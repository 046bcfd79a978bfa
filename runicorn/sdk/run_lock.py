"""The lock a writing process holds on its run for the life of the run.

An exclusive ``fcntl.flock`` on ``run.lock`` in the run folder: a second process (or a second
``Run`` in the same process) attaching to the same run is refused instead of interleaving rows.
The kernel releases it when the file is closed: at ``finish`` (which also removes the file), or
when the process dies however it dies (``kill -9`` included, which leaves the file, unlocked), so
a crashed run can always be resumed. Where ``fcntl`` does not
exist (Windows) runs are not locked. The locking itself is :mod:`runicorn.file_lock`'s.

A lock belongs to the open file, not to the process: a child that inherits the descriptor shares
it. That is how a command wrapper can later hand its run to the child it starts.
"""

from __future__ import annotations

from pathlib import Path

from runicorn import format as fmt
from runicorn.errors import ConfigError
from runicorn.file_lock import FileLock, LockTaken, is_held


class RunLock:
    """Holds ``run.lock`` of one run folder; :meth:`release` (or the process's end) lets it go."""

    def __init__(self, run_dir: Path) -> None:
        self.path = run_dir / fmt.RUN_LOCK_FILE
        self._lock = FileLock(self.path, removed_on_release=True)

    def acquire(self) -> None:
        """Take the lock or raise ConfigError naming the process that holds it (not locked
        where the file system cannot lock)."""
        try:
            self._lock.try_acquire()
        except LockTaken as taken:
            raise ConfigError(
                f"run {self.path.parent.name} is being written by {taken.holder} (pid@host); "
                "two processes cannot write one run at once",
                "wait for that run to finish, or pass another run_id (None for a fresh run)",
            ) from None

    def release(self) -> None:
        """Remove the lock file (while still holding it, so no one locks a removed file) and unlock."""
        self._lock.release(remove=True)

    def forget(self) -> None:
        """In a forked process: close this process's copy of the descriptor, leaving the file
        and the lock (which belongs to the open file, still open in the run's process) alone."""
        self._lock.forget()


def is_locked(run_dir: Path) -> bool:
    """True while a process holds the lock of the run in ``run_dir`` (a run being written)."""
    return is_held(run_dir / fmt.RUN_LOCK_FILE)
