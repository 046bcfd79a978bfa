"""The answer of ``/api/runs/columns``, kept: :class:`ColumnsAnswers`.

The answer (:func:`~runicorn.store.query.columns.column_stats` and
:func:`~runicorn.store.query.columns.logged_metric_keys` over the matching runs, and their
number) is kept per generation of the index in memory, and, for the filters that only name a
project and an experiment, in a :class:`~runicorn.store.query.columns_cache.ColumnsCache` for
the viewer's next start: a fresh viewer answers from it before its first scan is done (the
run folders listed and their files stat'ed), and after, when the scanned runs' stamps are the
kept ones. On a first start the :class:`~runicorn.store.query.columns_warmer.ColumnsWarmer`
fills the cache meanwhile; a request for what it computes waits for it. The answer is the one
computed from the files, whichever way it comes.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from runicorn.store.index.generation_cache import GenerationCache
from runicorn.store.index.parsed_summaries import apply_parsed
from runicorn.store.index.run_index import RunIndex
from runicorn.store.query.columns import column_stats, logged_metric_keys
from runicorn.store.query.columns_cache import ColumnsCache
from runicorn.store.query.evaluation import run_filter as run_filter_of
from runicorn.store.query.fields import flat_config
from runicorn.store.query.run_filter import ALL_RUNS, RunFilter

if TYPE_CHECKING:  # the warmer's process imports this module
    from runicorn.store.query.columns_warmer import ColumnsWarmer

__all__ = ["ColumnsAnswers"]


class ColumnsAnswers:
    """Columns answers over ``index``'s runs; ``cache``: kept between starts (None: not);
    ``warmer``: the process computing the first answers into ``cache`` as the viewer starts
    (:mod:`~runicorn.store.query.columns_warmer`); ``reads_ahead``: the first answer starts
    :meth:`read_ahead` (the warmer's own answers do not). Thread-safe."""

    def __init__(
        self,
        index: RunIndex,
        cache: ColumnsCache | None = None,
        warmer: ColumnsWarmer | None = None,
        reads_ahead: bool = True,
    ) -> None:
        self.index = index
        self.cache = cache
        self.warmer = warmer
        self.reads_ahead = reads_ahead  # the first answer starts :meth:`read_ahead`
        self._lock = threading.Lock()
        self._answers: GenerationCache[dict[str, Any]] = GenerationCache(8)
        self._reading_ahead: threading.Thread | None = None
        self._columns_asked = threading.Event()

    def answer(self, run_filter: RunFilter = ALL_RUNS) -> dict[str, Any]:
        """``{"columns", "metric_keys", "total"}`` of the runs ``run_filter`` keeps."""
        f = run_filter
        if self.reads_ahead:
            self.read_ahead()  # the research view's table and queries come next
        kept = self.cache is not None and f.status is None and f.tag is None and run_filter_of(f.q) is None
        if kept and self.cache is not None:
            if self.warmer is not None and f.name is None and not self.warmer.done:
                self.warmer.wait_for(f.project)  # it computes this answer already
            with self.index.hold_scans():  # the first scan, going on, waits meanwhile
                relpaths = self.index.listed_before_scan(f.project, f.name)
                found = None
                if relpaths is not None:
                    found = self.cache.answer_before_scan(self.index.root, f.project, f.name, relpaths)
            if found is not None:
                return found
        generation = self.index.generation
        runs = self.index.select(RunFilter(f.project, f.name, f.status, f.tag, f.q))

        def compute() -> dict[str, Any]:
            if kept and self.cache is not None:
                found = self.cache.answer_for_runs(self.index.root, f.project, f.name, runs)
                if found is not None:
                    return found
            answer = {
                "columns": column_stats(runs),
                "metric_keys": logged_metric_keys(runs),
                "total": len(runs),
            }
            if kept and self.cache is not None:
                self.cache.keep(self.index.root, f.project, f.name, runs, answer)
            return answer

        return self._answers.get(generation, frozenset(r.key for r in runs), compute)

    def read_ahead(self, asked: bool = True) -> None:
        """Once the index's first scan is done (the first page of runs starts it: until then
        pages are answered from the cold index, :mod:`~runicorn.store.index.cold_start`), parse
        every run's summary and flatten its config in a thread of this process (once): the
        research view's table and queries, asked for after its columns, need them, and an answer
        kept by the warmer or an earlier start does not bring them (what the warmer parsed is
        taken from it: :mod:`~runicorn.store.index.parsed_summaries`). ``asked``: by a columns
        request. The viewer also calls it as it starts, when a warmer was started (``asked``
        False): then the rest waits for a columns request unless the warmer hands over what it
        parsed, so that a viewer that only charts never pays for it."""
        if asked:
            self._columns_asked.set()
        with self._lock:
            if self._reading_ahead is not None:
                return
            self._reading_ahead = threading.Thread(
                target=self._read_ahead, name="runicorn-read-ahead", daemon=True
            )
        self._reading_ahead.start()

    def wait_for_read_ahead(self, timeout_s: float | None = None) -> None:
        """Wait for :meth:`read_ahead`'s thread, if started (for tests and the bench)."""
        thread = self._reading_ahead
        if thread is not None:
            thread.join(timeout_s)

    def _read_ahead(self) -> None:
        try:
            self.index.wait_for_first_scan()  # started by the first page asked for
            runs = self.index.runs()
            parsed = self.warmer.parsed_summaries() if self.warmer is not None else None
            if parsed is not None:  # the warmer parsed them: taken rather than parsed again
                apply_parsed(parsed, {run.relpath: run for run in runs})
            else:
                self._columns_asked.wait()
            for run in runs:
                flat_config(run)  # parsed and flattened once, kept by the run
                run.summary_file  # noqa: B018 (not the summary shown: it may read events.jsonl)
        except Exception:  # noqa: S110 - a head start only: a request reads what is missing itself
            pass
