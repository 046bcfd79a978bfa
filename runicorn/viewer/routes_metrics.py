"""A run's metric and system series, its CSV download, and the compare overlay (docs/api.md#metrics)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from runicorn.errors import BadArgument
from runicorn.store import StoreReader

MAX_POINTS = 100_000
MAX_COMPARE_RUNS = 200


def split_list(value: str | None) -> list[str]:
    """``"a, b,,c"`` -> ``["a", "b", "c"]``."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def with_warnings(answer: dict[str, Any]) -> dict[str, Any]:
    """A copy of a series answer with ``warnings`` (answers are cached by the store: never mutate)."""
    warnings = []
    if answer.get("malformed"):
        warnings.append(f"{answer['malformed']} malformed lines skipped in the events file")
    return {**answer, "warnings": warnings}


def router(reader: StoreReader) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["metrics"])

    @api.get("/runs/{key}/metrics")
    def metrics(
        key: str,
        keys: str | None = None,
        x: str = "step",
        max_points: int = Query(2000, ge=1, le=MAX_POINTS),
        since: int | None = None,
    ) -> dict[str, Any]:
        wanted = split_list(keys) if keys is not None else None
        return with_warnings(reader.metrics(key, wanted, x=x, max_points=max_points, since=since))

    @api.get("/runs/{key}/system")
    def system(
        key: str,
        x: str = "time",
        max_points: int = Query(2000, ge=1, le=MAX_POINTS),
        since: int | None = None,
    ) -> dict[str, Any]:
        return with_warnings(reader.system(key, x=x, max_points=max_points, since=since))

    @api.get("/runs/{key}/metrics.csv")
    def metrics_csv(key: str) -> StreamingResponse:
        chunks = reader.metrics_csv(key)
        return StreamingResponse(
            chunks,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{key}-metrics.csv"'},
        )

    @api.get("/compare")
    def compare(
        ids: str,
        keys: str = "",
        x: str = "step",
        max_points: int = Query(2000, ge=1, le=MAX_POINTS),
        columns: str = "",
    ) -> dict[str, Any]:
        run_keys = list(dict.fromkeys(split_list(ids)))
        metric_keys = list(dict.fromkeys(split_list(keys)))
        if not run_keys:
            raise BadArgument("ids must name at least one run")
        if len(run_keys) > MAX_COMPARE_RUNS:
            raise BadArgument(f"at most {MAX_COMPARE_RUNS} runs can be compared at once")
        chosen = split_list(columns)  # the config columns among them lead the labels' keys
        return reader.compare(run_keys, metric_keys, x=x, max_points=max_points, columns=chosen)

    return api
