"""The research view's columns: which config and summary keys the runs have
(:func:`column_stats`), and the values of chosen fields for many runs at once
(:func:`column_values`, :func:`row_values`), as plain JSON cells (lists and objects as JSON text).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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

__all__ = [
    "MAX_COLUMNS",
    "column_stats",
    "column_values",
    "logged_metric_keys",
    "parse_columns",
    "row_values",
]

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


# A value's kind by its class: None for null; any other class (strings, lists and objects shown as
# JSON text) is a string.
_KIND_OF_CLASS: dict[type, str | None] = {bool: "bool", int: "number", float: "number", type(None): None}


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
        values = _columns(map(flat, runs))
        for key in sorted(values):
            column = values[key]
            classes = set(map(type, column))
            kinds = {_KIND_OF_CLASS.get(c, "string") for c in classes} - {None}
            if list in classes or dict in classes:
                distinct = len(set(map(distinct_key, column)))
            else:  # scalars: told apart by class and value, as distinct_key does, in C
                distinct = len(set(zip(map(type, column), column, strict=True)))
            entry: dict[str, Any] = {
                "name": prefix + key,
                "type": kinds.pop() if len(kinds) == 1 else "mixed",
                "count": len(column),
                "distinct": distinct,
                "differs": distinct > 1 or len(column) < len(runs),
            }
            if prefix == "summary." and entry["type"] == "number":
                entry["goal"], entry["goal_from"] = goals.goal(key)
            out.append(entry)
    return out


def logged_metric_keys(runs: Sequence[RunInfo]) -> list[dict[str, Any]]:
    """``[{"key", "runs"}]``: the metric keys the runs logged a history of
    (:meth:`RunInfo.logged_keys`) with how many runs logged each, the most common first (then by
    name): the Charts view's metrics."""
    counts: dict[str, int] = {}
    for run in runs:
        for key in run.logged_keys():
            counts[key] = counts.get(key, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"key": key, "runs": n} for key, n in ranked]


def _columns(dicts: Iterable[dict[str, Any]]) -> dict[str, list[Any]]:
    """Per key, the values of the dicts that have it, in order. Dicts with the same keys in the
    same order (runs of one config) are turned into columns in C, a set at a time."""
    by_keys: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for d in dicts:
        keys = tuple(d)
        found = by_keys.get(keys)
        if found is None:
            by_keys[keys] = [d]
        else:
            found.append(d)
    columns: dict[str, list[Any]] = {}
    for keys, same in by_keys.items():
        for key, column in zip(keys, zip(*map(dict.values, same), strict=True), strict=True):
            found_column = columns.get(key)
            if found_column is None:
                columns[key] = list(column)
            else:
                found_column.extend(column)
    return columns


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
