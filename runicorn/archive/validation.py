"""Judge an archive before anything is written: every rule that can refuse it runs here.

Refused: names escaping the target (``..``, absolute paths, drive letters), links, device files,
FIFOs, duplicate names, too many entries, too many unpacked bytes, a compression ratio that
signals a bomb, no run at all, and damaged archives. A file that is itself an archive (a torch
checkpoint is a zip) is a plain file: it is copied byte for byte and never opened, so the limits
are those of the outer archive's own entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from runicorn import format as fmt
from runicorn.archive.entries import REFUSED_HINT, ArchiveReader, Entry, safe_entry_name
from runicorn.archive.limits import RATIO_FLOOR_BYTES, ArchiveLimits
from runicorn.errors import ArchiveError

_KIND_REASONS = {
    "symlink": "is a symbolic link",
    "hardlink": "is a hard link",
    "device": "is a device file",
    "fifo": "is a FIFO (named pipe)",
    "encrypted": "is encrypted",
    "unsupported": "uses a compression method this import cannot read",
    "other": "is not a regular file or folder",
}


@dataclass
class ValidatedArchive:
    """What an accepted archive holds: the runs it carries and the file entries to unpack."""

    run_dirs: list[str]  # run folders relative to the archive top ("" = the top is one run)
    files: list[tuple[str, Entry]] = field(default_factory=list)  # (safe name, entry) to unpack
    unpack_bytes: int = 0
    has_manifest: bool = False


def validate(reader: ArchiveReader, limits: ArchiveLimits) -> ValidatedArchive:
    """Check every entry of ``reader`` against the rules and limits; raise ArchiveError if any fails."""
    where = reader.path
    names: dict[str, Entry] = {}
    dirs: set[str] = set()
    total = 0
    for count, entry in enumerate(reader.entries(), start=1):
        if count > limits.max_entries:
            raise ArchiveError(
                f"{where} has more than {limits.max_entries} entries",
                f"{REFUSED_HINT}; raise RUNICORN_MAX_ARCHIVE_ENTRIES if you trust it",
            )
        name, reason = safe_entry_name(entry.raw_name)
        if name is None:
            raise ArchiveError(f"{where}: entry {entry.raw_name!r} {reason}", REFUSED_HINT)
        if entry.kind in _KIND_REASONS:
            raise ArchiveError(f"{where}: entry {entry.raw_name!r} {_KIND_REASONS[entry.kind]}", REFUSED_HINT)
        if entry.kind == "dir":
            dirs.add(name)
            continue
        if not name:
            raise ArchiveError(f"{where}: entry {entry.raw_name!r} is a file without a name", REFUSED_HINT)
        if name in names:
            raise ArchiveError(f"{where}: entry {name!r} appears twice", REFUSED_HINT)
        names[name] = entry
        total += entry.size
        _check_size(reader, limits, total)
    _check_files_are_not_folders(reader, names, dirs)
    run_dirs = _run_dirs(names)
    if not run_dirs:
        raise ArchiveError(
            f"{where} holds no run (no folder with {' or '.join(fmt.RUN_MARKER_FILES)})",
            f"{REFUSED_HINT}; export runs with `runicorn export`",
        )
    for run_dir in run_dirs:
        run_id = PurePosixPath(run_dir).name
        if run_dir and not fmt.is_safe_id(run_id):
            raise ArchiveError(
                f"{where}: run folder {run_dir!r} has a name that cannot be a run id",
                f"{REFUSED_HINT}; run ids use letters, digits, '_', '-' and '.'",
            )
    result = ValidatedArchive(run_dirs=run_dirs, has_manifest=fmt.MANIFEST_FILE in names)
    run_set = set(run_dirs)
    for name, entry in names.items():
        # Left out of runs everywhere: stray temp files, lock files (fmt.NOT_COPIED_SUFFIXES). The
        # suffix rule only (as below files/), on the whole name: dot names are imported as before.
        if not fmt.is_copied_name(name, in_user_files=True):
            continue
        if name == fmt.MANIFEST_FILE or run_of(name, run_set) is not None:
            result.files.append((name, entry))
            result.unpack_bytes += entry.size
    return result


def _check_size(reader: ArchiveReader, limits: ArchiveLimits, total: int) -> None:
    if total > limits.max_bytes:
        raise ArchiveError(
            f"{reader.path} unpacks to more than {limits.max_bytes} bytes",
            f"{REFUSED_HINT}; raise RUNICORN_MAX_ARCHIVE_BYTES if you trust it",
        )
    if total > RATIO_FLOOR_BYTES and total > limits.max_ratio * max(reader.size_bytes, 1):
        raise ArchiveError(
            f"{reader.path} unpacks to more than {limits.max_ratio:g} times its own size "
            f"({reader.size_bytes} bytes): it looks like a zip bomb",
            f"{REFUSED_HINT}; raise RUNICORN_MAX_ARCHIVE_RATIO if you trust it",
        )


def _check_files_are_not_folders(reader: ArchiveReader, names: dict[str, Entry], dirs: set[str]) -> None:
    for name in names:
        if name in dirs:
            raise ArchiveError(f"{reader.path}: {name!r} is both a file and a folder", REFUSED_HINT)
        parent = PurePosixPath(name).parent
        for ancestor in (parent, *parent.parents):
            if str(ancestor) in names:
                raise ArchiveError(
                    f"{reader.path}: {str(ancestor)!r} is both a file and a folder", REFUSED_HINT
                )


def _run_dirs(names: dict[str, Entry]) -> list[str]:
    """Outermost folders holding a run marker file, outside the folders that are never runs."""
    candidates: set[str] = set()
    for name in names:
        path = PurePosixPath(name)
        if path.name in fmt.RUN_MARKER_FILES and not fmt.in_skipped_folder(path.parent.parts):
            candidates.add("" if str(path.parent) == "." else str(path.parent))
    if "" in candidates:
        return [""]
    return sorted(c for c in candidates if run_of(c, candidates) == c)


def run_of(name: str, run_dirs: list[str] | set[str]) -> str | None:
    """The run folder (the outermost of ``run_dirs``) that is ``name`` or holds it, if any."""
    if "" in run_dirs:
        return ""
    path = PurePosixPath(name)
    for ancestor in reversed((path, *list(path.parents)[:-1])):
        if str(ancestor) in run_dirs:
            return str(ancestor)
    return None
