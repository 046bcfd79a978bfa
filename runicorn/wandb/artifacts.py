"""``wandb.Artifact``, ``wandb.log_artifact`` and ``wandb.use_artifact`` over Runicorn's artifact
store (runicorn/artifacts; docs/wandb.md#artifacts-and-files).

An :class:`Artifact` is built like W&B's (``add_file``, ``add_dir``, ``add_reference``,
``new_file``) and logged with ``log_artifact``: its files are stored once by content in
``<root>/.artifacts/`` and it becomes version ``v0``, ``v1``... of its name (the same content
logged again is the same version). ``use_artifact("name:latest")`` gives back a logged artifact
whose ``download()`` copies its files out of the store, each checked against its sha256.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from runicorn.artifacts.draft import Draft, StrPath
from runicorn.artifacts.store import StoredVersion
from runicorn.errors import ArtifactError
from runicorn.sdk.run_like import RunLike
from runicorn.wandb.artifact_manifest import (
    ArtifactManifest,
    ArtifactNotLoggedError,
    InvalidArtifact,
    artifact_path,
)
from runicorn.wandb.errors import Error


class ArtifactEntry:
    """One file of a logged artifact: ``path`` inside it, ``size``, ``digest`` (sha256), and
    ``ref`` for a reference."""

    def __init__(self, stored: StoredVersion, path: str) -> None:
        entry = stored.entry(path)
        self._stored = stored
        self.path = self.name = path
        self.size: int | None = entry.get("size")
        self.digest: str | None = entry.get("sha256")
        self.ref: str | None = entry.get("ref")

    def download(self, root: str | os.PathLike[str] | None = None) -> str:
        """Copy this one file out of the store (checked against its sha256); its local path."""
        folder = self._stored.download(root, only=self.path)
        return str(folder.joinpath(*self.path.split("/")))

    def __repr__(self) -> str:
        return f"ArtifactEntry(path={self.path!r}, size={self.size!r})"


class Artifact(Draft):
    """A W&B-shaped artifact: a draft until logged, then one stored version of its name."""

    def __init__(
        self,
        name: str,
        type: str,
        description: str | None = None,
        metadata: dict[str, Any] | None = None,
        **_ignored: Any,
    ) -> None:
        if type == "job" or str(type).startswith("wandb-"):
            raise InvalidArtifact(
                f"Artifact types 'job' and 'wandb-*' are reserved for internal use, got {type!r}",
                "use a type of your own, such as 'dataset' or 'model'",
            )
        try:
            super().__init__(name, type, description, metadata)
        except ArtifactError as exc:
            raise InvalidArtifact(str(exc), exc.hint) from None
        self._stored: StoredVersion | None = None

    # --- building it (W&B's errors: ValueError for a bad path or a missing file) ------------------
    def add_file(self, local_path: StrPath, name: str | None = None, **_ignored: Any) -> str:
        return _as_value_error(lambda: super(Artifact, self).add_file(local_path, _path_or_none(name)))

    def add_dir(self, local_path: StrPath, name: str | None = None, **_ignored: Any) -> list[str]:
        return _as_value_error(lambda: super(Artifact, self).add_dir(local_path, _path_or_none(name)))

    def add_reference(self, uri: StrPath, name: str | None = None, **_ignored: Any) -> str:
        return _as_value_error(lambda: super(Artifact, self).add_reference(uri, _path_or_none(name)))

    @contextmanager
    def new_file(self, name: str, mode: str = "w", encoding: str | None = None) -> Iterator[IO[Any]]:
        with super().new_file(artifact_path(name), mode, encoding) as f:
            yield f

    @property
    def manifest(self) -> ArtifactManifest:
        """W&B's manifest: ``entries`` (path -> entry) and ``len``."""
        return ArtifactManifest(self)

    @classmethod
    def from_stored(cls, stored: StoredVersion) -> Artifact:
        artifact = cls(stored.name, stored.type, stored.data.get("description"), stored.metadata)
        artifact._stored = stored
        return artifact

    # --- what a logged artifact knows ------------------------------------------------------
    @property
    def version(self) -> str:
        """``v0``, ``v1``... (``ArtifactNotLoggedError`` before it is logged, as in W&B)."""
        return self._logged("version").version

    @property
    def source_version(self) -> str:
        return self._logged("source_version").version

    @property
    def aliases(self) -> list[str]:
        return list(self._logged("aliases").aliases)

    @property
    def entity(self) -> str:
        """W&B's entity; offline, ``"local"``."""
        self._logged("entity")
        return "local"

    @property
    def source_entity(self) -> str:
        self._logged("source_entity")
        return "local"

    @property
    def project(self) -> str | None:
        """The project of the run that first logged it."""
        created_by = self._logged("project").data.get("created_by")
        return created_by.split("/", 1)[0] if created_by else None

    @property
    def source_project(self) -> str | None:
        self._logged("source_project")
        return self.project

    @property
    def ttl(self) -> None:
        """Versions are kept until deleted: no time to live."""
        self._logged("ttl")
        return None

    @property
    def commit_hash(self) -> str:
        return self._logged("commit_hash").digest[:12]

    @property
    def file_count(self) -> int:
        return len(self._logged("file_count").entries)

    @property
    def created_at(self) -> str:
        import datetime

        created = self._logged("created_at").data.get("created_at") or 0.0
        return datetime.datetime.fromtimestamp(created, datetime.timezone.utc).isoformat()

    @property
    def updated_at(self) -> str:
        self._logged("updated_at")
        return self.created_at

    @property
    def digest(self) -> str | None:
        return self._stored.digest if self._stored else None

    @property
    def qualified_name(self) -> str:
        return f"{self.name}:{self.version}" if self._stored else self.name

    def files(self, names: list[str] | None = None, per_page: int = 50) -> list[ArtifactEntry]:
        """Its files (and references), sorted by path."""
        stored = self._logged("files")
        paths = sorted(e["path"] for e in stored.entries if names is None or e["path"] in names)
        return [ArtifactEntry(stored, p) for p in paths]

    def get_path(self, name: str) -> ArtifactEntry:
        """The file ``name`` of the artifact (``.download()`` copies it out)."""
        return ArtifactEntry(self._logged("get_path"), name)

    def get_entry(self, name: str) -> ArtifactEntry:
        return ArtifactEntry(self._logged("get_entry"), name)

    def get(self, name: str) -> Any:
        """W&B reads a logged data type back by name: not kept here (only its files are)."""
        self._logged("get")
        raise Error(
            f"artifact {self.name}:{self.version} cannot give back {name!r} as a data type",
            "read its files with .download() or .get_entry(name).download()",
        )

    def __getitem__(self, name: str) -> Any:
        return self.get(name)

    def checkout(self, root: str | os.PathLike[str] | None = None) -> str:
        """Like :meth:`download` (the folder's other files are left as they are)."""
        return str(self._logged("checkout").download(root))

    def verify(self, root: str | os.PathLike[str] | None = None) -> None:
        """Copy its files out again under ``root``, each checked against its sha256."""
        self._logged("verify").download(root)

    def file(self, root: str | os.PathLike[str] | None = None) -> str:
        """The path of the one file of a one-file artifact, copied out under ``root``."""
        entries = self._logged("file").entries
        if len(entries) != 1:
            raise Error(f"artifact {self.name}:{self.version} has {len(entries)} files", "use .download()")
        return self.get_entry(entries[0]["path"]).download(root)

    def new_draft(self) -> Artifact:
        """A new draft holding this version's files (as references to its stored copies)."""
        stored = self._logged("new_draft")
        draft = Artifact(self.name, self.type, stored.data.get("description"), stored.metadata)
        folder = stored.download(None)
        for entry in stored.entries:
            if entry.get("ref") is not None:
                draft.add_reference(str(entry["ref"]), entry["path"])
            else:
                draft.add_file(folder.joinpath(*entry["path"].split("/")), entry["path"])
        return draft

    def delete(self, delete_aliases: bool = False) -> None:
        self._logged("delete")
        raise Error("deleting an artifact version is not supported", "see docs/artifacts.md")

    def used_by(self) -> list[Any]:
        self._logged("used_by")
        raise Error("wandb's used_by reads W&B's servers", "see the runs that used it in the viewer")

    def logged_by(self) -> Any:
        self._logged("logged_by")
        raise Error("wandb's logged_by reads W&B's servers", "see the run that logged it in the viewer")

    def json_encode(self) -> dict[str, Any]:
        """How W&B refers to a logged version in a config or summary."""
        stored = self._logged("json_encode")
        return {
            "_type": "artifactVersion",
            "id": stored.digest,
            "version": stored.version,
            "sequenceName": stored.name,
            "usedAs": self.name,
        }

    def download(self, root: str | os.PathLike[str] | None = None) -> str:
        """Copy every file out of the store under ``root`` (default ``./artifacts/<name>-<version>``),
        each checked against its sha256; returns that folder."""
        return str(self._logged("download").download(root))

    def wait(self, timeout: float | None = None) -> Artifact:
        """Logging is done when ``log_artifact`` returns: nothing to wait for."""
        return self

    def _logged(self, call: str) -> StoredVersion:
        if self._stored is None:
            raise ArtifactNotLoggedError(f"Artifact.{call}")
        return self._stored

    def __repr__(self) -> str:
        version = self._stored.version if self._stored else None
        return f"Artifact(name={self.name!r}, type={self.type!r}, version={version!r})"


