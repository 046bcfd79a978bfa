"""The research view's columns: which config and summary keys the runs have
(:func:`column_stats`), and the values of chosen fields for many runs at once
(:func:`column_values`, :func:`row_values`), as plain JSON cells (lists and objects as JSON text).
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, cast

from runicorn.errors import BadArgument, QueryError
from runicorn.store.index.run_info import RunInfo
from runicorn.store.index.summary_values import SummaryValues
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

try:  # counts the distinct values of float columns at once (an optional dependency)
    import numpy as np
except ImportError:  # pragma: no cover - numpy is installed wherever the tests run
    np = None  # type: ignore[assignment]

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
        stats = {
            key: counted or _stats(column, floats)
            for key, column, floats, counted in _columns(map(flat, runs))
        }
        for key in sorted(stats):
            kind, count, distinct = stats[key]
            entry: dict[str, Any] = {
                "name": prefix + key,
                "type": kind,
                "count": count,
                "distinct": distinct,
                "differs": distinct > 1 or count < len(runs),
            }
            if prefix == "summary." and kind == "number":
                entry["goal"], entry["goal_from"] = goals.goal(key)
            out.append(entry)
    return out


def logged_metric_keys(runs: Sequence[RunInfo]) -> list[dict[str, Any]]:
    """``[{"key", "runs"}]``: the metric keys the runs logged a history of
    (:meth:`RunInfo.logged_keys`) with how many runs logged each, the most common first (then by
    name): the Charts view's metrics. Runs sharing a key tuple are counted once per tuple."""
    tuples: dict[int, tuple[tuple[str, ...], int]] = {}
    for run in runs:
        keys = run.logged_keys()
        seen = tuples.get(id(keys))
        tuples[id(keys)] = (keys, 1 if seen is None else seen[1] + 1)
    counts: dict[str, int] = {}
    for keys, n in tuples.values():
        for key in keys:
            counts[key] = counts.get(key, 0) + n
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"key": key, "runs": n} for key, n in ranked]


def _stats(column: Sequence[Any], floats: bool) -> tuple[str, int, int]:
    """(type, count, distinct) of one column's values; ``floats``: every value is a float and
    none is NaN (they are told apart by value alone)."""
    if floats:
        return "number", len(column), _distinct_floats(column)
    classes = set(map(type, column))
    kinds = {_KIND_OF_CLASS.get(c, "string") for c in classes}
    kinds.discard(None)
    if list in classes or dict in classes:
        distinct = len(set(map(distinct_key, column)))
    else:  # scalars: told apart by class and value, as distinct_key does, in C
        distinct = len(set(zip(map(type, column), column, strict=True)))
    kind = kinds.pop() if len(kinds) == 1 else None
    return kind or "mixed", len(column), distinct


_NEGATIVE_ZERO_BITS = 1 << 63


def _distinct_floats(column: Sequence[float]) -> int:
    """How many distinct values ``column`` (floats, no NaN) holds. Of an array, its values' 8
    bytes are counted as integers (a third faster than floats): two floats other than NaN are
    equal when their bytes are, but for 0.0 and -0.0."""
    if not isinstance(column, array):
        return len(set(column))
    bits = set(memoryview(column).cast("B").cast("Q"))
    return len(bits) - (0 in bits and _NEGATIVE_ZERO_BITS in bits)


def _columns(
    flats: Iterable[Mapping[str, Any]],
) -> Iterator[tuple[str, Sequence[Any], bool, tuple[str, int, int] | None]]:
    """(key, the values of the mappings that have it, whether they are all floats without NaN,
    None) once per key; or (key, (), True, its statistics as :func:`_stats` gives them) for a key
    of floats counted with the others of its set at once (:func:`_float_stats`). Mappings with
    the same keys in the same order (runs of one config, or summaries of one :class:`KeySet`)
    are turned into columns in C, a set at a time, one column at a time: a key held by one set
    only is never copied into a list."""
    by_keys: dict[tuple[str, ...], tuple[list[Sequence[Any]], list[bool]]] = {}
    for flat in flats:
        values: Sequence[Any]
        if isinstance(flat, SummaryValues):
            keys, values, floats = flat.key_set.keys, flat.ordered_values, flat.floats
        else:
            keys, values, floats = tuple(flat), tuple(flat.values()), False
        found = by_keys.get(keys)
        if found is None:
            by_keys[keys] = ([values], [floats])
        else:
            found[0].append(values)
            found[1].append(floats)
    sets_of_key = Counter(key for keys in by_keys for key in keys)
    shared: dict[str, tuple[list[Any], bool]] = {}
    for keys, (rows, floats_of_rows) in by_keys.items():
        all_floats = all(floats_of_rows)
        if all_floats and all(sets_of_key[key] == 1 for key in keys):
            counted = _float_stats(cast("list[array[float]]", rows), len(keys))
            if counted is not None:
                for key, stats in zip(keys, counted, strict=True):
                    yield key, (), True, stats
                continue
        for key, column in zip(keys, _transposed(rows, len(keys), all_floats), strict=True):
            if sets_of_key[key] == 1:
                yield key, column, all_floats, None
                continue
            found_column = shared.get(key)
            if found_column is None:
                shared[key] = (list(column), all_floats)
            else:
                found_column[0].extend(column)
                shared[key] = (found_column[0], found_column[1] and all_floats)
    for key, (merged, all_floats) in shared.items():
        yield key, merged, all_floats, None


def _transposed(rows: list[Sequence[Any]], width: int, floats: bool) -> Iterator[Sequence[Any]]:
    """The columns of ``rows`` (each ``width`` values long), one at a time. Rows of floats
    (arrays) are joined into one array and each column is a strided slice of it: no float
    object is made for a column until its values are counted."""
    if not floats:
        yield from zip(*rows, strict=True)
        return
    table = array("d")
    for row in cast("list[array[float]]", rows):
        table.extend(row)
    for i in range(width):
        yield table[i::width]


def _float_stats(rows: list[array[float]], width: int) -> list[tuple[str, int, int]] | None:
    """:func:`_stats` of each of the ``width`` columns of ``rows`` (arrays of floats, no NaN),
    all at once with numpy (a third of the time: 1,500 keys of 1,500 runs in about 50 ms);
    None without numpy (an optional dependency of the viewer). The distinct values of a column
    are counted as a set counts them: sorted, a value unequal to the one before is new (0.0
    and -0.0 are equal)."""
    if np is None or width == 0:
        return None
    table = np.frombuffer(b"".join(rows), dtype=np.float64).reshape(len(rows), width)
    ordered = np.sort(table.T, axis=1)  # one column a row, its values in order
    distinct = (ordered[:, 1:] != ordered[:, :-1]).sum(axis=1) + 1
    return [("number", len(rows), int(n)) for n in distinct.tolist()]


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
