"""Reading what changed under a storage root into the next run set: :class:`Scanner`.

Given the previous :class:`~runicorn.store.index.run_set.RunSet`, a scan returns the next one.
Folders that hold runs are only listed again when their own mtime changed
(:class:`~runicorn.files.run_folders.RunFolders`), run folders are only looked into when their
mtime changed (the SDK rewrites its JSON files by rename, which touches the folder), and the
files of running runs are stat'ed on every scan. Each run's JSON files (meta, status, summary,
config) are read again only when their ``(size, mtime_ns)`` changed (summary.json's bytes are
parsed when the run's summary is first asked for); a run whose files changed is copied, so the
previous set is never touched. Folders whose name is not a safe id
(:func:`runicorn.format.is_safe_id`) are skipped and listed in ``RunSet.skipped``.

A scanner has no thread and no lock: one scan at a time (the caller sees to it). Nothing is
ever written under the root.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from operator import attrgetter
from pathlib import Path

from runicorn import format as fmt
from runicorn.files.run_folders import RunFolders
from runicorn.store.index.cold_start import ListedRun
from runicorn.store.index.run_folder import last_activity, load_run_files, read_new_run, stat_run_files
from runicorn.store.index.run_info import RunInfo
from runicorn.store.index.run_set import RunSet, copy_run, duplicate_key, runs_by_id

__all__ = ["Scanner"]


class Scanner:
    """Scans the runs under ``root``. Not thread-safe: one scan (or listing) at a time."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._root_str = os.fspath(self.root)
        self._listing = RunFolders(self.root)

    def scan(self, previous: RunSet, full: bool, between_runs: Callable[[], None] | None = None) -> RunSet:
        """The run set after ``previous``: runs added, removed or changed since. ``full`` looks
        into every run folder, changed mtime or not. ``between_runs`` is called before each run
        (a background scan pauses there for readers)."""
        rels = self._listing.walk()
        known = previous.by_relpath
        skipped = dict(previous.skipped)
        runs: dict[str, RunInfo] = {}
        changed = previous.generation == 0  # the first scan publishes a first generation
        for rel in rels:
            if between_runs is not None:
                between_runs()
            before = known.get(rel)
            info = self._scan_run(rel, before, full, skipped)
            if info is None:
                continue
            runs[rel] = info
            if before is None or (info is not before and info._stamps != before._stamps):
                changed = True
        if not changed and len(runs) != len(known):  # a run removed
            changed = True
        return RunSet.build(runs, skipped, previous.generation + changed)

    def _scan_run(
        self, rel: str, before: RunInfo | None, full: bool, skipped: dict[str, str]
    ) -> RunInfo | None:
        """The run at ``rel`` now: ``before`` when nothing changed, else a new :class:`RunInfo`;
        None (noted in ``skipped``) for a folder that is not served."""
        path_str = os.path.join(self._root_str, rel)
        info = before
        if info is None:
            path = Path(path_str)
            loc = fmt.locate_run(self.root, path)
            if loc is None:
                skipped[rel] = "not in a known layout"
                return None
            if not fmt.is_safe_id(loc.run_id):
                skipped[rel] = "folder name is not a safe run id"
                return None
            info = RunInfo(loc.run_id, loc.run_id, loc.project, loc.name, path, rel, loc.layout)
        try:
            dir_mtime_ns = os.stat(path_str).st_mtime_ns
        except OSError:
            return info
        if (
            dir_mtime_ns == info._dir_mtime_ns
            and not full
            and info.status.get(fmt.STATUS_KEY) not in (None, fmt.RUNNING)
        ):
            return info
        stat = stat_run_files(path_str)
        if before is not None:
            if (
                stat[0] == before._stamps
                and dir_mtime_ns == before._dir_mtime_ns
                and last_activity(stat[1], dir_mtime_ns) == before.last_activity
            ):
                return before
            info = copy_run(before)
        info._dir_mtime_ns = dir_mtime_ns
        load_run_files(info, path_str, stat)
        return info

    def listed(self) -> list[ListedRun]:
        """What the paths say about each run folder (as :meth:`scan` sees it), with its key, in
        path order; no file is read. Sibling folders share their place: one
        :func:`~runicorn.format.locate_run` call per parent folder, not per run, as building
        paths for 10,000 runs takes a while."""
        out: list[ListedRun] = []
        place: tuple[str, fmt.RunLocation | None] = ("", None)
        for rel in sorted(self._listing.walk()):
            parent, _, run_id = rel.rpartition("/")
            if place[0] != parent or place[1] is None or run_id in fmt.IGNORED_DIR_NAMES:
                place = (parent, fmt.locate_run(self.root, Path(self._root_str, rel)))
            loc = place[1]
            if loc is not None and fmt.is_safe_id(run_id):
                out.append(ListedRun(run_id, run_id, loc.project, loc.name, rel, loc.layout))
        for run_id, same_id in runs_by_id(out, attrgetter("id")).items():
            if len(same_id) > 1:
                for listed in same_id:
                    listed.key = duplicate_key(run_id, listed.relpath)
        return out

    def read_listed(self, listed: ListedRun) -> RunInfo:
        """A listed run, read now."""
        path = Path(self._root_str, listed.relpath)
        return read_new_run(
            RunInfo(listed.key, listed.id, listed.project, listed.name, path, listed.relpath, listed.layout)
        )
