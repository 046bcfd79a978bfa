"""SSH connections for the mirror: credentials held in memory, host keys checked before any login.

Host keys are looked up in ``~/.ssh/known_hosts`` and in Runicorn's own known-hosts file beside
the user config (``runicorn/known_hosts``). An unknown key raises :class:`HostKeyUnknown` carrying
its SHA-256 fingerprint; the caller shows it to the user and, once confirmed, connects again with
``trust_fingerprint`` set to that fingerprint, which stores the key in Runicorn's file. A key that
differs from the known one raises :class:`HostKeyChanged` and is never accepted here.

Passwords, key text and passphrases are kept only in :class:`Credentials` (in memory, hidden from
``repr``); nothing here writes them to disk or to a log.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paramiko

from runicorn.errors import ConfigError, HostKeyChanged, HostKeyUnknown, RemoteError
from runicorn.settings import user_config_path

DEFAULT_PORT = 22
CONNECT_TIMEOUT_S = 15.0
_TARGET = re.compile(
    r"^(?:(?P<user>[^@:/\s]+)@)?(?P<host>\[[^\]]+\]|[^:/\s@]+)(?::(?P<port>\d+))?:(?P<path>.+)$"
)


@dataclass(frozen=True)
class Target:
    """Where to mirror from: ``user@host[:port]:/remote/path``."""

    user: str
    host: str
    port: int
    path: str

    @property
    def origin(self) -> str:
        """The server, as used to tell runs of two servers apart: ``host:port``."""
        return f"{self.host}:{self.port}"


def parse_target(text: str, default_user: str | None = None) -> Target:
    match = _TARGET.match(text.strip())
    if not match:
        raise ConfigError(
            f"cannot read the mirror source {text!r}",
            "write it as user@host[:port]:/remote/path, e.g. alice@gpu1:/data/runicorn",
        )
    user = match["user"] or default_user or os.environ.get("USER") or "root"
    port = int(match["port"] or DEFAULT_PORT)
    if not 0 < port < 65536:
        raise ConfigError(f"port {port} in {text!r} is out of range", "use a port between 1 and 65535")
    return Target(user=user, host=match["host"].strip("[]"), port=port, path=match["path"])


@dataclass
class Credentials:
    """How to log in. Secrets stay in memory: ``repr`` hides them and nothing saves them."""

    password: str | None = field(default=None, repr=False)
    key_path: str | None = None
    key_text: str | None = field(default=None, repr=False)
    passphrase: str | None = field(default=None, repr=False)
    use_agent: bool = True

    @property
    def auth_kind(self) -> str:
        """What a later reconnect needs: ``password``/``key_text`` need the user again."""
        if self.password is not None:
            return "password"
        if self.key_text is not None:
            return "key_text"
        if self.key_path is not None:
            return "key_path"
        return "agent"

    @property
    def needs_user_to_resume(self) -> bool:
        return self.auth_kind in ("password", "key_text") or (
            self.auth_kind == "key_path" and self.passphrase is not None
        )


def fingerprint(key: paramiko.PKey) -> str:
    """``SHA256:<base64, no padding>``, as ``ssh-keygen -lf`` prints it."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def runicorn_known_hosts_path() -> Path:
    return user_config_path().parent / "known_hosts"


def system_known_hosts_path() -> Path:
    return Path(os.path.expanduser("~")) / ".ssh" / "known_hosts"


def host_key_name(host: str, port: int) -> str:
    return host if port == DEFAULT_PORT else f"[{host}]:{port}"


def trust_host_key(host: str, port: int, key: paramiko.PKey) -> Path:
    """Remember ``key`` for ``host:port`` in Runicorn's known-hosts file."""
    path = runicorn_known_hosts_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = f"{host_key_name(host, port)} {key.get_name()} {key.get_base64()}\n"
    with open(path, "a", encoding="utf-8") as f:
        f.write(line)
    return path


class LoginRefused(RemoteError):
    """The server refused the user name, password or key: retrying will not help."""


