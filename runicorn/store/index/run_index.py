"""Finds the runs under a storage root, in every layout :func:`runicorn.format.locate_run` knows.

:class:`RunIndex` answers what the viewer and the CLI ask about the runs: lists, pages, single
runs, groups and labels. It is three parts: a :class:`~runicorn.store.index.scanner.Scanner`
that reads what changed under the root into the next run set, a
:class:`~runicorn.store.index.rescan_scheduler.RescanScheduler` that decides when to scan
(and holds the one lock and thread), and the published
:class:`~runicorn.store.index.run_set.RunSet` that every answer is read from without a lock.
Run keys are described in :mod:`runicorn.store.index.run_set`. Nothing is ever written under
the root.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from runicorn import format as fmt
from runicorn.errors import BadArgument
from runicorn.store.index.cold_start import ColdIndex
from runicorn.store.index.labels import LabelCache
from runicorn.store.index.rescan_scheduler import MAX_HOLD_S, NEW_RUNS_ON_DEMAND, RescanRules, RescanScheduler
from runicorn.store.index.run_info import GroupInfo, RunInfo, RunPage
from runicorn.store.index.scanner import Scanner
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
    "MAX_HOLD_S",
    "SORT_FIELDS",
    "SUMMARY_SORT_PREFIX",
    "GroupInfo",
    "RunIndex",
    "RunInfo",
    "RunPage",
]


class RunIndex:
    """All runs under ``root``, refreshed lazily. Thread-safe; one per viewer process.

    ``rules``: how fresh it is kept (see :class:`~runicorn.store.index.rescan_scheduler.RescanRules`).
    """

    def __init__(self, root: Path, rules: RescanRules = NEW_RUNS_ON_DEMAND):
        self.root = Path(root)
        self.scheduler = RescanScheduler(Scanner(self.root), rules)
        self._labels = LabelCache()

    @property
    def generation(self) -> int:
        """Counts the run sets whose runs' JSON files changed (see :class:`RunSet`)."""
        return self.scheduler.run_set.generation

    @property
    def skipped(self) -> dict[str, str]:
        """Folders not served, by relative path, with the reason."""
        return dict(self.scheduler.run_set.skipped)

    @property
    def last_error(self) -> str | None:
        """What stopped the last background re-scan, if anything."""
        return self.scheduler.last_error

    @property
    def _cold(self) -> ColdIndex | None:
        return self.scheduler.cold

    def _cold_index(self) -> ColdIndex | None:
        return self.scheduler.cold_index()

    def refresh(self, force: bool = False, max_age_s: float | None = None) -> None:
        """Re-scan now, in the caller (see :meth:`RescanScheduler.refresh`)."""
        self.scheduler.refresh(force, max_age_s)

    @contextmanager
    def hold_scans(self) -> Iterator[None]:
        """Background re-scans pause while the caller reads (see :meth:`RescanScheduler.hold_scans`)."""
        with self.scheduler.hold_scans():
            yield

    def wait_for_first_scan(self) -> None:
        """Wait until a first scan is published; starts none (see
        :meth:`RescanScheduler.wait_for_first_scan`)."""
        self.scheduler.wait_for_first_scan()

    def wait_for_refresh(self, timeout_s: float | None = None) -> None:
        """Wait for a background re-scan in progress, if any (for tests and the bench)."""
        self.scheduler.wait_for_refresh(timeout_s)

    # --- reading -------------------------------------------------------------------------------
    def runs(self) -> list[RunInfo]:
        """Every run, newest first."""
        with self.hold_scans():
            self.scheduler.ensure_fresh()
            return list(self.scheduler.run_set.newest_first)

    def get(self, key: str) -> RunInfo | None:
        """The run with this key (or plain id, see :mod:`~runicorn.store.index.run_set`); None when
        unknown or unsafe."""
        if not isinstance(key, str) or not fmt.is_safe_id(key):
            return None
        with self.hold_scans():
            return self._get(key)

    def _get(self, key: str) -> RunInfo | None:
        cold = self.scheduler.cold_index()
        if cold is not None:
            found = cold.get(key)
            if found is not None:
                return found
        self.scheduler.ensure_fresh()
        info = self.scheduler.run_set.lookup(key)
        if info is None:  # perhaps created since the last re-scan
            self.refresh(max_age_s=0.2)
            info = self.scheduler.run_set.lookup(key)
        return info

    def projects(self) -> list[GroupInfo]:
        """Projects with their run counts, by name."""
        return self._groups(lambda r: r.project, None)

    def names(self, project: str) -> list[GroupInfo]:
        """Experiment names of one project with their run counts, by name."""
        return self._groups(lambda r: r.name, project)

    def _groups(self, key_of: Callable[[RunInfo], str], project: str | None) -> list[GroupInfo]:
        now = time.time()
        with self.hold_scans():
            self.scheduler.ensure_fresh()
            return self.scheduler.run_set.groups(key_of, project, now)

    def labels(self, runs: Sequence[RunInfo], first: Sequence[str] = ()) -> dict[str, str]:
        """The label of each of ``runs`` by key, computed over them (:mod:`runicorn.store.index.labels`;
        ``first``: the chosen config keys, which lead), kept per generation of the index."""
        return self._labels.labels(runs, self.generation, first)

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
        compiled = run_filter_of(f.q, f.where)
        with self.hold_scans():
            now = time.time()
            if f.sort == "created" and not (f.status or f.tag or compiled):  # nothing that needs run contents
                cold = self.scheduler.cold_index()
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

    def listed_before_scan(self, project: str | None, name: str | None) -> list[str] | None:
        """Before the first scan is done: the relative paths of the run folders of ``project``
        and ``name`` (None: any) a listing finds, no file read; None once it is done."""
        cold = self.scheduler.cold_index()
        return None if cold is None else cold.relpaths(project, name)

    def select(self, run_filter: RunFilter = ALL_RUNS) -> list[RunInfo]:
        """Every run matching the filters (as :meth:`query`), sorted, after the first scan."""
        check_sort_field(run_filter.sort)
        compiled = run_filter_of(run_filter.q, run_filter.where)
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
