"""The research view's columns answer kept for the viewer's next start: :class:`ColumnsCache`.

``/api/runs/columns`` counts every config and summary key of the runs: it parses every run's
summary.json (1,500 runs of 1,500 metrics: 82 MB) and needs the first scan done, a second or so
on a fresh viewer. The answer depends on the runs' files alone, so the cache keeps it in the
user's cache folder, never in the run folders (the viewer never writes into runs):
``$XDG_CACHE_HOME/runicorn/columns/<version>/`` (``~/.cache`` without it), folders 0700 and
files 0600 whatever the umask; a folder of another user or open to others is not used.

- **Keyed** by the storage root's resolved path and the project and name filters (the other
  filters hold what runs say and the time: their answers are not kept).
- **Checked** run by run: an entry names every run folder it was computed over (relative path)
  with the ``(size, mtime_ns)`` stamp of each file its answer depends on: meta.json,
  summary.json, config.json and events.jsonl (a summary.json without the metrics' last values
  is shown with those of the events); status.json too when meta.json holds no created time
  (the runs' order then comes from it). A running run changes them all the time: the answers
  over it are not kept. It is used only when the same runs are there with
  the same stamps, the rule the index itself reads files again by. Before the first scan is
  done, the runs are the folders a listing finds and their files are stat'ed (a few ms per
  thousand runs); after, the index's own stamps are compared. A run added, removed or
  changed: the answer is computed again and kept anew.
- **Versioned**: the folder is named for :data:`CACHE_VERSION` and the package version, so
  another Runicorn never trusts an entry; folders of other versions are deleted on writing.
- **Bounded**: at most :data:`MAX_ENTRIES` entries, the least recently used deleted first.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from runicorn import format as fmt
from runicorn.files import user_cache, write_bytes_atomic
from runicorn.files.user_cache import CacheFolder
from runicorn.store.index.run_folder import stamp_run_file
from runicorn.store.index.run_info import RunInfo

__all__ = ["CACHE_VERSION", "ColumnsCache", "default_cache_root", "version_name"]

CACHE_VERSION = 1  # bump when what an entry holds, or how a columns answer is computed, changes
MAX_ENTRIES = 64
_SUFFIX = ".json"


def default_cache_root() -> Path:
    """``$XDG_CACHE_HOME/runicorn/columns`` (``~/.cache`` without the variable)."""
    return user_cache.user_cache_root("columns")


def version_name() -> str:
    from runicorn import __version__

    return f"v{CACHE_VERSION}-{__version__}"


Depends = dict[str, list[int] | None]  # file name -> its [size, mtime_ns] (None: missing)


def answer_depends_on(run: RunInfo) -> Depends | None:
    """The stamps of the files ``run``'s part of a columns answer comes from, as the index read
    them; None when it also depends on something else (its folder's times)."""
    names = [fmt.META_FILE, fmt.SUMMARY_FILE, fmt.CONFIG_FILE, fmt.EVENTS_FILE]
    if not _is_number(run.meta.get("created_at")):
        if not _is_number(run.status.get(fmt.STARTED_AT_KEY)) and not fmt.RUN_ID_PATTERN.match(run.id):
            return None  # ordered by its last activity
        names.append(fmt.STATUS_FILE)
    stamps = run._stamps
    out: Depends = {}
    for name in names:
        if name not in stamps:
            return None
        found = stamps[name]
        out[name] = None if found is None else list(found)
    return out


class ColumnsCache(CacheFolder):
    """Columns answers under ``root`` (default :func:`default_cache_root`). Thread-safe."""

    def __init__(self, root: Path | None = None, max_entries: int = MAX_ENTRIES) -> None:
        super().__init__(Path(root) if root is not None else default_cache_root(), version_name())
        self.max_entries = max_entries

    def entry_path(self, storage: Path, project: str | None, name: str | None) -> Path:
        key = orjson.dumps([os.path.realpath(storage), project, name])
        return self.folder / f"{hashlib.sha256(key).hexdigest()[:32]}{_SUFFIX}"

    # --- reading --------------------------------------------------------------------------------
    def answer_before_scan(
        self, storage: Path, project: str | None, name: str | None, relpaths: Sequence[str]
    ) -> dict[str, Any] | None:
        """The kept answer when the run folders ``relpaths`` (what a listing found) are the
        entry's and their files' stamps, stat'ed now, are too; else None."""
        entry = self._load(storage, project, name)
        if entry is None or len(entry["runs"]) != len(relpaths) or set(entry["runs"]) != set(relpaths):
            return None
        for relpath, depends in entry["runs"].items():
            path_str = os.path.join(storage, relpath)
            folder_is_link = os.path.islink(path_str)
            for file_name, stamp in depends.items():
                now = stamp_run_file(path_str, file_name, folder_is_link)
                if now != (None if stamp is None else tuple(stamp)):
                    return None
        self._touch(storage, project, name)
        return dict(entry["answer"])

    def answer_for_runs(
        self, storage: Path, project: str | None, name: str | None, runs: Sequence[RunInfo]
    ) -> dict[str, Any] | None:
        """The kept answer when ``runs`` (scanned) are the entry's, with the same stamps; else None."""
        entry = self._load(storage, project, name)
        if entry is None or len(entry["runs"]) != len(runs):
            return None
        kept = entry["runs"]
        for run in runs:
            if kept.get(run.relpath) != answer_depends_on(run):
                return None
        self._touch(storage, project, name)
        return dict(entry["answer"])

    def _load(self, storage: Path, project: str | None, name: str | None) -> dict[str, Any] | None:
        if not self._usable():
            return None
        path = self.entry_path(storage, project, name)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            return None
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(fd)
            if not user_cache.is_own_private_file(st):
                return None  # not a file this user's viewer wrote
            try:
                entry = orjson.loads(f.read())
            except (OSError, orjson.JSONDecodeError):
                return None
        if (
            not isinstance(entry, dict)
            or entry.get("version") != version_name()
            or not isinstance(entry.get("runs"), dict)
            or not isinstance(entry.get("answer"), dict)
        ):
            return None
        return entry

    def _touch(self, storage: Path, project: str | None, name: str | None) -> None:
        try:
            os.utime(self.entry_path(storage, project, name))  # recently used
        except OSError:
            pass

    # --- writing --------------------------------------------------------------------------------
    def keep(
        self,
        storage: Path,
        project: str | None,
        name: str | None,
        runs: Sequence[RunInfo],
        answer: dict[str, Any],
    ) -> None:
        """Keep ``answer``, computed over ``runs`` (scanned), for the next start; nothing when a
        run is running (its files will have changed by then), a run's answer depends on more
        than its files' stamps, or the cache cannot be written."""
        if not self._usable():
            return
        now = time.time()
        if any(run.state(now) == fmt.RUNNING for run in runs):
            return
        kept: dict[str, Depends] = {}
        for run in runs:
            depends = answer_depends_on(run)
            if depends is None:
                return
            kept[run.relpath] = depends
        data = orjson.dumps({"version": version_name(), "runs": kept, "answer": answer})
        try:
            with self._lock:
                user_cache.make_private(self.folder)
                write_bytes_atomic(self.entry_path(storage, project, name), data, private=True)
                self._evict()
        except OSError:
            pass  # a cache: the next start computes the answer again

    def _evict(self) -> None:
        """Delete other versions' folders and the least recently used entries over the bound."""
        user_cache.drop_other_versions(self.folder)
        entries = []
        for entry in os.scandir(self.folder):
            if entry.name.endswith(_SUFFIX) and entry.is_file(follow_symlinks=False):
                entries.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.path))
        for _, entry_path in sorted(entries)[: max(0, len(entries) - self.max_entries)]:
            Path(entry_path).unlink(missing_ok=True)

    @property
    def usable(self) -> bool:
        """Whether answers can be kept and read (see :attr:`unusable`)."""
        return self._usable()

    def _usable(self) -> bool:
        """False (with :attr:`unusable` saying why) when the cache folder is not this user's own."""
        if self.unusable is not None or self.max_entries <= 0:
            return False
        self.unusable = user_cache.unusable_because(self.root, self.folder)
        return self.unusable is None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
