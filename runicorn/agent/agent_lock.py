"""One agent per storage root: ``<root>/.agent/agent.lock``, locked (flock) for the agent's life.

The kernel releases the lock however the agent ends (``kill -9`` included), so a crashed agent
never blocks the next one; a second agent on the same root meanwhile is refused by name.
"""

from __future__ import annotations

import os
from pathlib import Path

from runicorn import format as fmt
from runicorn.agent.private_files import FILE_MODE, private_folder
from runicorn.errors import ConfigError
from runicorn.file_lock import FileLock, LockTaken


class AgentLock:
    def __init__(self, root: Path) -> None:
        self.path = Path(root) / fmt.AGENT_DIR / fmt.AGENT_LOCK_FILE
        self._lock = FileLock(self.path, FILE_MODE, os.O_NOFOLLOW | os.O_CLOEXEC)

    def acquire(self) -> None:
        """Take the lock, or raise ConfigError naming the agent that holds it."""
        private_folder(self.path.parent)
        try:
            locked = self._lock.try_acquire()
        except LockTaken as taken:
            raise ConfigError(
                f"another agent ({taken.holder}, pid@host) already serves {self.path.parent.parent}",
                "use that agent (runicorn jobs --agent URL), stop it first, or give this one "
                "another --storage",
            ) from None
        if not locked:
            raise ConfigError(
                f"cannot lock {self.path}: its file system does not support locks",
                "give the agent a --storage on a local disk",
            )

    def release(self) -> None:
        self._lock.release()
