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
from typing import Any

from runicorn.artifacts.draft import Draft
from runicorn.artifacts.store import StoredVersion
from runicorn.errors import ArtifactError
from runicorn.sdk.run_like import RunLike


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
        super().__init__(name, type, description, metadata)
        self._stored: StoredVersion | None = None

    def add_file(
        self,
        local_path: str | os.PathLike[str],
        name: str | None = None,
        is_tmp: bool | None = False,
        skip_cache: bool | None = False,
        policy: str | None = "mutable",
        overwrite: bool = False,
    ) -> str:
        """W&B's ``add_file``: the file is copied into the store when the artifact is logged, so
        ``policy`` ("mutable" or "immutable"), ``is_tmp``, ``skip_cache`` and ``overwrite`` change
        nothing here (Lightning's ``WandbLogger`` passes ``policy``)."""
        return super().add_file(local_path, name)

    @classmethod
    def from_stored(cls, stored: StoredVersion) -> Artifact:
        artifact = cls(stored.name, stored.type, stored.data.get("description"), stored.metadata)
        artifact._stored = stored
        return artifact

    # --- what a logged artifact knows ------------------------------------------------------
    @property
    def version(self) -> str | None:
        """``v0``, ``v1``...; None before it is logged."""
        return self._stored.version if self._stored else None

    @property
    def aliases(self) -> list[str]:
        return list(self._stored.aliases) if self._stored else []

    @property
    def digest(self) -> str | None:
        return self._stored.digest if self._stored else None

    @property
    def qualified_name(self) -> str:
        return f"{self.name}:{self.version}" if self._stored else self.name

    def files(self) -> list[ArtifactEntry]:
        """Its files (and references), sorted by path."""
        stored = self._logged("files")
        return [ArtifactEntry(stored, e["path"]) for e in sorted(stored.entries, key=lambda e: e["path"])]

    def get_path(self, name: str) -> ArtifactEntry:
        """The file ``name`` of the artifact (``.download()`` copies it out)."""
        return ArtifactEntry(self._logged("get_path"), name)

    def get_entry(self, name: str) -> ArtifactEntry:
        return self.get_path(name)

    def download(self, root: str | os.PathLike[str] | None = None) -> str:
        """Copy every file out of the store under ``root`` (default ``./artifacts/<name>-<version>``),
        each checked against its sha256; returns that folder."""
        return str(self._logged("download").download(root))

    def wait(self, timeout: float | None = None) -> Artifact:
        """Logging is done when ``log_artifact`` returns: nothing to wait for."""
        return self

    def _logged(self, call: str) -> StoredVersion:
        if self._stored is None:
            raise ArtifactError(
                f"artifact {self.name!r} is not logged yet: .{call}() needs a stored version",
                "call run.log_artifact(artifact) first, or get it with use_artifact('name:latest')",
            )
        return self._stored

    def __repr__(self) -> str:
        return f"Artifact(name={self.name!r}, type={self.type!r}, version={self.version!r})"


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
    "log_artifact",
    "log_artifact_into",
    "use_artifact",
    "use_artifact_from",
]
