"""The mirror file: which SSH mirrors to resume, and which server owns each mirrored run folder.

It lives in the storage root (``format.MIRRORS_FILE``) and never holds a secret: only user, host,
port, remote path, interval, how the login was made (``agent``, ``key_path`` with its path,
``password``, ``key_text``) and, per mirrored run folder, the ``host:port`` it came from. A run
folder listed there for another server, or a local run folder not listed at all, is never written
by a mirror: the incoming run lands beside it under a host-suffixed folder name instead.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.files import write_json_atomic

_HOST_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]+")


@dataclass(frozen=True)
class MirrorEntry:
    """One mirror to resume: enough to reconnect, nothing secret."""

    id: str
    user: str
    host: str
    port: int
    remote_path: str
    interval_s: float
    auth: str  # agent | key_path | password | key_text
    key_path: str | None = None
    created_at: float = 0.0

    @property
    def origin(self) -> str:
        return f"{self.host}:{self.port}"


def host_suffix(origin: str) -> str:
    """A folder-safe form of ``host:port`` used to keep two servers' same-id runs apart."""
    return _HOST_UNSAFE.sub("_", origin.replace(":", "_")).strip("._") or "remote"


class Registry:
    """Reads and atomically rewrites the mirror file; safe to share between threads."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.path = self.root / fmt.MIRRORS_FILE
        self._lock = threading.Lock()

    def _read(self) -> dict[str, Any]:
        value = fmt.read_json(self.path) or {}
        mirrors = value.get("mirrors") if isinstance(value.get("mirrors"), list) else []
        owners = value.get("owners") if isinstance(value.get("owners"), dict) else {}
        return {"mirrors": mirrors, "owners": owners}

    def _write(self, value: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        write_json_atomic(self.path, value)

    # --- mirrors ------------------------------------------------------------------------------
    def mirrors(self) -> list[MirrorEntry]:
        with self._lock:
            raw = self._read()["mirrors"]
        out = []
        for item in raw:
            try:
                out.append(MirrorEntry(**{k: item[k] for k in MirrorEntry.__dataclass_fields__ if k in item}))
            except (TypeError, KeyError):
                continue
        return out

    def add_mirror(self, entry: MirrorEntry) -> None:
        with self._lock:
            value = self._read()
            value["mirrors"] = [m for m in value["mirrors"] if m.get("id") != entry.id]
            value["mirrors"].append(asdict(entry) | {"created_at": entry.created_at or time.time()})
            self._write(value)

    def remove_mirror(self, mirror_id: str) -> None:
        with self._lock:
            value = self._read()
            value["mirrors"] = [m for m in value["mirrors"] if m.get("id") != mirror_id]
            self._write(value)

    # --- run ownership ------------------------------------------------------------------------
    def claim(self, local_run: Path, origin: str) -> Path:
        """The local folder a run from ``origin`` may be written to, recorded as owned by it.

        ``local_run`` when it is free or already ours; otherwise ``<run_id>-<host_port>`` beside it.
        """
        rel = local_run.relative_to(self.root).as_posix()
        with self._lock:
            value = self._read()
            owners: dict[str, str] = value["owners"]
            owner = owners.get(rel)
            if owner == origin:
                return local_run
            if owner is None and not local_run.exists():
                owners[rel] = origin
                self._write(value)
                return local_run
            alt = local_run.with_name(f"{local_run.name}-{host_suffix(origin)}")
            alt_rel = alt.relative_to(self.root).as_posix()
            if owners.get(alt_rel) not in (None, origin) or (alt_rel not in owners and alt.exists()):
                raise FileExistsError(f"{alt} exists and belongs to another source")
            if owners.get(alt_rel) != origin:
                owners[alt_rel] = origin
                self._write(value)
            return alt

    def owner_of(self, local_run: Path) -> str | None:
        rel = local_run.relative_to(self.root).as_posix()
        with self._lock:
            owner = self._read()["owners"].get(rel)
        return owner if isinstance(owner, str) else None
