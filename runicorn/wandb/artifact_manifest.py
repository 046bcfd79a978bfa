"""W&B's view of an artifact's files (``artifact.manifest``) and its errors, over Runicorn's
artifact drafts and stored versions (docs/wandb.md#artifacts-and-files).

``manifest.entries`` maps each path inside the artifact to an :class:`ArtifactManifestEntry`
(``path``, ``digest``, ``size``, ``ref``, ``local_path``); ``len(manifest)`` counts them. A path
that could leave the artifact (``..``, an absolute path, a drive letter) raises W&B's
``ValueError("Invalid artifact path: ...")``; what only a logged artifact knows raises
:class:`ArtifactNotLoggedError`, as in W&B.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

from runicorn.artifacts.draft import check_path
from runicorn.errors import ArtifactError
from runicorn.wandb.errors import Error

if TYPE_CHECKING:
    from runicorn.wandb.artifacts import Artifact

__all__ = [
    "ArtifactManifest",
    "ArtifactManifestEntry",
    "ArtifactNotLoggedError",
    "InvalidArtifact",
    "NAME_MAXLEN",
    "artifact_path",
]

NAME_MAXLEN = 128
_DRIVE = re.compile(r"^[A-Za-z]:")


class ArtifactNotLoggedError(Error, ArtifactError, AttributeError):
    """What only a logged artifact knows was asked of one not logged yet (W&B's error)."""

    def __init__(self, fullname: str, obj: Any = None) -> None:
        super().__init__(
            f"'{fullname}' used prior to logging artifact or while in offline mode."
            " Call wait() before accessing logged artifact properties.",
            "log it with run.log_artifact(artifact), or get a logged one with use_artifact('name:latest')",
        )


class InvalidArtifact(ArtifactError, ValueError):
    """An artifact name, type or path that cannot be used (W&B raises ValueError)."""


def artifact_path(name: str) -> str:
    """``name`` as a path inside an artifact; ``InvalidArtifact`` (a ValueError) when it is not one."""
    try:
        if _DRIVE.match(str(name)):
            raise ArtifactError(f"{name!r} names a drive")
        return check_path(name)
    except ArtifactError:
        raise InvalidArtifact(
            f"Invalid artifact path: {name!r}",
            "use a relative path such as 'data/train.csv', without '..', a leading '/' or a drive",
        ) from None


class ArtifactManifestEntry:
    """One file (or reference) of an artifact."""

    def __init__(
        self,
        path: str,
        digest: str | None = None,
        ref: str | None = None,
        size: int | None = None,
        local_path: str | None = None,
        **_ignored: Any,
    ) -> None:
        self.path = str(path)
        self.digest = digest
        self.ref = ref
        self.size = size
        self.local_path = local_path

    def __repr__(self) -> str:
        return f"ArtifactManifestEntry(path={self.path!r}, size={self.size!r})"


class ArtifactManifest:
    """The files of ``artifact``: those of its draft, or of its stored version once logged."""

    def __init__(self, artifact: Artifact) -> None:
        self._artifact = artifact

    @property
    def entries(self) -> dict[str, ArtifactManifestEntry]:
        stored = self._artifact._stored
        if stored is not None:
            return {
                e["path"]: ArtifactManifestEntry(e["path"], e.get("sha256"), e.get("ref"), e.get("size"))
                for e in stored.entries
            }
        out: dict[str, ArtifactManifestEntry] = {}
        for path, source in self._artifact.sources.items():
            out[path] = ArtifactManifestEntry(path, size=_size(source), local_path=str(source))
        for path, ref in self._artifact.references.items():
            out[path] = ArtifactManifestEntry(path, ref=ref)
        return dict(sorted(out.items()))

    def add_entry(self, entry: ArtifactManifestEntry) -> None:
        """Add ``entry`` to a draft: its local file, else as a reference."""
        path = artifact_path(entry.path)
        if entry.local_path is not None:
            self._artifact.add_file(entry.local_path, path)
        else:
            self._artifact.add_reference(entry.ref or path, path)

    def get_entry_by_path(self, path: str) -> ArtifactManifestEntry | None:
        return self.entries.get(path)

    def __len__(self) -> int:
        return len(self.entries)


def _size(path: os.PathLike[str] | str) -> int | None:
    try:
        return os.path.getsize(path)
    except OSError:
        return None
