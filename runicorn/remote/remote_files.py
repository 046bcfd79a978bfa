"""What the mirror needs of a server's files, and nothing more: list a folder, stat one path, read
a range, and keep a file open to read what its writer appends.

:class:`~runicorn.remote.sftp_files.SftpFiles` answers over an SSH link (the mirror's);
:class:`~runicorn.remote.folder_files.FolderFiles` answers from a local folder, so the mirror's
cycle runs without a server. Paths are the server's POSIX paths. A path that is not there raises
:class:`FileNotFoundError`, one that may not be read :class:`PermissionError`, and a listing with a
name that is not UTF-8 raises :class:`UnicodeDecodeError`. Names in a listing are as the server
sends them: the mirror checks them before using one (see :mod:`runicorn.remote.local_run`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class RemoteEntry:
    """One file or folder as the server describes it (a listing does not follow links)."""

    name: str
    size: int  # 0 when the server does not say
    mtime: int | None  # whole seconds, the server's clock
    is_dir: bool


class RemoteFile(Protocol):
    """A server file kept open across cycles, to read what its writer appended without a stat."""

    def read_available(self, offset: int, limit: int) -> bytes:
        """What the file holds from ``offset``, at most ``limit`` bytes; fewer at its current end."""
        ...

    def close(self) -> None: ...


class RemoteFiles(Protocol):
    """A server's files, as the mirror reads them."""

    def stat(self, path: str) -> RemoteEntry:
        """``path``, links followed."""
        ...

    def listdir(self, path: str) -> list[RemoteEntry]:
        """The entries of the folder ``path``."""
        ...

    def read_range(self, path: str, offset: int, size: int) -> bytes:
        """``size`` bytes of ``path`` from ``offset`` (fewer if the file is shorter)."""
        ...

    def open(self, path: str) -> RemoteFile:
        """``path`` open for reading, kept across cycles."""
        ...
