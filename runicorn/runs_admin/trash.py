"""The trash under a storage root (:data:`runicorn.format.TRASH_DIR`): ``runicorn rm`` moves a run
folder there whole, beside a record of where it came from; ``runicorn restore`` moves it back;
``runicorn rm --purge`` deletes what the trash holds. Moves are renames inside the root, so a run
is either in its place or in the trash, never half in each.

``<root>/.trash/<run_id>__<when>/`` holds ``<run_id>/`` (the run folder, untouched) and
``trashed.json`` (:class:`runicorn.format.TrashRecord`).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from runicorn import format as fmt
from runicorn.errors import ConfigError, RunNotFound, StorageError
from runicorn.files import write_json_atomic
from runicorn.runs_admin.liveness import refuse_live
from runicorn.store.index.run_index import RunInfo

WRITABLE_HINT = "check that the storage root is writable by you"


@dataclass(frozen=True)
class TrashEntry:
    """One run in the trash."""

    path: Path  # the entry folder
    run_id: str
    relpath: str  # where the run folder was, relative to the root
    trashed_at: float

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def run_dir(self) -> Path:
        return self.path / self.run_id


def trash_dir(root: Path) -> Path:
    return Path(root) / fmt.TRASH_DIR


def move_to_trash(root: Path, run: RunInfo) -> TrashEntry:
    """Move ``run``'s folder into the trash. RunIsLive when a process is still writing it."""
    refuse_live(run, "move to the trash")
    trash = trash_dir(root)
    try:
        trash.mkdir(exist_ok=True)
        entry_path, now = _new_entry(trash, run.id)
    except OSError as exc:
        raise StorageError(
            f"cannot create a trash entry in {trash}: {exc.strerror or exc}", WRITABLE_HINT
        ) from exc
    record: fmt.TrashRecord = {"run_id": run.id, "relpath": run.relpath, "trashed_at": now}
    try:
        write_json_atomic(entry_path / fmt.TRASH_RECORD_FILE, dict(record))
        os.rename(run.path, entry_path / run.id)
    except OSError as exc:
        shutil.rmtree(entry_path, ignore_errors=True)
        raise StorageError(
            f"cannot move {run.relpath} into {trash}: {exc.strerror or exc}",
            "the run was left where it was; " + WRITABLE_HINT,
        ) from exc
    return TrashEntry(entry_path, run.id, run.relpath, now)


def _new_entry(trash: Path, run_id: str) -> tuple[Path, float]:
    while True:
        now = time.time()
        path = trash / fmt.trash_entry_name(run_id, now)
        try:
            path.mkdir()
            return path, now
        except FileExistsError:
            continue


def trash_entries(root: Path) -> list[TrashEntry]:
    """The runs in the trash, most recently trashed first; entries without a readable record or
    run folder are left out (``runicorn rm --purge`` still deletes them)."""
    return sorted(_entries(root), key=lambda e: (e.trashed_at, e.name), reverse=True)


def _entries(root: Path) -> Iterator[TrashEntry]:
    try:
        folders = [p for p in trash_dir(root).iterdir() if p.is_dir() and not p.is_symlink()]
    except OSError:
        return
    for folder in folders:
        record = fmt.read_json(folder / fmt.TRASH_RECORD_FILE) or {}
        run_id, relpath, when = record.get("run_id"), record.get("relpath"), record.get("trashed_at")
        if not isinstance(run_id, str) or not fmt.is_safe_id(run_id) or not isinstance(relpath, str):
            continue
        if not (folder / run_id).is_dir() or not _is_safe_relpath(relpath):
            continue
        trashed_at = float(when) if isinstance(when, (int, float)) and not isinstance(when, bool) else 0.0
        yield TrashEntry(folder, run_id, relpath, trashed_at)


def _is_safe_relpath(relpath: str) -> bool:
    parts = PurePosixPath(relpath).parts
    return (
        bool(parts)
        and not PurePosixPath(relpath).is_absolute()
        and all(fmt.is_safe_id(part) for part in parts)
        and parts[0] != fmt.TRASH_DIR
    )


def find_trash_entry(root: Path, ref: str) -> TrashEntry:
    """The trash entry ``ref`` names: its run id, or its entry folder name when the trash holds
    that id more than once. RunNotFound for none; ConfigError listing the entries when several match."""
    entries = trash_entries(root)
    by_name = [e for e in entries if e.name == ref]
    if by_name:
        return by_name[0]
    same_id = [e for e in entries if e.run_id == ref]
    if len(same_id) == 1:
        return same_id[0]
    if not same_id:
        raise RunNotFound(
            f"no run with id {ref} in the trash under {root}",
            f"see what the trash holds with: runicorn restore --storage {root}",
        )
    listed = ", ".join(f"{e.name} (from {e.relpath})" for e in same_id)
    raise ConfigError(
        f"the trash under {root} holds the id {ref} {len(same_id)} times: {listed}",
        "name one of them by its trash entry",
    )


def restore_run(root: Path, entry: TrashEntry) -> Path:
    """Move a trashed run back where it was; StorageError when something is there now."""
    target = Path(root, *PurePosixPath(entry.relpath).parts)
    if target.exists() or target.is_symlink():
        raise StorageError(
            f"cannot restore {entry.run_id}: {entry.relpath} exists again under {root}",
            f"move that folder away first; the run stays in the trash as {entry.name}",
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(entry.run_dir, target)
    except OSError as exc:
        raise StorageError(
            f"cannot move {entry.name} back to {entry.relpath}: {exc.strerror or exc}",
            "the run stays in the trash; " + WRITABLE_HINT,
        ) from exc
    shutil.rmtree(entry.path, ignore_errors=True)
    return target


@dataclass(frozen=True)
class TrashSize:
    entries: int
    bytes: int


def trash_size(root: Path) -> TrashSize:
    """How many entries the trash holds and how many bytes of files."""
    folders = _entry_folders(root)
    total = 0
    for folder in folders:
        for dirpath, _dirs, files in os.walk(folder):
            for file in files:
                try:
                    total += os.lstat(os.path.join(dirpath, file)).st_size
                except OSError:
                    pass
    return TrashSize(len(folders), total)


def _entry_folders(root: Path) -> list[Path]:
    try:
        return sorted(p for p in trash_dir(root).iterdir())
    except OSError:
        return []


def purge_trash(root: Path) -> TrashSize:
    """Delete everything in the trash for good; what was deleted."""
    size = trash_size(root)
    for path in _entry_folders(root):
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError as exc:
            raise StorageError(f"cannot delete {path}: {exc.strerror or exc}", WRITABLE_HINT) from exc
    return size
