"""Which folders under a storage root are runs, without reading them: :class:`RunFolders`.

The one walk every part that looks for runs uses (the viewer's index, ``runicorn ls``, archive
export, sync). A folder is a run when it holds one of :data:`runicorn.format.RUN_MARKER_FILES` as a
plain file that may be read (:func:`runicorn.files.is_run_file`); a run folder is not walked into.
Other folders are walked into, never through a link, never into
:data:`runicorn.format.IGNORED_DIR_NAMES` directly under the root, nor a folder whose name a copy
of a run leaves out (:func:`runicorn.format.is_copied_name`: dot folders, ``*.lock``, ``*.tmp``),
and a run is found at
most :data:`runicorn.format.MAX_RUN_DEPTH` folders below the root. The root itself is never a run.

Each folder's listing is cached with its mtime and only listed again when that changes, so walking
a large tree again costs one ``stat`` per folder that holds runs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from runicorn import format as fmt
from runicorn.files.run_files import is_run_file

__all__ = ["RunFolders", "find_run_folders"]


def _walked_into(name: str, at_root: bool) -> bool:
    """A folder the walk goes into: the ignored names are skipped directly under the root only
    (an experiment called ``media`` is found), dot folders and ``*.lock``/``*.tmp`` anywhere."""
    return not (at_root and name in fmt.IGNORED_DIR_NAMES) and fmt.is_copied_name(name)


@dataclass
class _Container:
    mtime_ns: int
    dirs: list[str]  # child folder names that are not runs
    runs: list[str]  # child folder names that are runs


class RunFolders:
    """The run folders under ``root``. Not thread-safe: one walk at a time."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._containers: dict[str, _Container] = {}

    def walk(self) -> list[str]:
        """Every run folder, as a ``/``-separated path relative to the root, in a stable order."""
        runs: list[str] = []
        seen: set[str] = set()
        self._walk("", 0, seen, runs)
        for gone in [c for c in self._containers if c not in seen]:
            del self._containers[gone]
        return runs

    def _walk(self, rel: str, depth: int, seen: set[str], runs: list[str]) -> None:
        path = os.path.join(self.root, rel) if rel else os.fspath(self.root)
        try:
            mtime_ns = os.stat(path).st_mtime_ns
        except OSError:
            return
        seen.add(rel)
        cached = self._containers.get(rel)
        if cached is None or cached.mtime_ns != mtime_ns:
            cached = self._containers[rel] = _list_container(path, mtime_ns, at_root=not rel)
        runs.extend(f"{rel}/{name}" if rel else name for name in cached.runs)
        if depth + 1 < fmt.MAX_RUN_DEPTH:  # the children's children are at most MAX_RUN_DEPTH down
            for name in cached.dirs:
                self._walk(f"{rel}/{name}" if rel else name, depth + 1, seen, runs)


def find_run_folders(root: Path) -> list[Path]:
    """Every run folder under ``root`` (one walk of :class:`RunFolders`, nothing cached)."""
    root = Path(root)
    return [root.joinpath(*rel.split("/")) for rel in RunFolders(root).walk()]


def _list_container(path: str, mtime_ns: int, at_root: bool) -> _Container:
    dirs: list[str] = []
    runs: list[str] = []
    try:
        entries = list(os.scandir(path))
    except OSError:
        return _Container(mtime_ns, [], [])
    for entry in entries:
        if not _walked_into(entry.name, at_root):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False):
                continue
        except OSError:
            continue
        if any(is_run_file(entry.path, marker) for marker in fmt.RUN_MARKER_FILES):
            runs.append(entry.name)
        else:
            dirs.append(entry.name)
    return _Container(mtime_ns, sorted(dirs), sorted(runs))
