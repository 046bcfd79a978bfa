"""The read side as one object: what the viewer holds to answer every request.

``StoreReader(root)`` combines the run index (:mod:`runicorn.store.index.run_index`), the per-run column
cache (:mod:`runicorn.store.metrics.series`), log reading (:mod:`runicorn.store.logs.tail`) and media lookup.
Every method takes a run ``key`` (see :mod:`runicorn.store.index.run_set` for keys of duplicated ids) and
raises :class:`runicorn.errors.RunNotFound` for an unknown or unsafe key, ``BadArgument`` for a
bad argument (the viewer turns these into 404 and 400). It never writes under ``root``.
"""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.errors import BadArgument, RunNotFound
from runicorn.files import is_run_file, read_run_file
from runicorn.store.index.generation_cache import GenerationCache
from runicorn.store.index.labels import chosen_config_keys
from runicorn.store.index.rescan_scheduler import RescanRules
from runicorn.store.index.run_index import GroupInfo, RunIndex, RunInfo, RunPage
from runicorn.store.logs.line_ends import LineEnds
from runicorn.store.logs.tail import LogChunk, read_logs
from runicorn.store.metrics.columns import X_MODES
from runicorn.store.metrics.compare import run_answer
from runicorn.store.metrics.csv_export import metrics_csv
from runicorn.store.metrics.decode_pool import DecodePool
from runicorn.store.metrics.decoded_cache import DecodedCache
from runicorn.store.metrics.jsonl_decoder import JsonlDecoder
from runicorn.store.metrics.key_series_cache import KeySeriesCache
from runicorn.store.metrics.series import RunSeries
from runicorn.store.metrics.series_cache import SeriesCache
from runicorn.store.query.columns_answer import ColumnsAnswers
from runicorn.store.query.columns_cache import ColumnsCache
from runicorn.store.query.columns_warmer import ColumnsWarmer
from runicorn.store.query.fields import FieldContext
from runicorn.store.query.grouped import (
    MAX_GROUPED_RUNS,
    MAX_RUN_LINES,
    Points,
    finite_points,
    group_runs,
    grouped_metric,
    one_group_per_run,
)
from runicorn.store.query.metric_goal import MetricGoals
from runicorn.store.query.run_filter import ALL_RUNS, RunFilter
from runicorn.store.records.alerts import alert_logs
from runicorn.store.records.artifact_links import ArtifactLinksIndex
from runicorn.store.records.media import media_files, media_path, open_media_file
from runicorn.store.records.media_records import MediaRecordsCache, histograms
from runicorn.store.records.run_progress import checkpoint_logs
from runicorn.store.records.tables import TableFiles, TableUnreadable, page
from runicorn.store.records.text_values import MAX_PAGE_ROWS, TextValuesCache

DEFAULT_LOG_LINES = 1000
LOG_READS_AT_ONCE = 2  # log reads running at once; more wait (see read_logs_at)


MAX_RUN_TEXT_BYTES = 5 * 1024 * 1024
_FIELDS_OF_NOW = frozenset({"status", "duration"})  # their values change with the time alone
CACHE_WRITE_WAIT_S = 10.0  # on close, for the decoded cache's writes in progress