class CountingSocket:
    """A TCP socket that counts the bytes it sends and receives (the bytes on the wire)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._lock = threading.Lock()
        self.bytes_sent = 0
        self.bytes_received = 0

    def send(self, data: bytes) -> int:
        n = self._sock.send(data)
        with self._lock:
            self.bytes_sent += n
        return n

    def sendall(self, data: bytes) -> None:
        self._sock.sendall(data)
        with self._lock:
            self.bytes_sent += len(data)

    def recv(self, size: int) -> bytes:
        data = self._sock.recv(size)
        with self._lock:
            self.bytes_received += len(data)
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _Policy(paramiko.MissingHostKeyPolicy):
    def __init__(self, port: int, trust_fingerprint: str | None) -> None:
        self.port = port
        self.trust_fingerprint = trust_fingerprint

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey) -> None:
        seen = fingerprint(key)
        host = hostname.split("]")[0].lstrip("[")
        if self.trust_fingerprint is not None and self.trust_fingerprint.strip() == seen:
            trust_host_key(host, self.port, key)
            return
        if self.trust_fingerprint is not None:
            raise HostKeyUnknown(
                f"host {host}:{self.port} presents key {seen}, not the confirmed {self.trust_fingerprint}",
                "check the fingerprint with the server's administrator before trusting it",
                fingerprint=seen,
            )
        raise HostKeyUnknown(
            f"host {host}:{self.port} is not known; its {key.get_name()} key fingerprint is {seen}",
            "confirm the fingerprint matches the server (ssh-keygen -lf on its host key), then trust it",
            fingerprint=seen,
        )


class Connection:
    """One logged-in SSH connection with an SFTP channel and wire byte counters."""

    def __init__(self, client: paramiko.SSHClient, sock: CountingSocket) -> None:
        self.client = client
        self.sock = sock
        self.sftp = client.open_sftp()

    @property
    def wire_bytes(self) -> int:
        return self.sock.bytes_sent + self.sock.bytes_received

    def close(self) -> None:
        try:
            self.sftp.close()
        except Exception:  # noqa: BLE001 - closing a dead link must not raise
            pass
        self.client.close()


def _key_from_text(text: str, passphrase: str | None) -> paramiko.PKey:
    """A private key from its text, kept in memory (never written to a temp file)."""
    last: Exception | None = None
    for cls in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return cls.from_private_key(io.StringIO(text), password=passphrase)
        except paramiko.PasswordRequiredException:
            raise
        except (paramiko.SSHException, ValueError) as exc:
            last = exc
    raise paramiko.SSHException(str(last) if last else "unknown key type")


def _load_key(creds: Credentials) -> paramiko.PKey | None:
    if creds.key_text is None and creds.key_path is None:
        return None
    try:
        if creds.key_text is not None:
            return _key_from_text(creds.key_text, creds.passphrase)
        assert creds.key_path is not None
        return paramiko.PKey.from_path(os.path.expanduser(creds.key_path), password=creds.passphrase)
    except paramiko.PasswordRequiredException as exc:
        raise RemoteError(
            "the private key is encrypted and no passphrase was given", "give the key's passphrase"
        ) from exc
    except (paramiko.SSHException, ValueError) as exc:
        raise RemoteError(
            f"cannot read the private key: {exc}",
            "check the key and its passphrase (OpenSSH, RSA, ECDSA or Ed25519)",
        ) from exc
    except OSError as exc:
        raise RemoteError(
            f"cannot read the private key file {creds.key_path}: {exc.strerror}",
            "check the path given with --key",
        ) from exc


def connect(
    host: str,
    port: int,
    user: str,
    creds: Credentials,
    trust_fingerprint: str | None = None,
    timeout_s: float = CONNECT_TIMEOUT_S,
    compress: bool = True,
) -> Connection:
    """Open an SSH + SFTP connection, checking the host key first. Raises RemoteError subclasses.

    ``compress`` asks for zlib compression (as ``ssh -C``): run files are JSON lines and text,
    which shrink several times on the wire.
    """
    key = _load_key(creds)
    client = paramiko.SSHClient()
    system_file = system_known_hosts_path()
    if system_file.is_file():
        try:
            client.load_system_host_keys(str(system_file))
        except (OSError, paramiko.SSHException):
            pass
    own_file = runicorn_known_hosts_path()
    if own_file.is_file():
        client.get_host_keys().load(str(own_file))
    client.set_missing_host_key_policy(_Policy(port, trust_fingerprint))
    try:
        raw = socket.create_connection((host, port), timeout=timeout_s)
    except OSError as exc:
        client.close()
        raise RemoteError(
            f"cannot reach {host}:{port}: {exc.strerror or exc}",
            "check the host name, the port and that the server accepts SSH",
        ) from exc
    sock = CountingSocket(raw)
    explicit = key is not None or creds.password is not None
    try:  # any failure from here on closes the client (and its socket) before it propagates
        try:
            client.connect(
                host,
                port=port,
                username=user,
                password=creds.password,
                pkey=key,
                sock=sock,
                timeout=timeout_s,
                compress=compress,
                banner_timeout=timeout_s,
                auth_timeout=timeout_s,
                allow_agent=creds.use_agent and not explicit,
                look_for_keys=not explicit,
            )
            return Connection(client, sock)
        except paramiko.BadHostKeyException as exc:
            raise HostKeyChanged(
                f"the host key of {host}:{port} has CHANGED (now {fingerprint(exc.key)}); "
                "refusing to connect",
                f"if the server was reinstalled, remove its old entry from {system_known_hosts_path()} or "
                f"{runicorn_known_hosts_path()}; otherwise someone may be intercepting the connection",
            ) from exc
        except paramiko.AuthenticationException as exc:
            raise LoginRefused(
                f"{user}@{host}:{port} refused the login", "check the user name, password or key"
            ) from exc
        except (paramiko.SSHException, OSError, EOFError) as exc:
            raise RemoteError(
                f"SSH to {host}:{port} failed: {exc}", "check that the server runs OpenSSH"
            ) from exc
    except BaseException:
        client.close()
        raise
