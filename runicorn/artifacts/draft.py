"""An artifact being put together before it is logged: named files, folders and references.

A :class:`Draft` only remembers where each file comes from; nothing is copied until
:meth:`runicorn.artifacts.store.ArtifactStore.log` stores it. Paths inside an artifact are
"/"-separated and never leave it (no ``..``, no absolute path). Adding a missing file, or a
name that cannot be a path in the artifact, raises :class:`~runicorn.errors.ArtifactError` at
once: the mistake is in the caller's code, before any training depends on it.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from runicorn import format as fmt
from runicorn.errors import ArtifactError

StrPath = str | os.PathLike[str]


def check_name(label: str, value: Any) -> str:
    """``value`` when it can name an artifact (or its type): a safe id, see runicorn/format/layout.py."""
    if not isinstance(value, str) or not fmt.is_safe_id(value):
        raise ArtifactError(
            f"artifact {label} {value!r} cannot be used",
            "use letters, digits, '_', '-' and '.', not starting with '.' (max 128 characters)",
        )
    return value


def check_path(path: str) -> str:
    """``path`` (backslashes read as "/") when it can name a file inside an artifact."""
    clean = str(path).replace("\\", "/")
    if not fmt.is_safe_artifact_path(clean):
        raise ArtifactError(
            f"{path!r} cannot name a file inside an artifact",
            "use a relative path such as 'data/train.csv', without '..' or a leading '/'",
        )
    return clean


class Draft:
    """Files (by their path inside the artifact) and references, waiting to be logged."""

    def __init__(
        self,
        name: str,
        type: str,
        description: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.name = check_name("name", name)
        self.type = check_name("type", type)
        self.description = description
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.sources: dict[str, Path] = {}  # path in the artifact -> the local file it copies
        self.references: dict[str, str] = {}  # path in the artifact -> a path or URL, kept as text
        self._scratch: Path | None = None  # new_file's folder, removed with the draft

    def add_file(self, local_path: StrPath, name: str | None = None) -> str:
        """Add one file (a link is read as the file it points to) as ``name`` (default: its own
        name). Returns its path inside the artifact."""
        path = Path(local_path)
        try:
            is_file = stat.S_ISREG(os.stat(path).st_mode)
        except OSError:
            is_file = False
        if not is_file:
            raise ArtifactError(
                f"cannot add {path}: not a readable file", "check the path, or use add_dir for a folder"
            )
        inside = check_path(name if name is not None else path.name)
        self.sources[inside] = path.absolute()
        self.references.pop(inside, None)
        return inside

    def add_dir(self, local_path: StrPath, name: str | None = None) -> list[str]:
        """Add every plain file below a folder, keeping its layout, under ``name`` (default: the
        artifact's top). Links inside the folder are skipped: only plain files are stored."""
        top = Path(local_path)
        if not top.is_dir():
            raise ArtifactError(
                f"cannot add {top}: not a folder", "check the path, or use add_file for a file"
            )
        prefix = check_path(name) + "/" if name else ""
        added = []
        for folder, dirs, files in os.walk(top, followlinks=False):
            dirs.sort()
            for file_name in sorted(files):
                source = Path(folder) / file_name
                if not stat.S_ISREG(os.lstat(source).st_mode):
                    continue
                inside = check_path(prefix + source.relative_to(top).as_posix())
                self.sources[inside] = source.absolute()
                self.references.pop(inside, None)
                added.append(inside)
        return added

    def add_reference(self, uri: StrPath, name: str | None = None) -> str:
        """Record a path or URL without copying it. A local file's sha256 and size are recorded
        when it is at most ``REFERENCE_HASH_MAX_BYTES``."""
        text = os.fspath(uri)
        default = text.rstrip("/").rsplit("/", 1)[-1] or "reference"
        inside = check_path(name if name is not None else default)
        self.references[inside] = text
        self.sources.pop(inside, None)
        return inside

    @contextmanager
    def new_file(self, name: str, mode: str = "w", encoding: str | None = None) -> Iterator[IO[Any]]:
        """Open a new file to write into the artifact as ``name``; it is added when the block ends."""
        inside = check_path(name)
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="runicorn-artifact-"))
            weakref.finalize(self, shutil.rmtree, str(self._scratch), True)
        path = self._scratch / str(len(self.sources) + len(self.references)) / inside.rsplit("/", 1)[-1]
        path.parent.mkdir(parents=True, exist_ok=True)
        if "b" not in mode and encoding is None:
            encoding = "utf-8"
        with open(path, mode, encoding=encoding) as f:
            yield f
        self.add_file(path, inside)

    def paths(self) -> list[str]:
        """Every path inside the artifact, sorted."""
        return sorted({*self.sources, *self.references})
