"""A server's files answered from a local folder: the mirror's cycle without a server.

The folder stands for the server's ``/``: the remote path ``/data/proj`` is ``<folder>/data/proj``.
Like an SFTP server, a listing does not follow links and ``stat`` does.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from runicorn.remote.remote_files import RemoteEntry


def _entry(st: os.stat_result, name: str) -> RemoteEntry:
    return RemoteEntry(name, st.st_size, int(st.st_mtime), stat.S_ISDIR(st.st_mode))


class FolderFile:
    """A local file kept open."""

    def __init__(self, f: BinaryIO) -> None:
        self._f = f

    def read_available(self, offset: int, limit: int) -> bytes:
        self._f.seek(offset)
        return self._f.read(limit)

    def close(self) -> None:
        self._f.close()


class FolderFiles:
    """The files below ``folder``, addressed by remote paths."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def local(self, path: str) -> Path:
        return self.folder / path.lstrip("/")

    def stat(self, path: str) -> RemoteEntry:
        return _entry(os.stat(self.local(path)), path.rsplit("/", 1)[-1])

    def listdir(self, path: str) -> list[RemoteEntry]:
        entries = []
        with os.scandir(self.local(path)) as listing:
            for item in listing:
                try:
                    item.name.encode()
                except UnicodeEncodeError as exc:  # as an SFTP client sees a name that is not UTF-8
                    raise UnicodeDecodeError("utf-8", os.fsencode(item.name), 0, 1, str(exc)) from None
                try:
                    entries.append(_entry(item.stat(follow_symlinks=False), item.name))
                except FileNotFoundError:
                    continue  # removed while listed
        return entries

    def read_range(self, path: str, offset: int, size: int) -> bytes:
        if size <= 0:
            return b""
        with open(self.local(path), "rb") as f:
            f.seek(offset)
            return f.read(size)

    def open(self, path: str) -> FolderFile:
        return FolderFile(open(self.local(path), "rb"))  # noqa: SIM115 - kept open across cycles
