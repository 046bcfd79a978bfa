"""A hostile SSH server for the mirror's tests: paramiko's own SFTP server over a Transport on a
loopback socket, serving a tree held in memory whose listings say what the test wants them to
(``../../evil``, ``a/b``, a NUL, a name that is not UTF-8...).

``HostileServer.files`` maps a remote path to its bytes (folders are implied by the paths under
them); ``HostileServer.extra_names`` adds names to a folder's listing, each served as a file with
the bytes given; ``HostileServer.asked`` records every path a client asked about. Logins are by
password; ``known_hosts_line()`` is the line that makes the mirror trust the host key.
"""

from __future__ import annotations

import errno
import posixpath
import socket
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import paramiko

USER, PASSWORD = "mirror", "hostile-test-password"


class HostileServer:
    def __init__(self) -> None:
        self.key = paramiko.ECDSAKey.generate()
        self.files: dict[str, bytes] = {}
        self.extra_names: dict[str, dict[str | bytes, bytes]] = {}
        self.mtimes: dict[str, int] = {}  # folder or file -> mtime (default: START)
        self.claimed_sizes: dict[str, int] = {}  # file -> the size its listing and stat claim
        self.asked: list[str] = []
        self.lock = threading.Lock()
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self.port: int = self._listener.getsockname()[1]
        self._transports: list[paramiko.Transport] = []
        self._stopping = False
        self._thread = threading.Thread(target=self._accept, name="hostile sftp", daemon=True)

    def known_hosts_line(self) -> str:
        return f"[127.0.0.1]:{self.port} {self.key.get_name()} {self.key.get_base64()}\n"

    def touch(self, path: str) -> None:
        """Move the mtime of ``path`` (a folder or file) one second on."""
        with self.lock:
            self.mtimes[path] = self.mtimes.get(path, START) + 1

    # --- the tree -------------------------------------------------------------------------------
    def is_dir(self, path: str) -> bool:
        prefix = path.rstrip("/") + "/"
        return any(p.startswith(prefix) for p in self.files) or path in self.extra_names

    def entries(self, path: str) -> list[paramiko.SFTPAttributes]:
        prefix = path.rstrip("/") + "/"
        names: set[str] = set()
        for p in self.files:
            if p.startswith(prefix):
                names.add(p[len(prefix) :].split("/")[0])
        out = [self.attributes(prefix + name, name) for name in sorted(names)]
        for name, data in self.extra_names.get(path, {}).items():
            attr = self._file_attributes(len(data), START)
            attr.filename = name  # type: ignore[assignment]  # bytes: a name that is not UTF-8
            out.append(attr)
        return out

    def attributes(self, path: str, name: str = "") -> paramiko.SFTPAttributes:
        mtime = self.mtimes.get(path, START)
        if path in self.files:
            attr = self._file_attributes(self.claimed_sizes.get(path, len(self.files[path])), mtime)
        else:
            attr = paramiko.SFTPAttributes()
            attr.st_mode = stat.S_IFDIR | 0o755
            attr.st_size = 4096
            attr.st_mtime = attr.st_atime = mtime
        attr.filename = name
        return attr

    @staticmethod
    def _file_attributes(size: int, mtime: int) -> paramiko.SFTPAttributes:
        attr = paramiko.SFTPAttributes()
        attr.st_mode = stat.S_IFREG | 0o644
        attr.st_size = size
        attr.st_mtime = attr.st_atime = mtime
        return attr

    def data_of(self, path: str) -> bytes | None:
        if path in self.files:
            return self.files[path]
        folder, name = posixpath.split(path)
        return self.extra_names.get(folder, {}).get(name)

    # --- serving --------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def _accept(self) -> None:
        while not self._stopping:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            transport = paramiko.Transport(sock)
            transport.add_server_key(self.key)
            transport.set_subsystem_handler("sftp", paramiko.SFTPServer, _Files, self)
            self._transports.append(transport)
            try:
                transport.start_server(server=_Login())
            except (paramiko.SSHException, EOFError, OSError):
                transport.close()

    def stop(self) -> None:
        self._stopping = True
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() below
        except OSError:
            pass
        self._listener.close()
        for transport in self._transports:
            transport.close()
        self._thread.join(5)


START = 1_790_000_000


class _Login(paramiko.ServerInterface):
    def get_allowed_auths(self, username: str) -> str:
        return "password"

    def check_auth_password(self, username: str, password: str) -> int:
        ok = username == USER and password == PASSWORD
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED


class _Handle(paramiko.SFTPHandle):
    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.data = data

    def read(self, offset: int, length: int) -> bytes:
        return self.data[offset : offset + length]

    def stat(self) -> paramiko.SFTPAttributes:
        return HostileServer._file_attributes(len(self.data), START)


class _Files(paramiko.SFTPServerInterface):
    def __init__(self, server: Any, hostile: HostileServer, *args: Any, **kwargs: Any) -> None:
        super().__init__(server, *args, **kwargs)
        self.hostile = hostile

    def _ask(self, path: str) -> None:
        with self.hostile.lock:
            self.hostile.asked.append(path)

    def list_folder(self, path: str) -> list[paramiko.SFTPAttributes] | int:
        self._ask(path)
        with self.hostile.lock:
            if not self.hostile.is_dir(path):
                return paramiko.SFTPServer.convert_errno(errno.ENOENT)
            return self.hostile.entries(path)

    def stat(self, path: str) -> paramiko.SFTPAttributes | int:
        self._ask(path)
        with self.hostile.lock:
            if path in self.hostile.files or self.hostile.is_dir(path):
                return self.hostile.attributes(path, posixpath.basename(path))
            data = self.hostile.data_of(path)
            if data is not None:
                return HostileServer._file_attributes(len(data), START)
        return paramiko.SFTPServer.convert_errno(errno.ENOENT)

    lstat = stat

    def open(self, path: str, flags: int, attr: paramiko.SFTPAttributes) -> paramiko.SFTPHandle | int:
        self._ask(path)
        with self.hostile.lock:
            data = self.hostile.data_of(path)
        if data is None:
            return paramiko.SFTPServer.convert_errno(errno.ENOENT)
        return _Handle(data)

    def canonicalize(self, path: str) -> str:
        return posixpath.normpath("/" + path)


@contextmanager
def hostile_server() -> Iterator[HostileServer]:
    server = HostileServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
