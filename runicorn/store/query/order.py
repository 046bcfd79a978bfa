"""How the run list is filtered and sorted: the filters of ``/api/runs`` and ``runicorn ls``
(project, name, status, tag, a compiled query) and the sort fields (the built-in ones,
``summary.<key>``, or any field of the query grammar). Pure functions over :class:`RunInfo`;
:class:`~runicorn.store.index.run_index.RunIndex` calls them on its runs."""

from __future__ import annotations

from typing import Any

from runicorn.errors import BadArgument, QueryError
from runicorn.store.index.run_info import RunInfo
from runicorn.store.query.evaluation import CompiledQuery
from runicorn.store.query.fields import FieldContext, getter
from runicorn.store.query.grammar import check_field
from runicorn.store.query.run_filter import RunFilter

SORT_FIELDS = ("created", "name", "project", "status", "duration")
SUMMARY_SORT_PREFIX = "summary."


def check_sort_field(sort: str) -> None:
    """BadArgument unless ``sort`` is a field runs can be sorted by."""
    if sort in SORT_FIELDS or sort.startswith(SUMMARY_SORT_PREFIX):
        return
    try:
        check_field(sort)
    except QueryError:
        raise BadArgument(
            f"unknown sort field {sort!r}: use one of {', '.join(SORT_FIELDS)}, summary.<key>, "
            "config.<key> or another field of the query grammar (docs/viewer.md#queries)"
        ) from None


def filter_runs(
    runs: list[RunInfo], run_filter: RunFilter, compiled: CompiledQuery | None, ctx: FieldContext
) -> list[RunInfo]:
    """``runs`` that pass the filters, in their order (``compiled`` is ``run_filter.q`` compiled;
    ``ctx`` holds the labels when the query needs them)."""
    now = ctx.now
    project, name, status, tag = run_filter.project, run_filter.name, run_filter.status, run_filter.tag
    test = compiled.test if compiled is not None else None
    matches = []
    for run in runs:
        if project is not None and run.project != project:
            continue
        if name is not None and run.name != name:
            continue
        if status is not None and run.state(now) != status:
            continue
        if tag is not None and tag not in run.tags:
            continue
        if test is not None and not test(run, ctx):
            continue
        matches.append(run)
    return matches


def sorted_runs(runs: list[RunInfo], sort: str, descending: bool, ctx: FieldContext) -> list[RunInfo]:
    now = ctx.now
    if sort == "created":
        return sorted(runs, key=lambda r: (r.created_at, r.key), reverse=descending)
    if sort in ("name", "project"):
        return sorted(runs, key=lambda r: (getattr(r, sort), r.key), reverse=descending)
    if sort == "status":
        return sorted(runs, key=lambda r: (r.state(now), r.key), reverse=descending)
    if sort == "duration":
        with_value = [r for r in runs if r.duration_s(now) is not None]
        without = [r for r in runs if r.duration_s(now) is None]
        return sorted(with_value, key=lambda r: r.duration_s(now) or 0.0, reverse=descending) + without
    if sort.startswith(SUMMARY_SORT_PREFIX) and sort[len(SUMMARY_SORT_PREFIX) :]:
        field_name = sort[len(SUMMARY_SORT_PREFIX) :]
        numbered: list[tuple[float, RunInfo]] = []
        rest: list[RunInfo] = []
        for run in runs:
            value = run.summary.get(field_name)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
                numbered.append((float(value), run))
            else:
                rest.append(run)
        numbered.sort(key=lambda pair: (pair[0], pair[1].key), reverse=descending)
        return [run for _, run in numbered] + rest
    return _sorted_by_field(runs, sort, descending, ctx)


def _sorted_by_field(runs: list[RunInfo], sort: str, descending: bool, ctx: FieldContext) -> list[RunInfo]:
    """Numbers first, then strings (a list by its first element); the rest last either way."""
    get = getter(sort)
    numbers: list[tuple[Any, str, RunInfo]] = []
    strings: list[tuple[Any, str, RunInfo]] = []
    rest: list[RunInfo] = []
    for run in runs:
        value = get(run, ctx)
        if value.__class__ is list and value:
            value = value[0]
        if value.__class__ in (int, float) and value == value:
            numbers.append((value, run.key, run))
        elif value.__class__ is str:
            strings.append((value, run.key, run))
        else:
            rest.append(run)
    numbers.sort(key=_first_two, reverse=descending)
    strings.sort(key=_first_two, reverse=descending)
    return [t[2] for t in numbers] + [t[2] for t in strings] + rest


def _first_two(t: tuple[Any, str, RunInfo]) -> tuple[Any, str]:
    return t[0], t[1]
