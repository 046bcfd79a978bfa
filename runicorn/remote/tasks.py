"""Mirror tasks for the viewer: SSH sessions to browse, running mirrors, and resuming them.

Sessions and credentials live in this process's memory only. The mirror file
(:mod:`runicorn.remote.registry`) remembers each started mirror without secrets; after a restart
:meth:`MirrorTasks.resume` reconnects the ones that log in with the SSH agent, default keys or a
key path without passphrase, and lists the others as waiting for credentials: connecting again and
starting the same remote path takes them over.
"""

from __future__ import annotations

import hashlib
import posixpath
import secrets
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.errors import ConfigError, RemoteError
from runicorn.remote.connect import Connection, Credentials, Target, connect
from runicorn.remote.mirror import Mirror, MirrorStats
from runicorn.remote.registry import MirrorEntry, Registry

MAX_SESSIONS = 32


@dataclass
class _Session:
    user: str
    host: str
    port: int
    creds: Credentials
    conn: Connection
    created_at: float


def mirror_id(user: str, host: str, port: int, remote_path: str) -> str:
    key = f"{user}@{host}:{port}:{posixpath.normpath(remote_path)}"
    return hashlib.sha256(key.encode()).hexdigest()[:12]


class SessionNotFound(RemoteError):
    """No SSH session with that id (expired, or the viewer restarted)."""


class MirrorNotFound(RemoteError):
    """No mirror with that id."""


