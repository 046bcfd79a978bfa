"""The research view's columns: which config and summary keys the runs have
(:func:`column_stats`), and the values of chosen fields for many runs at once
(:func:`column_values`, :func:`row_values`), as plain JSON cells (lists and objects as JSON text).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from runicorn.errors import BadArgument, QueryError
from runicorn.store.index.run_info import RunInfo
from runicorn.store.query.fields import (
    MISSING,
    FieldContext,
    cell,
    distinct_key,
    flat_config,
    flat_summary,
    getter,
)
from runicorn.store.query.metric_goal import MetricGoals

__all__ = ["MAX_COLUMNS", "column_stats", "column_values", "parse_columns", "row_values"]

MAX_COLUMNS = 200


def parse_columns(text: str | None) -> list[str]:
    """``"config.lr, summary.val/acc"`` -> the field names, each checked (QueryError, with column
    0, for one that is not a field; BadArgument past MAX_COLUMNS)."""
    names = list(dict.fromkeys(p.strip() for p in (text or "").split(",") if p.strip()))
    if len(names) > MAX_COLUMNS:
        raise BadArgument(f"at most {MAX_COLUMNS} columns at once, got {len(names)}")
    for name in names:
        try:
            getter(name)
        except QueryError as err:
            raise QueryError(f"{name!r} is not a field (in the columns)", 0, err.hint) from None
    return names


def _kind(value: Any) -> str | None:
    cls = value.__class__
    if cls is bool:
        return "bool"
    if cls is int or cls is float:
        return "number"
    if value is None:
        return None
    return "string"  # strings, and lists / objects shown as JSON text


def column_stats(runs: Sequence[RunInfo]) -> list[dict[str, Any]]:
    """``[{"name", "type", "count", "distinct", "differs"}]`` for every config key, then every
    summary key, that some of ``runs`` have, each part by name. ``type`` is ``number``,
    ``string``, ``bool``, or ``mixed`` (values of several kinds, or only nulls); ``differs``:
    more than one distinct value, or present in some runs and missing in others. A number summary
    column adds ``goal`` (``minimize`` / ``maximize``) and ``goal_from`` (``define_metric`` or
    ``name``): see :mod:`~runicorn.store.query.metric_goal`."""
    out: list[dict[str, Any]] = []
    goals = MetricGoals(runs)
    for prefix, flat in (("config.", flat_config), ("summary.", flat_summary)):
        counts: dict[str, int] = {}
        kinds: dict[str, set[str | None]] = {}
        seen: dict[str, set[Any]] = {}
        for run in runs:
            for key, value in flat(run).items():
                if key in counts:
                    counts[key] += 1
                    kinds[key].add(_kind(value))
                    seen[key].add(distinct_key(value))
                else:
                    counts[key] = 1
                    kinds[key] = {_kind(value)}
                    seen[key] = {distinct_key(value)}
        for key in sorted(counts):
            found = kinds[key] - {None}
            distinct = len(seen[key])
            column: dict[str, Any] = {
                "name": prefix + key,
                "type": found.pop() if len(found) == 1 else "mixed",
                "count": counts[key],
                "distinct": distinct,
                "differs": distinct > 1 or counts[key] < len(runs),
            }
            if prefix == "summary." and column["type"] == "number":
                column["goal"], column["goal_from"] = goals.goal(key)
            out.append(column)
    return out


def column_values(runs: Sequence[RunInfo], names: Sequence[str], ctx: FieldContext) -> dict[str, list[Any]]:
    """Per field name, the cell of each run in order (None where a run lacks it)."""
    out: dict[str, list[Any]] = {}
    for name in names:
        get = getter(name)
        values = [get(run, ctx) for run in runs]
        if any(v is MISSING or v.__class__ is list or v.__class__ is dict for v in values):
            values = [cell(v) for v in values]
        out[name] = values
    return out


def row_values(run: RunInfo, names: Sequence[str], ctx: FieldContext) -> dict[str, Any]:
    """The cells of one run by field name."""
    return {name: cell(getter(name)(run, ctx)) for name in names}
