"""Import an archive safely: judge it, unpack it into a staging folder inside the storage root,
check it, then move each run into place with one rename.

A refused or failing import leaves nothing behind; importing the same archive again changes
nothing; a run whose id is taken by a different run is kept under a new id.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from runicorn import format as fmt
from runicorn.archive.entries import CORRUPT_ERRORS, REFUSED_HINT, ArchiveReader
from runicorn.archive.limits import ArchiveLimits
from runicorn.archive.placement import (
    Placement,
    content_digest,
    move_into_place,
    new_staging_dir,
    place,
    run_content,
)
from runicorn.archive.validation import ValidatedArchive, run_of, validate
from runicorn.errors import ArchiveError

ProgressCallback = Callable[[int, int], None]  # (bytes done, bytes total)
Outcome = Literal["imported", "skipped", "renamed"]
_CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ImportResult:
    """What happened to one run of an archive."""

    archive: str
    outcome: Outcome  # imported / skipped (identical run already there) / renamed (id taken)
    run_id: str  # the id in the archive
    new_id: str  # the id it has now (equal to run_id unless renamed)
    project: str
    name: str
    path: Path
    files: int
    bytes: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "archive": self.archive,
            "outcome": self.outcome,
            "run_id": self.run_id,
            "new_id": self.new_id,
            "project": self.project,
            "name": self.name,
            "files": self.files,
            "bytes": self.bytes,
        }


def import_archive(
    archive: Path,
    root: Path,
    limits: ArchiveLimits | None = None,
    on_progress: ProgressCallback | None = None,
    display_name: str | None = None,
) -> list[ImportResult]:
    """Import every run of ``archive`` into storage root ``root``; ArchiveError if refused."""
    archive, root = Path(archive), Path(root).absolute()
    limits = limits or ArchiveLimits()
    with ArchiveReader(archive) as reader:
        checked = validate(reader, limits)
        new_root = not root.exists()
        staging = new_staging_dir(root, "import-")
        try:
            hashes = _unpack(reader, checked, staging, on_progress)
            if checked.has_manifest:
                _check_manifest(archive, staging, checked, hashes)
            return _move_runs(display_name or archive.name, root, staging, checked, hashes)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            try:
                staging.parent.rmdir()
                if new_root:
                    root.rmdir()  # a failed import into a new root leaves no empty root either
            except OSError:
                pass  # another import is staging too, or runs were imported


def _unpack(
    reader: ArchiveReader, checked: ValidatedArchive, staging: Path, on_progress: ProgressCallback | None
) -> dict[str, tuple[int, str]]:
    """Stream the entries to keep into ``staging``; ``{name: (size, sha256)}``."""
    hashes: dict[str, tuple[int, str]] = {}
    done = 0
    for name, entry in checked.files:
        target = staging.joinpath(*PurePosixPath(name).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        try:
            with reader.open(entry) as source, open(target, "xb") as sink:
                while chunk := source.read(_CHUNK_BYTES):
                    size += len(chunk)
                    if size > entry.size:
                        raise ArchiveError(
                            f"{reader.path}: entry {name!r} holds more bytes than it declares", REFUSED_HINT
                        )
                    digest.update(chunk)
                    sink.write(chunk)
                    done += len(chunk)
                    if on_progress:
                        on_progress(done, checked.unpack_bytes)
        except CORRUPT_ERRORS as exc:
            raise reader.corrupt(exc) from exc
        except OSError as exc:
            raise ArchiveError(
                f"cannot unpack {name!r} into the storage root: {exc.strerror or exc}",
                f"{REFUSED_HINT}; check free space in the storage root",
            ) from exc
        if size != entry.size:
            raise reader.corrupt(EOFError(f"entry {name!r} is shorter than it declares"))
        hashes[name] = (size, digest.hexdigest())
    return hashes


def _check_manifest(
    archive: Path, staging: Path, checked: ValidatedArchive, hashes: dict[str, tuple[int, str]]
) -> None:
    manifest = fmt.read_json(staging / fmt.MANIFEST_FILE)
    runs = manifest.get("runs") if manifest else None
    if not isinstance(runs, list):
        raise ArchiveError(
            f"{archive}: {fmt.MANIFEST_FILE} is not readable", f"{REFUSED_HINT}; export it again"
        )
    for run in runs:
        try:
            for file in run["files"]:
                name = f"{run['path']}/{file['path']}" if run["path"] else file["path"]
                if hashes.get(name) != (file["size"], file["sha256"]):
                    raise ArchiveError(
                        f"{archive}: {name!r} does not match the archive's manifest",
                        f"{REFUSED_HINT}; the archive is damaged or was altered, export it again",
                    )
        except (KeyError, TypeError) as exc:
            raise ArchiveError(
                f"{archive}: {fmt.MANIFEST_FILE} is malformed", f"{REFUSED_HINT}; export it again"
            ) from exc


def _move_runs(
    archive_name: str,
    root: Path,
    staging: Path,
    checked: ValidatedArchive,
    hashes: dict[str, tuple[int, str]],
) -> list[ImportResult]:
    run_set = set(checked.run_dirs)
    contents: dict[str, dict[str, tuple[int, str]]] = {run: {} for run in checked.run_dirs}
    for name, value in hashes.items():
        run = run_of(name, run_set)
        if run is not None and name != fmt.MANIFEST_FILE:
            contents[run][name[len(run) + 1 :] if run else name] = value
    fallback_id = _fallback_id(archive_name)
    plans = []
    for run_rel in checked.run_dirs:
        staged = staging.joinpath(*PurePosixPath(run_rel).parts)
        meta = fmt.read_json(staged / fmt.META_FILE)
        placement = place(run_rel, meta, fallback_id)
        plans.append((staged, placement, contents[run_rel]))
    results = []
    for staged, placement, content in plans:
        outcome, new_id = _destination(root, placement, content)
        target = placement.run_dir(root, new_id)
        if outcome != "skipped":
            move_into_place(staged, target, placement.run_id)
        results.append(
            ImportResult(
                archive_name,
                outcome,
                placement.run_id,
                new_id,
                placement.project,
                placement.name,
                target,
                len(content),
                sum(size for size, _sha in content.values()),
            )
        )
    return results


def _destination(
    root: Path, placement: Placement, content: dict[str, tuple[int, str]]
) -> tuple[Outcome, str]:
    """Outcome and run id: a free id, an identical run already there, or a new id from the content."""
    digest = content_digest(content)
    run_id = placement.run_id
    for attempt in range(8):
        if attempt:
            tail = digest[(attempt - 1) * 6 : attempt * 6]
            base = placement.run_id
            run_id = f"{base[:-6]}{tail}" if fmt.RUN_ID_PATTERN.match(base) else f"{base}_{tail}"
        target = placement.run_dir(root, run_id)
        if not target.exists():
            return ("imported" if attempt == 0 else "renamed"), run_id
        if content_digest(run_content(target)) == digest:
            return "skipped", run_id
    raise ArchiveError(
        f"run {placement.run_id} conflicts with too many runs of the same id under {root}",
        "remove old copies of the run and import again",
    )


def _fallback_id(archive_name: str) -> str:
    """The id of a run that is the archive's top folder itself (no folder name to take it from)."""
    stem = archive_name
    for suffix in (".tar.gz", ".tgz", ".tar", ".zip"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return stem if fmt.is_safe_id(stem) else fmt.new_run_id()