class MirrorTasks:
    def __init__(self, storage: Path, interval_s: float = 2.0) -> None:
        self.storage = Path(storage)
        self.registry = Registry(self.storage)
        self.interval_s = interval_s
        self._sessions: dict[str, _Session] = {}
        self._mirrors: dict[str, tuple[MirrorEntry, Mirror]] = {}
        self._waiting: dict[str, MirrorEntry] = {}
        self._lock = threading.Lock()

    # --- sessions -----------------------------------------------------------------------------
    def connect(
        self, host: str, port: int, user: str, creds: Credentials, trust_fingerprint: str | None = None
    ) -> str:
        conn = connect(host, port, user, creds, trust_fingerprint=trust_fingerprint)
        session_id = secrets.token_urlsafe(16)
        with self._lock:
            while len(self._sessions) >= MAX_SESSIONS:
                oldest = min(self._sessions, key=lambda k: self._sessions[k].created_at)
                self._sessions.pop(oldest).conn.close()
            self._sessions[session_id] = _Session(user, host, port, creds, conn, time.time())
        return session_id

    def _session(self, session_id: str) -> _Session:
        with self._lock:
            session = self._sessions.get(session_id)
        if session is None:
            raise SessionNotFound(
                f"no SSH session {session_id!r}", "connect again with POST /api/ssh/connect"
            )
        return session

    def listdir(self, session_id: str, path: str) -> dict[str, Any]:
        session = self._session(session_id)
        path = posixpath.normpath(path or ".")
        try:
            path = session.conn.sftp.normalize(path)
            entries = session.conn.sftp.listdir_attr(path)
        except FileNotFoundError as exc:
            raise ConfigError(f"{session.host}:{path} does not exist", "pick an existing folder") from exc
        except PermissionError as exc:
            raise ConfigError(f"{session.host}:{path} cannot be read", "pick a folder you can read") from exc
        except (OSError, EOFError) as exc:
            raise RemoteError(f"listing {session.host}:{path} failed: {exc}", "connect again") from exc
        items = []
        for e in sorted(entries, key=lambda e: e.filename):
            is_dir = e.st_mode is not None and stat.S_ISDIR(e.st_mode)
            items.append({"name": e.filename, "dir": is_dir, "size": e.st_size, "mtime": e.st_mtime})
        names = {e.filename for e in entries}
        return {"path": path, "entries": items, "is_run": any(m in names for m in fmt.RUN_MARKER_FILES)}

    # --- mirrors ------------------------------------------------------------------------------
    def start(self, session_id: str, remote_path: str, interval_s: float | None = None) -> str:
        session = self._session(session_id)
        if not remote_path.startswith("/"):
            remote_path = session.conn.sftp.normalize(remote_path or ".")
        remote_path = posixpath.normpath(remote_path)
        target = Target(session.user, session.host, session.port, remote_path)
        entry = MirrorEntry(
            id=mirror_id(session.user, session.host, session.port, remote_path),
            user=session.user,
            host=session.host,
            port=session.port,
            remote_path=remote_path,
            interval_s=float(interval_s or self.interval_s),
            auth=session.creds.auth_kind,
            key_path=session.creds.key_path,
            created_at=time.time(),
        )
        self._launch(entry, Mirror(target, session.creds, self.storage, self.registry, entry.interval_s))
        self.registry.add_mirror(entry)
        return entry.id

    def _launch(self, entry: MirrorEntry, mirror: Mirror) -> None:
        with self._lock:
            old = self._mirrors.pop(entry.id, None)
            self._waiting.pop(entry.id, None)
        if old is not None:
            old[1].stop()
        with self._lock:
            self._mirrors[entry.id] = (entry, mirror)
        mirror.start()

    def stop(self, mirror_id_: str) -> None:
        with self._lock:
            running = self._mirrors.pop(mirror_id_, None)
            waiting = self._waiting.pop(mirror_id_, None)
        if running is None and waiting is None:
            raise MirrorNotFound(f"no mirror {mirror_id_!r}", "see GET /api/ssh/mirror/list")
        if running is not None:
            running[1].stop()
        self.registry.remove_mirror(mirror_id_)

    def resume(self) -> None:
        """Restart the mirrors named in the mirror file; those needing a secret wait for it."""
        for entry in self.registry.mirrors():
            if entry.id in self._mirrors:
                continue
            if entry.auth in ("password", "key_text"):
                with self._lock:
                    self._waiting[entry.id] = entry
                continue
            creds = Credentials(key_path=entry.key_path) if entry.auth == "key_path" else Credentials()
            target = Target(entry.user, entry.host, entry.port, entry.remote_path)
            self._launch(entry, Mirror(target, creds, self.storage, self.registry, entry.interval_s))

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            running = list(self._mirrors.values())
            waiting = list(self._waiting.values())
        waiting_stats = MirrorStats()
        return [_describe(entry, mirror.stats, waiting=False) for entry, mirror in running] + [
            _describe(entry, waiting_stats, waiting=True) for entry in waiting
        ]

    def close(self) -> None:
        """Stop every mirror (they stay in the mirror file) and close every session."""
        with self._lock:
            mirrors = [m for _, m in self._mirrors.values()]
            sessions = list(self._sessions.values())
            self._mirrors.clear()
            self._sessions.clear()
        for m in mirrors:
            m.stop()
        for s in sessions:
            s.conn.close()


def _describe(entry: MirrorEntry, s: MirrorStats, waiting: bool) -> dict[str, Any]:
    """One mirror as the API lists it; one waiting for a secret shows empty stats and says so."""
    last_error = f"needs the {entry.auth.replace('_', ' ')} again: connect, start this path"
    return {
        "id": entry.id,
        "user": entry.user,
        "host": entry.host,
        "port": entry.port,
        "remote_path": entry.remote_path,
        "interval_s": entry.interval_s,
        "auth": entry.auth,
        "alive": s.alive,
        "kind": s.kind,
        "runs": s.runs,
        "active_runs": s.active_runs,
        "files": s.files,
        "bytes": s.bytes,
        "wire_bytes": s.wire_bytes,
        "last_sync": s.last_sync_at,
        "last_error": last_error if waiting else s.last_error,
        "stopped": s.stopped,
        "refused": list(s.refused),
        "refused_count": s.refused_count,
        "waiting_for_credentials": waiting,
    }
