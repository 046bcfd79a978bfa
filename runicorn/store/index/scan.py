"""Finds the runs under a storage root, in every layout :func:`runicorn.format.locate_run` knows.

:class:`RunIndex` keeps one :class:`RunInfo` per run folder in memory. Each run's JSON files
(meta, status, summary, config) are cached by ``(size, mtime_ns)`` and only read again when that
changes. A refresh is cheap: folders that hold runs are only listed again when their own mtime
changed, run folders are only looked into when their mtime changed (the SDK rewrites its JSON
files by rename, which touches the folder), and the files of running runs are stat'ed on every
refresh. Refreshes happen at most every ``refresh_interval_s`` seconds, on demand, so a new run
appears on its own without any watcher thread. Nothing is ever written under the root.

Run keys: a run is addressed by its ``key``. The key is the run id when that id is unique under
the root. When the same id sits in two folders (a copied run, an imported archive), every copy
gets the key ``<id>.<8 hex of sha1(relative folder path)>``, stable across restarts; asking for
the plain id then returns the copy whose relative path sorts first. Folders whose name is not a
safe id (:func:`runicorn.format.is_safe_id`) are skipped and listed in ``RunIndex.skipped``.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from runicorn import format as fmt
from runicorn.errors import BadArgument
from runicorn.files.run_folders import RunFolders
from runicorn.store.index.cold_start import ColdIndex, ListedRun
from runicorn.store.index.labels import LabelCache
from runicorn.store.index.run_folder import load_run_files
from runicorn.store.index.run_info import GroupInfo, RunInfo, RunPage
from runicorn.store.query.evaluation import CompiledQuery
from runicorn.store.query.evaluation import run_filter as run_filter_of
from runicorn.store.query.fields import FieldContext
from runicorn.store.query.order import (
    SORT_FIELDS,
    SUMMARY_SORT_PREFIX,
    check_sort_field,
    filter_runs,
    sorted_runs,
)
from runicorn.store.query.run_filter import ALL_RUNS, RunFilter

__all__ = [
    "SORT_FIELDS",
    "SUMMARY_SORT_PREFIX",
    "GroupInfo",
    "RunIndex",
    "RunInfo",
    "RunPage",
]

_Run = TypeVar("_Run", RunInfo, ListedRun)
# A background re-scan waits while a reader holds scans (hold_scans) and for a moment after,
# at most MAX_HOLD_S in all per re-scan.
MAX_HOLD_S = 10.0
QUIET_AFTER_READ_S = 0.05
YIELD_EVERY_S, YIELD_FOR_S = 0.002, 0.0001  # a background re-scan's pauses for new requests
# A request finding the index older than the re-scan interval waits for a re-scan if the last one
# took at most this long (else it is answered from memory while one runs in the background).
MAX_SCAN_IN_REQUEST_S = 0.5


class RunIndex:
    """All runs under ``root``, refreshed lazily. Thread-safe; one per viewer process.

    With ``background=True`` (the viewer's choice) a reader never waits for a re-scan: a stale
    index answers from memory at once and starts one re-scan thread. The first scan also runs in
    the background; until it is done, the default runs page and single runs are answered by a
    :class:`~runicorn.store.index.cold_start.ColdIndex` and other queries wait for it. With
    ``background=False`` every scan is done in the caller.
    """

    def __init__(
        self,
        root: Path,
        refresh_interval_s: float = 1.0,
        full_check_interval_s: float = 10.0,
        background: bool = False,
        rescan_pause_factor: float = 10.0,
    ):
        self.root = Path(root)
        self.refresh_interval_s = refresh_interval_s
        self.full_check_interval_s = full_check_interval_s
        self.background = background
        # In the background, a re-scan waits at least this many times the last one's duration, so
        # re-scanning a huge tree never takes more than a small share of the CPU.
        self.rescan_pause_factor = rescan_pause_factor
        self.skipped: dict[str, str] = {}  # relpath -> why
        self.last_error: str | None = None  # what stopped the last background re-scan, if anything
        self._lock = threading.Lock()  # guards swapping the published state and the thread handle
        self._refresh_lock = threading.Lock()  # one re-scan at a time
        self._thread: threading.Thread | None = None
        self._listing = RunFolders(self.root)
        self._cold: ColdIndex | None = None  # until the first scan is published
        self._cold_lock = threading.Lock()  # one cold index built at a time
        self._holds = 0  # readers asking background re-scans to wait (hold_scans)
        self._quiet_until = 0.0  # monotonic time until which background re-scans keep waiting
        self._scan_waiters = 0  # readers waiting for a scan to finish (it then waits for no one)
        self._runs: dict[str, RunInfo] = {}  # by relpath; touched only under _refresh_lock
        # Published state, replaced whole after each re-scan:
        self._newest_first: list[RunInfo] = []
        self._by_key: dict[str, RunInfo] = {}
        self._by_id: dict[str, list[RunInfo]] = {}
        self._refreshed_at = -1e18
        self._full_checked_at = -1e18
        self._last_scan_s = 0.0
        self._root_str = os.fspath(self.root)
        # Counts the published states whose runs' JSON files changed (a run added, removed or
        # read again): what is computed over the runs' contents is kept per generation.
        self.generation = 0
        self._changed = True
        self._labels = LabelCache()

    # --- refreshing ----------------------------------------------------------------------------
    def refresh(self, force: bool = False, max_age_s: float | None = None) -> None:
        """Re-scan now, in the caller.

        A no-op when the last re-scan is younger than ``max_age_s`` (default
        ``refresh_interval_s``); ``force`` re-scans now and re-checks every run's files.
        """
        self._refresh(force, max_age_s, yielding=False)

    def _refresh(self, force: bool, max_age_s: float | None, yielding: bool, full_ok: bool = True) -> None:
        if yielding:
            self._refresh_lock.acquire()
        else:  # a reader waiting for the scan: the scan must not wait for readers now
            with self._lock:
                self._scan_waiters += 1
            try:
                self._refresh_lock.acquire()
            finally:
                with self._lock:
                    self._scan_waiters -= 1
        try:
            self._refresh_locked(force, max_age_s, yielding, full_ok)
        finally:
            self._refresh_lock.release()

    def _refresh_locked(self, force: bool, max_age_s: float | None, yielding: bool, full_ok: bool) -> None:
        now = time.monotonic()
        age = self.refresh_interval_s if max_age_s is None else max_age_s
        if not force and now - self._refreshed_at < age:
            return
        full = force or (full_ok and self._full_check_due(now))
        rels = self._listing.walk()
        held_until = time.monotonic() + MAX_HOLD_S
        waited_s = 0.0
        yielded_at = time.monotonic()
        for rel in rels:
            if yielding:
                if self._readers_active():
                    waited_s += self._wait_for_readers(held_until)
                elif time.monotonic() - yielded_at > YIELD_EVERY_S:
                    # A short sleep hands the interpreter lock to a request that just came in
                    # (it would otherwise wait up to the switch interval, 5 ms, each time).
                    time.sleep(YIELD_FOR_S)
                    yielded_at = time.monotonic()
            self._update_run(rel, full)
        for gone in set(self._runs) - set(rels):
            del self._runs[gone]
            self._changed = True
        self._publish()
        self._refreshed_at = time.monotonic()
        self._last_scan_s = self._refreshed_at - now - waited_s
        if full:
            self._full_checked_at = self._refreshed_at

    def _full_check_due(self, now: float) -> bool:
        full_every_s = max(self.full_check_interval_s, self._last_scan_s * 5 * self.rescan_pause_factor)
        return now - self._full_checked_at >= full_every_s

    def _readers_active(self) -> bool:
        return not self._scan_waiters and (self._holds > 0 or time.monotonic() < self._quiet_until)

    def _wait_for_readers(self, until: float) -> float:
        start = time.monotonic()
        while self._readers_active() and time.monotonic() < until:
            time.sleep(0.005)
        return time.monotonic() - start

    @contextmanager
    def hold_scans(self) -> Iterator[None]:
        """Background re-scans pause while a reader reads, and for ``QUIET_AFTER_READ_S`` after
        (while the answer is sent), at most ``MAX_HOLD_S`` per re-scan: a scan is Python work
        that would otherwise make every request wait for its turn at the interpreter lock."""
        with self._lock:
            self._holds += 1
        try:
            yield
        finally:
            with self._lock:
                self._holds -= 1
                self._quiet_until = time.monotonic() + QUIET_AFTER_READ_S

    def _ensure_fresh(self) -> None:
        """Make the index at most a re-scan interval old for this request.

        In the background mode a request that finds the index older than the interval (the
        viewer sat idle: nobody asked while it aged) waits for an incremental re-scan (folder
        mtimes; the every-10-s check of all files is left to the background), unless re-scans
        take longer than ``MAX_SCAN_IN_REQUEST_S``. A request that finds it older than half the
        interval starts a background re-scan and is answered from memory, so a busy viewer's
        requests find the index young and never wait."""
        if self._refreshed_at < -1e17 or not self.background:
            self.refresh()
            return
        interval_s = max(self.refresh_interval_s, self._last_scan_s * self.rescan_pause_factor)
        age_s = time.monotonic() - self._refreshed_at
        if age_s >= interval_s and self._last_scan_s <= MAX_SCAN_IN_REQUEST_S:
            self._refresh(False, interval_s, yielding=False, full_ok=False)
            if self._full_check_due(time.monotonic()):
                self._refresh_in_background()
        elif age_s >= interval_s / 2:
            self._refresh_in_background()

    def _refresh_in_background(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._refresh_quietly, name="runicorn-rescan", daemon=True
                )
                self._thread.start()

    def _refresh_quietly(self) -> None:
        try:
            self._refresh(False, None, yielding=True)
            self.last_error = None
        except Exception as exc:  # a background thread must not die loudly; the index stays usable
            self.last_error = f"{type(exc).__name__}: {exc}"

    def wait_for_refresh(self, timeout_s: float | None = None) -> None:
        """Wait for a background re-scan in progress, if any (for tests and the bench)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout_s)

    def _cold_index(self) -> ColdIndex | None:
        """Before the first scan is published (background mode): the cold index, built on first
        use from a listing of the run folders, with the first scan started in the background."""
        if not self.background or self._refreshed_at > -1e17:
            return None
        with self._cold_lock:
            if self._cold is not None or self._refreshed_at > -1e17:
                return self._cold
            if not self._refresh_lock.acquire(blocking=False):
                return None  # a first scan is already running in a caller: wait for it
            try:
                runs = self._listed(self._listing.walk())
            finally:
                self._refresh_lock.release()
            _assign_keys(runs)
            cold = ColdIndex(runs, self._read_listed)
            with self._lock:
                self._cold = cold
        self._refresh_in_background()
        return cold

    def _listed(self, rels: list[str]) -> list[ListedRun]:
        """What the paths say about each run folder (as :meth:`_update_run` sees it), in path
        order. Sibling folders share their place: one :func:`~runicorn.format.locate_run` call
        per parent folder, not per run, as building paths for 10,000 runs takes a while."""
        out: list[ListedRun] = []
        place: tuple[str, fmt.RunLocation | None] = ("", None)
        for rel in sorted(rels):
            parent, _, run_id = rel.rpartition("/")
            if place[0] != parent or place[1] is None or run_id in fmt.IGNORED_DIR_NAMES:
                place = (parent, fmt.locate_run(self.root, Path(self._root_str, rel)))
            loc = place[1]
            if loc is not None and fmt.is_safe_id(run_id):
                out.append(ListedRun(run_id, run_id, loc.project, loc.name, rel, loc.layout))
        return out

    def _read_listed(self, listed: ListedRun) -> RunInfo:
        path = Path(self._root_str, listed.relpath)
        info = RunInfo(
            listed.key, listed.id, listed.project, listed.name, path, listed.relpath, listed.layout
        )
        path_str = os.fspath(path)
        try:
            info._dir_mtime_ns = os.stat(path_str).st_mtime_ns
        except OSError:
            return info
        load_run_files(info, path_str)
        return info

    def _update_run(self, rel: str, full: bool) -> None:
        info = self._runs.get(rel)
        path_str = os.path.join(self._root_str, rel)
        if info is None:
            path = Path(path_str)
            loc = fmt.locate_run(self.root, path)
            if loc is None:
                self.skipped[rel] = "not in a known layout"
                return
            if not fmt.is_safe_id(loc.run_id):
                self.skipped[rel] = "folder name is not a safe run id"
                return
            info = RunInfo(loc.run_id, loc.run_id, loc.project, loc.name, path, rel, loc.layout)
            self._runs[rel] = info
            self._changed = True
        try:
            dir_mtime_ns = os.stat(path_str).st_mtime_ns
        except OSError:
            return
        if (
            dir_mtime_ns == info._dir_mtime_ns
            and not full
            and info.status.get(fmt.STATUS_KEY)
            not in (
                None,
                fmt.RUNNING,
            )
        ):
            return
        info._dir_mtime_ns = dir_mtime_ns
        stamps = info._stamps
        load_run_files(info, path_str)
        if info._stamps != stamps:
            self._changed = True

    def _publish(self) -> None:
        by_id = _assign_keys([self._runs[rel] for rel in sorted(self._runs)])
        by_key = {info.key: info for infos in by_id.values() for info in infos}
        newest_first = sorted(by_key.values(), key=lambda r: (r.created_at, r.key), reverse=True)
        with self._lock:
            self._by_id, self._by_key, self._newest_first = by_id, by_key, newest_first
            self._cold = None
            if self._changed:
                self.generation += 1
                self._changed = False

    # --- reading -------------------------------------------------------------------------------
    def runs(self) -> list[RunInfo]:
        """Every run, newest first."""
        with self.hold_scans():
            self._ensure_fresh()
            return list(self._newest_first)

    def get(self, key: str) -> RunInfo | None:
        """The run with this key (or plain id, see the module doc); None when unknown or unsafe."""
        if not isinstance(key, str) or not fmt.is_safe_id(key):
            return None
        with self.hold_scans():
            return self._get(key)

    def _get(self, key: str) -> RunInfo | None:
        cold = self._cold_index()
        if cold is not None:
            found = cold.get(key)
            if found is not None:
                return found
        self._ensure_fresh()
        info = self._lookup(key)
        if info is None:  # perhaps created since the last re-scan
            self.refresh(max_age_s=0.2)
            info = self._lookup(key)
        return info

    def _lookup(self, key: str) -> RunInfo | None:
        info = self._by_key.get(key)
        if info is None:
            same_id = self._by_id.get(key)
            info = same_id[0] if same_id else None
        return info

    def projects(self) -> list[GroupInfo]:
        """Projects with their run counts, by name."""
        return self._groups(lambda r: r.project, None)

    def names(self, project: str) -> list[GroupInfo]:
        """Experiment names of one project with their run counts, by name."""
        return self._groups(lambda r: r.name, project)

    def _groups(self, key_of: Any, project: str | None) -> list[GroupInfo]:
        now = time.time()
        groups: dict[str, GroupInfo] = {}
        for run in self.runs():
            if project is not None and run.project != project:
                continue
            name = key_of(run)
            g = groups.get(name)
            if g is None:
                g = groups[name] = GroupInfo(name, 0, 0.0, 0)
            g.run_count += 1
            g.last_created_at = max(g.last_created_at, run.created_at)
            g.running += run.state(now) == fmt.RUNNING
        return [groups[k] for k in sorted(groups)]

    def labels(self, runs: Sequence[RunInfo]) -> dict[str, str]:
        """The label of each of ``runs`` by key, computed over them (:mod:`runicorn.store.index.labels`),
        kept per generation of the index."""
        return self._labels.labels(runs, self.generation)

    def query(self, run_filter: RunFilter = ALL_RUNS, limit: int | None = 50, offset: int = 0) -> RunPage:
        """Filter, sort and page the runs.

        ``run_filter.status`` compares the derived status (``crashed`` included); ``q`` is a query
        (:mod:`runicorn.store.query.grammar`) or plain words, searched as a case-insensitive substring
        over id, project, name, alias, tags and notes (see
        :func:`~runicorn.store.query.evaluation.run_filter`). ``sort`` is one of :data:`SORT_FIELDS`,
        ``summary.<key>`` (numeric; runs without a number there sort last in either direction) or
        any other field of the query grammar (``config.lr``, ``tags``, ``label``...: numbers
        before strings, runs without a number or string there last in either direction).
        The page's ``matched`` holds every matching run in order (None when the page was answered
        before the first scan). Raises BadArgument for an unknown sort field or negative paging,
        :class:`~runicorn.errors.QueryError` for a query that does not parse.
        """
        if offset < 0 or (limit is not None and limit < 0):
            raise BadArgument("limit and offset must not be negative")
        f = run_filter
        check_sort_field(f.sort)
        compiled = run_filter_of(f.q)
        with self.hold_scans():
            now = time.time()
            if f.sort == "created" and not (f.status or f.tag or compiled):  # nothing that needs run contents
                cold = self._cold_index()
                page = cold.page(f.project, f.name, f.descending, limit, offset) if cold is not None else None
                if page is not None:
                    return page
            runs = self.runs()
            end = None if limit is None else offset + limit
            if f.sort == "created" and not (f.narrows or compiled):
                ordered = runs if f.descending else runs[::-1]
                return RunPage(len(ordered), offset, limit, ordered[offset:end], ordered)
            matches = self._matching(runs, f, compiled, now)
            return RunPage(len(matches), offset, limit, matches[offset:end], matches)

    def select(self, run_filter: RunFilter = ALL_RUNS) -> list[RunInfo]:
        """Every run matching the filters (as :meth:`query`), sorted, after the first scan."""
        check_sort_field(run_filter.sort)
        compiled = run_filter_of(run_filter.q)
        with self.hold_scans():
            return self._matching(self.runs(), run_filter, compiled, time.time())

    def _matching(
        self, runs: list[RunInfo], run_filter: RunFilter, compiled: CompiledQuery | None, now: float
    ) -> list[RunInfo]:
        """``runs`` that pass the filters, sorted by ``sort`` (labels computed over the matches)."""
        wants_labels = compiled is not None and compiled.needs_labels
        ctx = FieldContext(now, self.labels(runs) if wants_labels else {})
        matches = filter_runs(runs, run_filter, compiled, ctx)
        ctx = FieldContext(now, self.labels(matches) if run_filter.sort == "label" else {})
        return sorted_runs(matches, run_filter.sort, run_filter.descending, ctx)


def _assign_keys(runs: Sequence[_Run]) -> dict[str, list[_Run]]:
    """Set each run's key (see the module doc); ``runs`` in relative path order. By id."""
    by_id: dict[str, list[_Run]] = {}
    for info in runs:
        by_id.setdefault(info.id, []).append(info)
    for run_id, infos in by_id.items():
        if len(infos) == 1:
            infos[0].key = run_id
        else:
            for info in infos:
                info.key = f"{run_id}.{hashlib.sha1(info.relpath.encode()).hexdigest()[:8]}"
    return by_id
