"""The artifact store: content-addressed blobs and numbered, aliased versions (docs/artifacts.md).

Under ``<root>/.artifacts/`` (layout in runicorn/format/artifacts.py): each file's bytes are stored once, as
``blobs/<sha256[:2]>/<sha256>``, whichever artifact, version or run they belong to. A version is a
manifest (path, sha256, size per file) named by the sha256 of its canonical form; logging the
same content under the same name again gives back the same version. Versions are numbered
``v0, v1, ...`` per name, and aliases (``latest`` and the user's own) point at one version each.

Concurrency: a blob is written to a temporary file and renamed into place (two writers of the
same bytes end with the same file); numbering a version and moving aliases happen while holding
an exclusive ``flock`` on the name's ``versions.lock``, so two processes logging at once get
distinct, consistent versions. Readers never need the lock: every file is replaced whole.

Reading: a file is read only when its real path stays inside the store (a link leading out of
it is refused), and blobs are checked against their sha256 when materialised.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from runicorn import format as fmt
from runicorn.artifacts.draft import Draft, check_name
from runicorn.errors import ArtifactError
from runicorn.file_lock import LOCKS, FileLock
from runicorn.files import write_bytes_atomic, write_json_atomic

# A local file given with add_reference is hashed when it is at most this big.
REFERENCE_HASH_MAX_BYTES = 256 * 1024 * 1024
MAX_VERSION_FILE_BYTES = 64 * 1024 * 1024
_CHUNK_BYTES = 1 << 20
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_VERSION_FILE = re.compile(r"^(v(?:0|[1-9][0-9]{0,8}))\.json\Z")
_SHA256 = re.compile(r"^[0-9a-f]{64}\Z")
_in_process_lock = threading.Lock()  # where flock is missing


class OutsideStore(PermissionError):
    """A store file that is a link leading out of the store, or not a plain file."""


@dataclass(frozen=True)
class StoredVersion:
    """One version of an artifact as the store holds it."""

    store: ArtifactStore
    data: fmt.ArtifactVersionData
    aliases: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.data["name"]

    @property
    def type(self) -> str:
        return self.data["type"]

    @property
    def version(self) -> str:
        return self.data["version"]

    @property
    def digest(self) -> str:
        return self.data["digest"]

    @property
    def metadata(self) -> dict[str, Any]:
        return dict(self.data.get("metadata") or {})

    @property
    def entries(self) -> list[fmt.ArtifactEntryData]:
        return list(self.data.get("entries") or [])

    def entry(self, path: str) -> fmt.ArtifactEntryData:
        for entry in self.entries:
            if entry["path"] == path:
                return entry
        raise ArtifactError(
            f"{self.name}:{self.version} has no file {path!r}", "list its files with .files()"
        )

    def download(self, root: str | os.PathLike[str] | None = None, only: str | None = None) -> Path:
        """Materialise the files (or the one file ``only``) under ``root`` (default:
        ``./artifacts/<name>-<version>``); see :meth:`ArtifactStore.materialise`."""
        folder = Path(root) if root is not None else Path("artifacts") / f"{self.name}-{self.version}"
        return self.store.materialise(self, folder, only)


class ArtifactStore:
    """The artifact store of one storage root."""

    def __init__(self, storage_root: str | os.PathLike[str]) -> None:
        self.root = Path(storage_root)
        self.dir = self.root / fmt.ARTIFACTS_DIR

    # --- writing ---------------------------------------------------------------------------
    def log(
        self, draft: Draft, aliases: list[str] | tuple[str, ...] = (), created_by: str | None = None
    ) -> StoredVersion:
        """Store the draft's files and give its content a version (an existing one when the same
        content was logged under this name before). ``latest`` and ``aliases`` move to it."""
        wanted = _check_aliases([fmt.LATEST_ALIAS, *aliases])
        entries: list[fmt.ArtifactEntryData] = []
        for path, source in sorted(draft.sources.items()):
            sha256, size = self.put_blob(source)
            entries.append(fmt.ArtifactEntryData(path=path, sha256=sha256, size=size))
        for path, uri in sorted(draft.references.items()):
            entries.append(_reference_entry(path, uri))
        digest = fmt.artifact_digest(entries)
        names = self.dir / fmt.ARTIFACT_NAMES_DIR / draft.name
        with self._locked(names):
            versions = self.versions(draft.name)
            if versions and versions[-1]["type"] != draft.type:
                raise ArtifactError(
                    f"artifact {draft.name!r} has type {versions[-1]['type']!r}, not {draft.type!r}",
                    "log it with the same type, or under another name",
                )
            data = next((v for v in versions if v["digest"] == digest), None)
            if data is None:
                number = max((_number(v["version"]) for v in versions), default=-1) + 1
                data = fmt.ArtifactVersionData(
                    name=draft.name,
                    type=draft.type,
                    version=f"v{number}",
                    digest=digest,
                    description=draft.description,
                    metadata=draft.metadata,
                    created_at=time.time(),
                    created_by=created_by,
                    entries=entries,
                )
                version_dir = names / fmt.ARTIFACT_VERSIONS_DIR
                version_dir.mkdir(parents=True, exist_ok=True)
                write_bytes_atomic(version_dir / f"{data['version']}.json", fmt.dumps_json_file(dict(data)))
            moved = {**self.aliases(draft.name), **dict.fromkeys(wanted, data["version"])}
            write_json_atomic(names / fmt.ARTIFACT_ALIASES_FILE, dict(moved))
        return StoredVersion(self, data, _aliases_of(moved, data["version"]))

    def put_blob(self, source: Path) -> tuple[str, int]:
        """Copy one file into the blobs (once per content); its sha256 and size."""
        blobs = self.dir / fmt.ARTIFACT_BLOBS_DIR
        blobs.mkdir(parents=True, exist_ok=True)
        tmp = blobs / f".{uuid.uuid4().hex}{fmt.TEMP_SUFFIX}"
        h, size = hashlib.sha256(), 0
        try:
            with open(source, "rb") as src, open(tmp, "xb") as dst:
                while chunk := src.read(_CHUNK_BYTES):
                    h.update(chunk)
                    dst.write(chunk)
                    size += len(chunk)
            sha256 = h.hexdigest()
            final = self.dir / fmt.artifact_blob_relpath(sha256)
            if final.is_file() and final.stat().st_size == size:
                tmp.unlink()
            else:
                final.parent.mkdir(exist_ok=True)
                os.chmod(tmp, 0o444)
                os.replace(tmp, final)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ArtifactError(
                f"cannot store {source} in {self.dir}: {exc.strerror or exc}",
                "check that the file is readable and the storage root writable, with space left",
            ) from exc
        return sha256, size

    @contextmanager
    def _locked(self, name_dir: Path) -> Iterator[None]:
        name_dir.mkdir(parents=True, exist_ok=True)
        if not LOCKS:  # pragma: no cover
            with _in_process_lock:
                yield
            return
        with FileLock(name_dir / fmt.ARTIFACT_LOCK_FILE).held():
            yield

    # --- reading ---------------------------------------------------------------------------
    def names(self) -> list[str]:
        """Every artifact name in the store, sorted."""
        try:
            found = os.listdir(self.dir / fmt.ARTIFACT_NAMES_DIR)
        except OSError:
            return []
        return sorted(n for n in found if fmt.is_safe_id(n))

    def versions(self, name: str) -> list[fmt.ArtifactVersionData]:
        """The versions of ``name``, oldest first (unreadable or malformed ones left out)."""
        check_name("name", name)
        folder = f"{fmt.ARTIFACT_NAMES_DIR}/{name}/{fmt.ARTIFACT_VERSIONS_DIR}"
        try:
            files = os.listdir(self.dir / folder)
        except OSError:
            return []
        found: list[fmt.ArtifactVersionData] = []
        for file_name in files:
            m = _VERSION_FILE.match(file_name)
            data = self._read_json(f"{folder}/{file_name}") if m else None
            if data is not None and _is_version(data, name, m.group(1) if m else ""):
                found.append(data)  # type: ignore[arg-type]
        return sorted(found, key=lambda v: _number(v["version"]))

    def aliases(self, name: str) -> dict[str, str]:
        """Alias -> version of ``name`` (aliases naming no valid version string left out)."""
        check_name("name", name)
        data = self._read_json(f"{fmt.ARTIFACT_NAMES_DIR}/{name}/{fmt.ARTIFACT_ALIASES_FILE}") or {}
        return {
            k: v
            for k, v in data.items()
            if isinstance(v, str) and fmt.ARTIFACT_VERSION_PATTERN.match(v) and fmt.is_safe_id(k)
        }

    def resolve(self, spec: str) -> StoredVersion:
        """``name``, ``name:latest``, ``name:v3`` or ``name:<alias>`` (a leading ``entity/project/``
        is ignored) -> the version, or ArtifactError naming what exists."""
        name, _, selector = str(spec).rsplit("/", 1)[-1].partition(":")
        check_name("name", name)
        selector = selector or fmt.LATEST_ALIAS
        aliases = self.aliases(name)
        versions = self.versions(name)
        if not versions:
            raise ArtifactError(
                f"no artifact named {name!r} in {self.dir}",
                "log it first (run.log_artifact), or check the name and the storage root",
            )
        wanted = selector if fmt.ARTIFACT_VERSION_PATTERN.match(selector) else aliases.get(selector)
        for data in versions:
            if data["version"] == wanted:
                return StoredVersion(self, data, _aliases_of(aliases, data["version"]))
        have = ", ".join([v["version"] for v in versions] + sorted(aliases))
        raise ArtifactError(f"artifact {name!r} has no version or alias {selector!r}", f"it has: {have}")

    def all_versions(self, name: str) -> list[StoredVersion]:
        aliases = self.aliases(name)
        return [StoredVersion(self, v, _aliases_of(aliases, v["version"])) for v in self.versions(name)]

    def open_blob(self, sha256: str) -> Any:
        """A blob opened for binary reading (OSError when missing; OutsideStore for a link out)."""
        if not _SHA256.match(sha256):
            raise ArtifactError(f"{sha256!r} is not a sha256", "the version file is damaged")
        return self._open(fmt.artifact_blob_relpath(sha256))

    def materialise(self, version: StoredVersion, root: Path, only: str | None = None) -> Path:
        """Copy the version's files (or the one file ``only``) under ``root``, each checked
        against its sha256 on the way; a local reference is copied from where it points (checked
        too when a sha256 was recorded), a URL is left where it is. Returns ``root``."""
        root = Path(root)
        entries = [version.entry(only)] if only is not None else version.entries
        for entry in entries:
            path = entry["path"]
            if not fmt.is_safe_artifact_path(path):
                raise ArtifactError(f"{version.name}:{version.version} names an unsafe path {path!r}", "")
            target = root.joinpath(*path.split("/"))
            if "ref" in entry:
                local = _local_path(entry["ref"])
                if local is None:
                    continue  # a URL: kept as a reference, nothing to copy offline
                try:
                    source = open(local, "rb")  # noqa: SIM115 - closed by _copy_checked
                except OSError as exc:
                    raise ArtifactError(
                        f"{version.name}:{version.version}: the referenced file {local} cannot be read",
                        "references are not copied into the store; restore the file at that path",
                    ) from exc
            else:
                try:
                    source = self.open_blob(entry.get("sha256", ""))
                except OSError as exc:
                    raise ArtifactError(
                        f"{version.name}:{version.version}: the stored copy of {path!r} is missing",
                        f"the store {self.dir} is damaged; log the artifact again from its source",
                    ) from exc
            _copy_checked(source, target, entry, f"{version.name}:{version.version}/{path}")
        return root

    def _read_json(self, relpath: str) -> dict[str, Any] | None:
        try:
            with self._open(relpath) as f:
                raw = f.read(MAX_VERSION_FILE_BYTES)
        except OSError:
            return None
        return fmt.loads_json_object(raw)

    def _open(self, relpath: str) -> Any:
        """Open a store file by the store's one rule: plain files whose real path stays inside."""
        path = os.path.join(self.dir, *relpath.split("/"))
        real_top = os.path.realpath(self.dir)
        real = os.path.realpath(path)
        if not real.startswith(real_top.rstrip(os.sep) + os.sep):
            if not os.path.lexists(path):
                raise FileNotFoundError(path)
            raise OutsideStore(f"{path} leads out of the artifact store; it is not read")
        fd = os.open(
            real, os.O_RDONLY | getattr(os, "O_BINARY", 0) | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
        )
        f = os.fdopen(fd, "rb")
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            f.close()
            raise OutsideStore(f"{path} is not a plain file; it is not read")
        return f


