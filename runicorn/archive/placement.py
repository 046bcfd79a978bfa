"""Where runs are: found under a storage root for export, placed under it on import."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from runicorn import format as fmt
from runicorn.errors import ArchiveError, os_error_as
from runicorn.files import copied_files, find_run_folders

_CHUNK_BYTES = 1024 * 1024
# What an import from another tool did with one run: imported / skipped (the same source files
# were imported before) / renamed (its id was taken by another run).
Outcome = Literal["imported", "skipped", "renamed"]


@dataclass(frozen=True)
class Placement:
    project: str
    name: str
    run_id: str
    # The run's parent folders under the root when the archive shows a known layout; kept as is so
    # an export imported back into its own root lands on the same folders.
    folder: tuple[str, ...] = ()

    def run_dir(self, root: Path, run_id: str | None = None) -> Path:
        """The run's folder under ``root``: its archive position, or where the SDK would put it
        (a ``name`` with ``/`` uses the PyPI 0.6+ layout)."""
        run_id = run_id or self.run_id
        if self.folder:
            return Path(root, *self.folder, run_id)
        if "/" in self.name:
            return Path(root, fmt.RUNS_DIR, self.project, *self.name.split("/"), run_id)
        return fmt.run_dir(root, self.project, self.name, run_id)


def find_runs(root: Path) -> Iterator[fmt.RunLocation]:
    """Every run folder under ``root`` in any known layout, in a stable order (the one walk of
    :func:`runicorn.files.find_run_folders`: links not followed, dot folders skipped)."""
    root = Path(root)
    for path in find_run_folders(root):
        location = fmt.locate_run(root, path)
        if location is not None:
            yield location


def place(run_rel: str, meta: dict[str, object] | None, fallback_id: str) -> Placement:
    """Project, name, id and folder of a run found at ``run_rel`` in an archive.

    Its position decides when it reads as a known layout from some archive top (a storage root,
    a wrapping folder, a ``runs`` folder) and its ``meta.json`` agrees or is silent; otherwise
    ``meta.json`` decides; otherwise the defaults.
    """
    parts = PurePosixPath(run_rel).parts if run_rel else ()
    run_id = parts[-1] if parts else fallback_id
    from_meta = fmt.project_name_from_meta(meta) if meta else None
    if from_meta and not fmt.is_safe_place(*from_meta):
        from_meta = None
    base = Path("/top")
    for start in range(max(len(parts) - 1, 0)):
        location = fmt.locate_run(base, Path(base, *parts[start:]))
        if location is None or not fmt.is_safe_place(location.project, location.name):
            continue
        if from_meta is None or from_meta == (location.project, location.name):
            return Placement(location.project, location.name, run_id, tuple(parts[start:-1]))
        break
    if from_meta:
        return Placement(from_meta[0], from_meta[1], run_id)
    return Placement(fmt.DEFAULT_PROJECT, fmt.DEFAULT_NAME, run_id)


def file_digest(path: Path) -> tuple[int, str]:
    """Size and sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def content_digest(files: dict[str, tuple[int, str]]) -> str:
    """One sha256 over a run's ``{relative path: (size, sha256)}``: equal digests, equal runs."""
    digest = hashlib.sha256()
    for rel in sorted(files):
        size, sha = files[rel]
        digest.update(f"{rel}\0{size}\0{sha}\n".encode())
    return digest.hexdigest()


def run_content(run_dir: Path) -> dict[str, tuple[int, str]]:
    return {f.relpath: file_digest(f.path) for f in copied_files(run_dir)}


def new_staging_dir(root: Path, prefix: str) -> Path:
    """A fresh folder under the root's staging folder, where an import builds runs before one
    rename moves each into place (ArchiveError when the root cannot be written)."""
    staging_parent = root / fmt.IMPORT_STAGING_DIR
    with os_error_as(
        ArchiveError, f"cannot write into the storage root {root}", "check that it exists and is writable"
    ):
        staging_parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=prefix, dir=staging_parent))


@contextmanager
def staging_dir(root: Path, prefix: str) -> Iterator[Path]:
    """:func:`new_staging_dir`, removed with all in it afterwards (and the root's staging folder
    with it, unless another import is staging there too)."""
    staging = new_staging_dir(root, prefix)
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        try:
            staging.parent.rmdir()
        except OSError:
            pass  # another import is staging too


def move_into_place(staged: Path, target: Path, run_id: str) -> None:
    """Move a run finished in staging to its folder under the root (a rename: all or nothing)."""
    hint = "runs listed before this one were imported; check the storage root"
    with os_error_as(ArchiveError, f"cannot move run {run_id} to {target}", hint):
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(staged, target)


# --- runs made from another tool's files (TensorBoard, W&B) ---------------------------------------
@dataclass(frozen=True)
class ImportDestination:
    """Where a run made from another tool's files goes, and what becomes of it."""

    placement: Placement
    outcome: Outcome
    run_id: str  # the placement's id, or the next free one when another run holds it
    target: Path  # the run's folder under the root


def import_destination(root: Path, project: str, name: str, started: float, digest: str) -> ImportDestination:
    """A free id ``<start time>_<6 hex of digest>``, or the id of the run these very files were
    imported as before (``skipped``)."""
    stamp = time.strftime("%Y%m%d_%H%M%S", time.localtime(started))
    placement = Placement(project, name, f"{stamp}_{digest[:6]}")
    for attempt in range(8):
        run_id = f"{stamp}_{digest[attempt * 6 : attempt * 6 + 6]}"
        target = placement.run_dir(root, run_id)
        if not target.exists():
            return ImportDestination(placement, "imported" if attempt == 0 else "renamed", run_id, target)
        if fmt.import_source_digest(fmt.read_json(target / fmt.META_FILE)) == digest:
            return ImportDestination(placement, "skipped", run_id, target)
    raise ArchiveError(
        f"run {placement.run_id} conflicts with too many runs of the same id under {root}",
        "remove old copies of the run and import again",
    )


def earlier_imports(root: Path, placement: Placement, run_id: str, run_rel: str) -> list[str]:
    """Runs imported earlier from the same source folder (``source.run_dir``) with other files."""
    runs_folder = placement.run_dir(root, run_id).parent
    found = []
    for folder in sorted(runs_folder.iterdir()):
        if folder.name != run_id and folder.is_dir():
            meta = fmt.read_json(folder / fmt.META_FILE)
            if fmt.import_source_run_dir(meta) == run_rel and fmt.import_source_digest(meta):
                found.append(folder.name)
    return found