def _path_or_none(name: str | None) -> str | None:
    return None if name is None else artifact_path(name)


def _as_value_error(call: Any) -> Any:
    try:
        return call()
    except InvalidArtifact:
        raise
    except ArtifactError as exc:
        raise InvalidArtifact(str(exc), exc.hint) from None


def log_artifact_into(
    run: RunLike,
    artifact_or_path: Artifact | Draft | str | os.PathLike[str],
    name: str | None = None,
    type: str | None = None,
    aliases: list[str] | None = None,
) -> Artifact | None:
    """``run.log_artifact`` for the SDK run ``run``: the logged :class:`Artifact` (the one given,
    now with its version), or None when it could not be logged (one warning)."""
    # the SDK makes the draft of a path and never raises: a missing file is one warning and None
    stored = run.log_artifact(artifact_or_path, name=name, type=type, aliases=list(aliases or ()))
    if stored is None:
        return None
    if isinstance(artifact_or_path, Artifact):
        artifact_or_path._stored = stored
        return artifact_or_path
    return Artifact.from_stored(stored)


def use_artifact_from(run: RunLike, spec: str | Artifact, type: str | None = None) -> Artifact:
    """``run.use_artifact`` for the SDK run ``run`` (ArtifactError when there is no such version)."""
    if isinstance(spec, Artifact):
        spec = spec.qualified_name
    return Artifact.from_stored(run.use_artifact(str(spec), type=type))


def log_artifact(
    artifact_or_path: Artifact | str | os.PathLike[str],
    name: str | None = None,
    type: str | None = None,
    aliases: list[str] | None = None,
) -> Artifact | None:
    """``wandb.log_artifact``: log into the current run (without one: a warning and None)."""
    run = _current_run()
    if run is None:
        import logging

        logging.getLogger("runicorn").warning("runicorn: wandb.log_artifact was called with no run started")
        return None
    return log_artifact_into(run, artifact_or_path, name, type, aliases)


def use_artifact(spec: str | Artifact, type: str | None = None) -> Artifact:
    """``wandb.use_artifact``: the version, recorded as used by the current run (without a run:
    read from the storage root and recorded nowhere)."""
    run = _current_run()
    if run is None:
        from runicorn.sdk.disabled import DisabledRun

        run = DisabledRun("default", "default")
    return use_artifact_from(run, spec, type)


def _current_run() -> Any:
    import runicorn

    run = runicorn.__dict__.get("_current")
    return None if run is None or run.finished else run


__all__ = [
    "Artifact",
    "ArtifactEntry",
    "ArtifactNotLoggedError",
    "log_artifact",
    "log_artifact_into",
    "use_artifact",
    "use_artifact_from",
]
