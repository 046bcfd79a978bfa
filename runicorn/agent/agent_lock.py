"""One agent per storage root: ``<root>/.agent/agent.lock``, locked (flock) for the agent's life.

The kernel releases the lock however the agent ends (``kill -9`` included), so a crashed agent
never blocks the next one; a second agent on the same root meanwhile is refused by name.
"""

from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path

from runicorn import format as fmt
from runicorn.agent.private_files import FILE_MODE, private_folder
from runicorn.errors import ConfigError


class AgentLock:
    def __init__(self, root: Path) -> None:
        self.path = Path(root) / fmt.AGENT_DIR / fmt.AGENT_LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise ConfigError naming the agent that holds it."""
        private_folder(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise ConfigError(
                f"another agent ({holder}, pid@host) already serves {self.path.parent.parent}",
                "use that agent (runicorn jobs --agent URL), stop it first, or give this one "
                "another --storage",
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}@{socket.gethostname()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)