def _copy_checked(source: Any, target: Path, entry: fmt.ArtifactEntryData, label: str) -> None:
    """Copy ``source`` (closed here) to ``target`` through a temp file, keeping it only when its
    sha256 and size match the entry's (when the entry has them)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.{uuid.uuid4().hex[:12]}{fmt.TEMP_SUFFIX}"
    h, size = hashlib.sha256(), 0
    try:
        with source, open(tmp, "xb") as dst:
            while chunk := source.read(_CHUNK_BYTES):
                h.update(chunk)
                dst.write(chunk)
                size += len(chunk)
        expected = entry.get("sha256")
        if expected is not None and (h.hexdigest() != expected or size != entry.get("size", size)):
            raise ArtifactError(
                f"{label} does not match its recorded sha256 (the bytes changed after it was logged)",
                "the copy was not written; log the artifact again from its source",
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _reference_entry(path: str, uri: str) -> fmt.ArtifactEntryData:
    entry = fmt.ArtifactEntryData(path=path, ref=uri)
    local = _local_path(uri)
    try:
        if local is not None and os.path.isfile(local) and os.path.getsize(local) <= REFERENCE_HASH_MAX_BYTES:
            h, size = hashlib.sha256(), 0
            with open(local, "rb") as f:
                while chunk := f.read(_CHUNK_BYTES):
                    h.update(chunk)
                    size += len(chunk)
            entry["sha256"], entry["size"] = h.hexdigest(), size
    except OSError:
        pass
    return entry


def _local_path(uri: str) -> str | None:
    """The local path a reference names (a plain path or ``file://``), None for another URL."""
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return unquote(parsed.path)
    if parsed.scheme and len(parsed.scheme) > 1:  # http://, s3://... (not a Windows drive letter)
        return None
    return uri


def _check_aliases(aliases: list[str]) -> list[str]:
    out: list[str] = []
    for alias in aliases:
        if (
            not isinstance(alias, str)
            or not fmt.is_safe_id(alias)
            or fmt.ARTIFACT_VERSION_PATTERN.match(alias)
        ):
            raise ArtifactError(
                f"{alias!r} cannot be an artifact alias",
                "use letters, digits, '_', '-' and '.'; 'v<number>' is kept for versions",
            )
        if alias not in out:
            out.append(alias)
    return out


def _aliases_of(aliases: dict[str, str], version: str) -> tuple[str, ...]:
    return tuple(sorted(a for a, v in aliases.items() if v == version))


def _number(version: str) -> int:
    return int(version[1:])


def _is_version(data: dict[str, Any], name: str, version: str) -> bool:
    return (
        data.get("name") == name
        and data.get("version") == version
        and isinstance(data.get("type"), str)
        and isinstance(data.get("digest"), str)
        and isinstance(data.get("entries"), list)
        and all(isinstance(e, dict) and isinstance(e.get("path"), str) for e in data["entries"])
    )
