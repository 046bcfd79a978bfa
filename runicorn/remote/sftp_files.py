"""A server's files over the SFTP channel of an SSH link (see :mod:`runicorn.remote.connect`,
which checks the host key before any login)."""

from __future__ import annotations

import stat

import paramiko

from runicorn.remote.remote_files import RemoteEntry

# a read larger than this is asked for ahead in pipelined requests
_PREFETCH_OVER = 64 * 1024


def _entry(attr: paramiko.SFTPAttributes, name: str) -> RemoteEntry:
    is_dir = attr.st_mode is not None and stat.S_ISDIR(attr.st_mode)
    return RemoteEntry(name, attr.st_size or 0, attr.st_mtime, is_dir)


class SftpFile:
    """An open SFTP file handle; dropping it on a live link closes it without waiting for an answer."""

    def __init__(self, f: paramiko.SFTPFile) -> None:
        self._f = f

    def read_available(self, offset: int, limit: int) -> bytes:
        """One SFTP read per 32 KB, without a stat; a short read means the end of what the writer
        has written so far."""
        f = self._f
        parts: list[bytes] = []
        pos = offset
        while pos - offset < limit:
            want = min(f.MAX_REQUEST_SIZE, limit - (pos - offset))
            f.seek(pos)
            try:
                data = f._read(want)
            except EOFError:
                break
            if not data:
                break
            parts.append(data)
            pos += len(data)
            if len(data) < want:
                break
        return b"".join(parts)

    def close(self) -> None:
        self._f.close()


class SftpFiles:
    """The files behind one SFTP client."""

    def __init__(self, sftp: paramiko.SFTPClient) -> None:
        self.sftp = sftp

    def stat(self, path: str) -> RemoteEntry:
        return _entry(self.sftp.stat(path), path.rsplit("/", 1)[-1])

    def listdir(self, path: str) -> list[RemoteEntry]:
        return [_entry(attr, attr.filename) for attr in self.sftp.listdir_attr(path)]

    def read_range(self, path: str, offset: int, size: int) -> bytes:
        if size <= 0:
            return b""
        with self.sftp.open(path, "rb") as f:
            f.seek(offset)
            if size > _PREFETCH_OVER:
                f.prefetch(offset + size)
            return f.read(size)

    def open(self, path: str) -> SftpFile:
        return SftpFile(self.sftp.open(path, "rb"))
