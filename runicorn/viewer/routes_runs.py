"""``/api/runs`` (filter, sort, page), one run's detail, and the runs of one experiment (docs/api.md#runs)."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from runicorn import format as fmt
from runicorn.errors import RunNotFound
from runicorn.store import RunFilter, RunInfo, StoreReader
from runicorn.store.query.columns import parse_columns, row_values
from runicorn.store.query.fields import FieldContext

MAX_PAGE = 1000
# Parts of RunInfo.as_dict() left out of list rows: they can be large and the list does not show them.
_DETAIL_ONLY = ("meta", "status_file", "config")


def run_row(run: RunInfo, now: float) -> dict[str, Any]:
    row = run.as_dict(now)
    for key in _DETAIL_ONLY:
        row.pop(key, None)
    return row


class RunsQuery(BaseModel):
    """The filter, sort and page parameters both run lists take (see :meth:`RunIndex.query`)."""

    status: str | None = None
    tag: str | None = None
    q: str | None = None
    where: str | None = None  # a second query every run must also pass (the page's brushes)
    sort: str = "created"
    order: Literal["asc", "desc"] = "desc"
    limit: int = Field(50, ge=0, le=MAX_PAGE)
    offset: int = Field(0, ge=0)
    columns: str | None = None  # comma-separated fields whose values each row carries in "values"


def router(reader: StoreReader) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["runs"])

    def page(project: str | None, name: str | None, query: RunsQuery) -> dict[str, Any]:
        columns = parse_columns(query.columns)
        run_filter = RunFilter(
            project,
            name,
            query.status,
            query.tag,
            query.q,
            query.sort,
            descending=query.order == "desc",
            where=query.where,
        )
        result = reader.query_runs(run_filter, limit=query.limit, offset=query.offset)
        now = time.time()
        # Labels are made over every matching run; before the first scan, over the page.
        labels = reader.labels(result.matched if result.matched is not None else result.runs, columns)
        ctx = FieldContext(now, labels)
        rows = []
        for run in result.runs:
            row = run_row(run, now)
            row["label"] = labels.get(run.key, run.name)
            if columns:
                row["values"] = row_values(run, columns, ctx)
            rows.append(row)
        return {"total": result.total, "offset": result.offset, "limit": result.limit, "runs": rows}

    @api.get("/runs")
    def list_runs(
        *, project: str | None = None, name: str | None = None, query: Annotated[RunsQuery, Query()]
    ) -> dict[str, Any]:
        return page(project, name, query)

    @api.get("/projects/{project}/names/{name:path}/runs")
    def experiment_runs(project: str, name: str, query: Annotated[RunsQuery, Query()]) -> dict[str, Any]:
        answer = page(project, name, query)
        if answer["total"] == 0 and not any((query.status, query.tag, query.q)):
            raise RunNotFound(
                f"no experiment {project}/{name} under the storage root",
                f"list the experiments of {project} with GET /api/projects/{project}/names",
            )
        return answer

    @api.get("/runs/{key}")
    def run_detail(key: str) -> dict[str, Any]:
        return reader.run_detail(key)

    @api.get("/runs/{key}/git-diff", response_class=PlainTextResponse)
    def run_git_diff(key: str) -> str:
        """The uncommitted diff (``git diff HEAD``) saved when the run started from a dirty tree."""
        return reader.run_text(key, fmt.GIT_DIFF_FILE)

    @api.get("/runs/{key}/traceback", response_class=PlainTextResponse)
    def run_traceback(key: str) -> str:
        """The traceback of the uncaught exception that failed the run."""
        return reader.run_text(key, fmt.TRACEBACK_FILE)

    return api
