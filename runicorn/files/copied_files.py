"""The files of a run that a copy carries: :func:`copied_files`.

One rule for archive export, sync and the SSH mirror (:func:`runicorn.format.is_copied_name`,
documented in docs/format.md): every plain file of the run folder and of its folders, except dot
names (but below ``files/``, the user's own files), ``*.tmp`` and ``*.lock`` (a folder so
named is not walked into). Links are neither followed
nor copied; sockets, pipes and devices are left out.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from runicorn import format as fmt

__all__ = ["CopiedFile", "copied_files"]


@dataclass(frozen=True)
class CopiedFile:
    relpath: str  # "/"-separated, relative to the run folder
    path: Path
    stat: os.stat_result  # taken while walking (not following a link)


def copied_files(run_dir: Path) -> Iterator[CopiedFile]:
    """The run's files a copy carries, in a stable order (by name, a folder's files before the
    files of its folders); a folder that cannot be listed is left out."""
    yield from _walk(Path(run_dir), "", in_user_files=False)


def _walk(folder: Path, prefix: str, in_user_files: bool) -> Iterator[CopiedFile]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    folders: list[os.DirEntry[str]] = []
    for entry in entries:
        if not fmt.is_copied_name(entry.name, in_user_files):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                folders.append(entry)
            elif entry.is_file(follow_symlinks=False):
                yield CopiedFile(prefix + entry.name, Path(entry.path), entry.stat(follow_symlinks=False))
        except OSError:
            continue  # gone since the folder was listed
    for entry in folders:
        user_files = in_user_files or (not prefix and entry.name == fmt.FILES_DIR)
        yield from _walk(Path(entry.path), f"{prefix}{entry.name}/", user_files)