class StoreReader:
    """Read-only access to every run under ``root``. Thread-safe; create one per process."""

    def __init__(
        self,
        root: Path,
        refresh_interval_s: float = 1.0,
        max_cached_runs: int = 64,
        decode_workers: int = 0,
        decoded_cache: DecodedCache | None = None,
        columns_cache: ColumnsCache | None = None,
        columns_warmer: ColumnsWarmer | None = None,
    ) -> None:
        """``decode_workers``: processes that help decode the cold read of a long run, started on
        first such read (the viewer passes :func:`~runicorn.store.metrics.decode_pool.default_workers`;
        0 decodes in the calling thread only). See :mod:`runicorn.store.metrics.decode_pool`.
        ``decoded_cache``: where long runs decoded from JSON are kept for the next start (the
        viewer passes one in the user's cache folder; None keeps nothing; see
        :mod:`runicorn.store.metrics.jsonl_decoder`). ``columns_cache``: where the research view's
        columns answer is kept for the next start (None keeps nothing; see
        :mod:`runicorn.store.query.columns_cache`); ``columns_warmer``: the process filling it as
        the viewer starts (:mod:`runicorn.store.query.columns_warmer`), stopped on :meth:`close`."""
        self.root = Path(root)
        self.index = RunIndex(self.root, RescanRules(refresh_interval_s=refresh_interval_s, background=True))
        self.decode_pool = DecodePool(decode_workers)
        self.decoder = JsonlDecoder(decoded_cache)
        self.series_cache = SeriesCache(max_runs=max_cached_runs, pool=self.decode_pool, decoder=self.decoder)
        self.key_series = KeySeriesCache(pool=self.decode_pool)  # one key of many runs (charts)
        self._log_reads = threading.BoundedSemaphore(LOG_READS_AT_ONCE)
        self.line_ends = LineEnds()  # where the cut log lines end, looked for once per file
        self._alerts = alert_logs(max_runs=max_cached_runs)
        self.checkpoint_logs = checkpoint_logs(max_runs=max_cached_runs)  # also for the Jobs page
        self.media_records = MediaRecordsCache(max_runs=max_cached_runs)
        self.text_value_index = TextValuesCache()  # the text, null and list values of metric rows
        self.table_files = TableFiles()
        # the research view's columns
        self.columns = ColumnsAnswers(self.index, columns_cache, columns_warmer)
        self.artifact_links = ArtifactLinksIndex(self.index)  # the artifacts page's joins
        # grouped answers by runs, query and the runs' events files (size, time), per generation
        self._grouped_answers: GenerationCache[dict[str, Any]] = GenerationCache(8)

    def close(self) -> None:
        """Stop the decoding processes, if any were started (reads go on in the caller), and the
        columns warmer, and finish writing what the decoded cache was given (a few seconds at
        most)."""
        self.decode_pool.close()
        if self.columns.warmer is not None:
            self.columns.warmer.stop()
        if self.decoder.cache is not None:
            self.decoder.cache.wait(CACHE_WRITE_WAIT_S)

    def run(self, key: str) -> RunInfo:
        """The run, or RunNotFound."""
        info = self.index.get(key)
        if info is None:
            raise RunNotFound(f"no run {key!r} under {self.root}", "list runs with GET /api/runs")
        return info

    def find_run(self, key: str) -> RunInfo | None:
        """The run, or None."""
        return self.index.get(key)

    def all_runs(self) -> list[RunInfo]:
        """Every run, newest first."""
        return self.index.runs()

    def query_runs(
        self, run_filter: RunFilter = ALL_RUNS, limit: int | None = 50, offset: int = 0
    ) -> RunPage:
        """One page of the runs ``run_filter`` keeps, in its order (see :meth:`RunIndex.query`)."""
        return self.index.query(run_filter, limit, offset)

    def select_runs(self, run_filter: RunFilter = ALL_RUNS) -> list[RunInfo]:
        """Every run ``run_filter`` keeps, in its order, after the first scan."""
        return self.index.select(run_filter)

    def labels(self, runs: Sequence[RunInfo], columns: Sequence[str] = ()) -> dict[str, str]:
        """The label of each of ``runs`` by key, computed over them; the config keys among the
        chosen ``columns`` lead its keys (:mod:`runicorn.store.index.labels`)."""
        return self.index.labels(runs, chosen_config_keys(columns))

    @property
    def generation(self) -> int:
        """Grows whenever a run's files changed: what is computed over runs is kept per generation."""
        return self.index.generation

    def projects(self) -> list[GroupInfo]:
        """The projects, with run counts."""
        return self.index.projects()

    def names(self, project: str) -> list[GroupInfo]:
        """The experiment names of ``project``, with run counts (empty for an unknown project)."""
        return self.index.names(project)

    def rescan(self) -> None:
        """Look at the run folders again now (after an import added some)."""
        self.index.refresh(False, 0.0)

    def series(self, key: str) -> RunSeries:
        """The run's metric columns, up to date."""
        return self._series_at(self.run(key).path)

    def _series_at(self, run_dir: Path) -> RunSeries:
        # Reading a long run's events is heavy: background re-scans wait meanwhile.
        with self.index.hold_scans():
            return self.series_cache.get(run_dir)

    def run_detail(self, key: str) -> dict[str, Any]:
        """:meth:`RunInfo.as_dict` plus ``metric_keys``, ``system_keys``, ``media_count`` and
        ``malformed_lines`` (events lines skipped as broken; > 0 means the data is partial)."""
        info = self.run(key)
        series = self._series_at(info.path)
        detail = info.as_dict()
        detail["metric_keys"] = series.metric_keys()
        detail["system_keys"] = series.system_keys()
        detail["media_count"] = len(series.images)
        detail["malformed_lines"] = series.malformed
        detail["has_git_diff"] = is_run_file(info.path, fmt.GIT_DIFF_FILE)
        detail["has_traceback"] = is_run_file(info.path, fmt.TRACEBACK_FILE)
        if series.malformed:
            detail["warnings"] = [
                *detail["warnings"],
                f"{series.malformed} malformed lines skipped in events",
            ]
        return detail

    def metrics(
        self,
        key: str,
        keys: list[str] | None = None,
        x: str = "step",
        max_points: int = 2000,
        since: int | None = None,
    ) -> dict[str, Any]:
        """See :meth:`RunSeries.metrics`; ``since`` is the ``offset`` of an earlier answer."""
        with self.index.hold_scans():  # reading and downsampling a long run are heavy
            return self.series(key).metrics(keys, x=x, max_points=max_points, since=since)

    def system(
        self, key: str, x: str = "time", max_points: int = 2000, since: int | None = None
    ) -> dict[str, Any]:
        """The run's CPU/GPU/RAM history (system records), same shape as :meth:`metrics`."""
        with self.index.hold_scans():
            return self.series(key).metrics(None, x=x, max_points=max_points, since=since, system=True)

    def metrics_csv(self, key: str) -> Iterator[bytes]:
        """The full metric history as CSV chunks (see :mod:`runicorn.store.metrics.csv_export`)."""
        return metrics_csv(self.series(key))

    def compare(
        self,
        keys: list[str],
        metrics: list[str],
        x: str = "step",
        max_points: int = 2000,
        columns: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Metrics of several runs side by side (see :func:`~runicorn.store.metrics.compare.compare_runs`):
        ``{"x", "ids": [found keys], "missing": [unknown keys], "labels": {key: label},
        "metrics": {metric: [per run]}}`` (labels computed over the found runs, the config keys
        among ``columns`` leading); RunNotFound when none of the runs is known. Only the metrics
        asked for (and ``x``) are read of a run that is not in the series cache."""
        found: dict[str, Path] = {}
        infos: list[RunInfo] = []
        missing = []
        for key in keys:
            info = self.index.get(key)
            if info is None:
                missing.append(key)
            else:
                found[key] = info.path
                infos.append(info)
        if not found:
            raise RunNotFound(
                f"none of the runs {', '.join(keys)} is under {self.root}", "list runs with GET /api/runs"
            )

        def answers(series: RunSeries) -> list[dict[str, Any]]:
            return [run_answer(series, m, x, max_points) for m in metrics]

        wanted = {*metrics, *([] if x in X_MODES else [x])}
        per_run: list[list[dict[str, Any]]] = [[] for _ in found]  # no metrics: the runs and labels
        if metrics:
            with self.index.hold_scans():  # reading and downsampling many runs is heavy
                paths = list(found.values())
                per_run = self.key_series.read_many(paths, wanted, answers, self.series_cache.peek)
        out = {
            m: [{"run": k, **a[i]} for k, a in zip(found, per_run, strict=True)]
            for i, m in enumerate(metrics)
        }
        labels = self.labels(infos, columns)
        return {"x": x, "ids": list(found), "missing": missing, "labels": labels, "metrics": out}

    def grouped_metric(
        self,
        runs: Sequence[RunInfo],
        by: str,
        key: str,
        x: str = "step",
        band: str = "minmax",
        max_points: int = 1000,
        columns: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Metric ``key`` of ``runs`` grouped by field ``by`` (see :mod:`runicorn.store.query.grouped`):
        at most ``MAX_GROUPED_RUNS`` runs (the first ones), of each only ``key`` (and ``x``) read.
        ``by`` empty: one group per run (the first ``MAX_RUN_LINES``), named by the runs' labels
        (the config keys among ``columns`` leading).
        ``x`` ``auto``: the ``step_metric`` the runs' ``define_metric`` give ``key``, else ``step``
        (the answer's ``x`` says which). Adds ``by``, ``runs_total`` and ``truncated``. An answer
        is kept until the index's generation moves on or an events file of its runs changes (not
        when grouped by a field that changes with the time: ``status``, ``duration``)."""
        used = list(runs[: MAX_GROUPED_RUNS if by else MAX_RUN_LINES])
        if x == "auto":
            x = MetricGoals(used).step_metric(key) or "step"
        wanted = {key, *([] if x in X_MODES else [x])}

        def read_points(group_runs_: Sequence[RunInfo]) -> list[Points]:
            paths = [r.path for r in group_runs_]
            points = partial(finite_points, key=key, x=x)
            return self.key_series.read_many(paths, wanted, points, self.series_cache.peek)

        def compute() -> dict[str, Any]:
            if by:
                labels = self.index.labels(runs) if by == "label" else {}  # the one field that needs them
                groups = group_runs(used, by, FieldContext(time.time(), labels))
            else:
                groups = one_group_per_run(used, self.labels(runs, columns))
            with self.index.hold_scans():  # reading and aligning many runs is heavy
                answer = grouped_metric(groups, read_points, key, x, band, max_points)
            return {"by": by, **answer, "runs_total": len(runs), "truncated": len(runs) > len(used)}

        if by in _FIELDS_OF_NOW:
            return compute()
        stamps = tuple(_events_stamp(r.path) for r in used)
        cache_key = (
            tuple(r.key for r in used),
            by,
            key,
            x,
            band,
            max_points,
            len(runs),
            stamps,
            tuple(columns),
        )
        return self._grouped_answers.get(self.generation, cache_key, compute)

    def logs_path(self, key: str) -> Path:
        """The run's ``logs.txt`` (may not exist yet): for a :class:`~runicorn.store.logs.tail.Tail`."""
        return self.run(key).path / fmt.LOGS_FILE

    def logs(self, key: str, offset: int = 0, limit: int | None = DEFAULT_LOG_LINES) -> dict[str, Any]:
        """``{"lines", "start", "offset", "more", "restarted", "malformed"}`` from byte ``offset``."""
        if offset < 0 or (limit is not None and limit < 0):
            raise BadArgument("offset and limit must not be negative")
        chunk = self.read_logs_at(self.logs_path(key), offset, max_lines=limit)
        return {
            "lines": chunk.lines,
            "start": chunk.start,
            "offset": chunk.offset,
            "more": chunk.more,
            "restarted": chunk.restarted,
            "malformed": chunk.malformed,
        }

    def read_logs_at(self, path: Path, offset: int, max_lines: int | None) -> LogChunk:
        """:func:`~runicorn.store.logs.tail.read_logs` with at most ``LOG_READS_AT_ONCE`` at a time: a
        log read of huge lines is mostly copying bytes, and many at once would starve every
        other request of the CPU and the interpreter lock (the others wait their turn). The rest
        of a cut line is looked through once for all readers (:attr:`line_ends`)."""
        with self._log_reads:
            return read_logs(path, offset, max_lines=max_lines, line_ends=self.line_ends)

    def run_text(self, key: str, file_name: str) -> str:
        """The uncommitted git diff or the failure traceback of a run (``format.RUN_TEXT_FILES``),
        at most ``MAX_RUN_TEXT_BYTES``; RunNotFound when the run has none."""
        info = self.run(key)
        if file_name not in fmt.RUN_TEXT_FILES:
            raise RunNotFound(f"no text file {file_name!r} in run {key!r}")
        try:
            raw = read_run_file(info.path, file_name, MAX_RUN_TEXT_BYTES + 1)
        except OSError:
            raise RunNotFound(
                f"run {key!r} has no {file_name}",
                f"GET /api/runs/{key} says which the run has (has_git_diff, has_traceback)",
            ) from None
        text = raw[:MAX_RUN_TEXT_BYTES].decode("utf-8", "replace")
        cut = f"\n[cut: the file is larger than {MAX_RUN_TEXT_BYTES // (1024 * 1024)} MB]\n"
        return text + (cut if len(raw) > MAX_RUN_TEXT_BYTES else "")

    def media(self, key: str) -> dict[str, Any]:
        """``{"images": [image records: key, path, step, caption, ts], "audio", "video", "html":
        [their records], "files": [media/... paths]}``."""
        info = self.run(key)
        series = self._series_at(info.path)
        records = self.media_records.get(info.path)
        return {
            "images": list(series.images),
            "audio": list(records.of(fmt.AUDIO)),
            "video": list(records.of(fmt.VIDEO)),
            "html": list(records.of(fmt.HTML)),
            "files": media_files(info.path),
        }

    def histograms(self, key: str, max_steps: int = 200) -> dict[str, Any]:
        """Each histogram key's steps with their edges and counts, at most ``max_steps`` steps per
        key (see :func:`~runicorn.store.records.media_records.histograms`)."""
        if not 1 <= max_steps <= 10_000:
            raise BadArgument("max_steps must be 1 to 10000")
        info = self.run(key)
        return histograms(self.media_records.get(info.path).of(fmt.HISTOGRAM), max_steps)

    def text_values(
        self, key: str, metric: str | None = None, start: int | None = None, limit: int = 10
    ) -> dict[str, Any]:
        """The values of the run's metric rows that are not numbers (text, null, lists), by key:
        ``{"keys": [{"key", "count", "start", "rows": [{"step", "value", "cut"}]}]}``, each key's
        last ``limit`` values, or values ``start`` on of ``metric`` alone (see
        :class:`~runicorn.store.records.text_values.TextValues`)."""
        if not 1 <= limit <= MAX_PAGE_ROWS:
            raise BadArgument(f"limit must be 1 to {MAX_PAGE_ROWS}")
        if start is not None and (start < 0 or metric is None):
            raise BadArgument("start must be 0 or more, and given with key")
        info = self.run(key)
        with self.index.hold_scans():  # the first read of a long run goes through its events
            values = self.text_value_index.get(info.path)
        names = [metric] if metric is not None else list(values.keys())
        return {"keys": [values.page(name, start, limit) for name in names], "malformed": values.malformed}

    def tables(self, key: str) -> dict[str, Any]:
        """``{"tables": [table records: key, step, path, columns, rows, ts]}`` in logged order."""
        info = self.run(key)
        return {"tables": list(self.media_records.get(info.path).of(fmt.TABLE))}

    def table_rows(
        self,
        key: str,
        path: str,
        offset: int = 0,
        limit: int = 100,
        sort: str | None = None,
        desc: bool = False,
    ) -> dict[str, Any]:
        """One page of a logged table's rows (see :func:`~runicorn.store.records.tables.page`); RunNotFound
        when the run logged no table at ``path``."""
        info = self.run(key)
        known = {t.get("path") for t in self.media_records.get(info.path).of(fmt.TABLE)}
        file = media_path(info.path, path) if path in known else None
        if file is None:
            raise RunNotFound(
                f"no table {path!r} in run {key!r}", f"list the run's tables with GET /api/runs/{key}/tables"
            )
        try:
            columns, rows, chart = self.table_files.read(info.path, path)
        except TableUnreadable as exc:
            raise RunNotFound(str(exc), "the table file is damaged or too large") from None
        return page(columns, rows, offset=offset, limit=limit, sort=sort, desc=desc, chart=chart)

    def alerts(self, key: str) -> list[dict[str, Any]]:
        """The run's alerts (``rn.alert``), oldest first: ``[{ts, step, title, text, level}]``."""
        return self._alerts.read(self.run(key).path)

    def checkpoints(self, key: str) -> list[dict[str, Any]]:
        """The run's checkpoints (``rn.log_checkpoint``), oldest first: ``[{ts, path, step}]``."""
        return self.checkpoint_logs.read(self.run(key).path)

    def open_media_file(self, key: str, relpath: str) -> io.BufferedReader:
        """The media file to send, open (the file checked is the file sent: see
        :func:`~runicorn.store.records.media.open_media_file`); RunNotFound for a path that is missing or
        leaves media/. The caller closes it."""
        info = self.run(key)
        file = open_media_file(info.path, relpath)
        if file is None:
            raise RunNotFound(
                f"no media file {relpath!r} in run {key!r}",
                f"list the run's media files with GET /api/runs/{key}/media",
            )
        return file


def _events_stamp(run_dir: Path) -> tuple[int, int, int] | None:
    """What changes when a run's events file does: (inode, size, modification time in ns)."""
    try:
        st = os.stat(run_dir / fmt.EVENTS_FILE)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)
