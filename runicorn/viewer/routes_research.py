"""The research view's endpoints (docs/api.md#research): the config and summary keys of the
runs (``/api/runs/columns``), the values of chosen fields for many runs at once
(``/api/runs/table``), the runs grouped by a field with a metric's aggregates
(``/api/runs/groups``), one metric grouped by a field, or one line per run
(``/api/metrics/grouped``), and which config keys matter for a metric (``/api/research/importance``).

Registered before ``/api/runs/{key}``, so ``columns`` and ``table`` are not taken for run keys.
Every endpoint takes the filters of ``/api/runs`` (``q`` with the query grammar, ``project``,
``name``, ``status``, ``tag``).
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from runicorn.store import RunFilter, RunInfo, StoreReader
from runicorn.store.index.generation_cache import GenerationCache
from runicorn.store.query.columns import (
    column_values,
    parse_columns,
    row_values,
)
from runicorn.store.query.fields import FieldContext
from runicorn.store.query.group_stats import best_groups_first, group_stats
from runicorn.store.query.grouped import group_runs
from runicorn.store.query.importance import parameter_importance
from runicorn.viewer.routes_runs import run_row

MAX_TABLE_RUNS = 100_000
MAX_GROUPED_POINTS = 10_000
MAX_GROUP_ROWS = 1000
MAX_GROUPS = 200


class RunFilterQuery(BaseModel):
    """The filters of the research endpoints (as ``/api/runs``; see RunIndex.query)."""

    project: str | None = None
    name: str | None = None
    status: str | None = None
    tag: str | None = None
    q: str | None = None
    where: str | None = None  # a second query every run must also pass (the page's brushes)


def _json(answer: dict[str, Any]) -> Response:
    """A large answer encoded at once (FastAPI's encoder walks every value in Python)."""
    return Response(orjson.dumps(answer), media_type="application/json")


def router(reader: StoreReader) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["research"])
    values_cache: GenerationCache[dict[str, list[Any]]] = GenerationCache(8)
    importance_cache: GenerationCache[dict[str, Any]] = GenerationCache(8)

    def select(f: RunFilterQuery, sort: str = "created", descending: bool = True) -> list[RunInfo]:
        run_filter = RunFilter(f.project, f.name, f.status, f.tag, f.q, sort, descending, f.where)
        return reader.select_runs(run_filter)

    @api.get("/runs/columns")
    def run_columns(f: Annotated[RunFilterQuery, Query()]) -> Response:
        """The config and summary keys the matching runs have, with their type and spread, and the
        metric keys they logged a history of (``metric_keys``, the most common first)."""
        return _json(reader.columns.answer(RunFilter(f.project, f.name, f.status, f.tag, f.q)))

    @api.get("/runs/table")
    def run_table(
        f: Annotated[RunFilterQuery, Query()],
        columns: str = "",
        sort: str = "created",
        order: Literal["asc", "desc"] = "desc",
        limit: Annotated[int, Field(ge=0, le=MAX_TABLE_RUNS)] = 10_000,
    ) -> Response:
        """Column-oriented values of many runs (parallel coordinates, scatter plots)."""
        names = parse_columns(columns)
        runs = select(f, sort, order == "desc")
        labels = reader.labels(runs, names)
        shown = runs[:limit]

        def compute() -> dict[str, list[Any]]:
            return column_values(shown, names, FieldContext(time.time(), labels))

        if all(n.startswith(("config.", "summary.")) for n in names):  # they depend on the files only
            cache_key = (tuple(r.key for r in shown), tuple(names))
            values = values_cache.get(reader.generation, cache_key, compute)
        else:
            values = compute()
        return _json(
            {
                "total": len(runs),
                "keys": [r.key for r in shown],
                "labels": [labels.get(r.key, r.name) for r in shown],
                "columns": values,
            }
        )

    @api.get("/runs/groups")
    def run_groups(
        f: Annotated[RunFilterQuery, Query()],
        by: str,
        metric: str = "",
        columns: str = "",
        sort: str = "created",
        order: Literal["asc", "desc"] = "desc",
        limit: Annotated[int, Field(ge=0, le=MAX_GROUP_ROWS)] = 50,
    ) -> Response:
        """The matching runs grouped by field ``by``: per group its count, the mean / min / max of
        ``metric``, and its first ``limit`` runs in the sort order (rows as ``/api/runs`` gives,
        with the ``columns`` values). Sorted by the metric, the best group (by mean) comes first."""
        parse_columns(by)
        if metric:
            parse_columns(metric)
        names = parse_columns(columns)
        runs = select(f, sort, order == "desc")
        now = time.time()
        labels = reader.labels(runs, names)
        ctx = FieldContext(now, labels)
        stats = group_stats(group_runs(runs, by, ctx), metric or None, ctx)
        if metric and metric == sort:
            stats = best_groups_first(stats, order == "desc")
        groups = []
        for s in stats[:MAX_GROUPS]:
            rows = []
            for run in s.group.runs[:limit]:
                row = run_row(run, now)
                row["label"] = labels.get(run.key, run.name)
                if names:
                    row["values"] = row_values(run, names, ctx)
                rows.append(row)
            groups.append({**s.as_dict(), "runs": rows})
        answer = {"by": by, "metric": metric, "total": len(runs), "groups_total": len(stats)}
        return _json({**answer, "groups": groups})

    @api.get("/metrics/grouped")
    def metrics_grouped(
        f: Annotated[RunFilterQuery, Query()],
        key: str,
        by: str = "",
        x: str = "step",
        band: Literal["minmax", "std"] = "minmax",
        max_points: Annotated[int, Field(ge=1, le=MAX_GROUPED_POINTS)] = 1000,
        columns: str = "",
    ) -> Response:
        """Metric ``key`` of the matching runs grouped by field ``by``: mean and band per group; no
        ``by``: one line per run, named by its label (the config keys among the chosen ``columns``
        leading). ``x=auto``: each key's ``define_metric`` axis."""
        parse_columns(by)  # QueryError for a name that is not a field
        names = parse_columns(columns)
        runs = select(f)
        return _json(
            reader.grouped_metric(runs, by, key, x=x, band=band, max_points=max_points, columns=names)
        )

    @api.get("/research/importance")
    def research_importance(f: Annotated[RunFilterQuery, Query()], metric: str) -> Response:
        """Each config key's importance for ``metric`` (a random forest) and its correlation."""
        parse_columns(metric)  # QueryError for a name that is not a field
        runs = select(f)
        keys = frozenset(r.key for r in runs)
        answer = importance_cache.get(
            reader.generation, (keys, metric), lambda: parameter_importance(runs, metric)
        )
        return _json(answer)

    return api
