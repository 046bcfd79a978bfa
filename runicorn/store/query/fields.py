"""The values a run query, a sort and a column read from a run: one getter per field name.

``config.<key>`` and ``summary.<key>`` look the key up in the run's config.json / summary.json
with nested objects flattened (``{"optimizer": {"lr": 0.1}}`` has the key ``optimizer.lr``;
a key holding ``.`` or ``/`` itself, like ``val/acc``, is used as it is). The named fields
(``status``, ``tags``, ``project``, ``name``, ``id``, ``created``, ``duration``, ``host``,
``notes``, ``label``) are read from the run as the run list shows them. Only dict lookups of the
run's JSON are made: a key such as ``__class__`` is just a key that no run has.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from runicorn.store.index.run_info import RunInfo
from runicorn.store.query.grammar import check_field

__all__ = ["MISSING", "FieldContext", "Getter", "cell", "flat_config", "flat_summary", "getter"]


class _Missing:
    """A field the run does not have (never equal to anything, not even null)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass
class FieldContext:
    """What some fields depend on beyond the run: the time (``status``, ``duration``) and the
    labels of the runs being listed (``label``)."""

    now: float
    labels: Mapping[str, str] = field(default_factory=dict)


Getter = Callable[[RunInfo, FieldContext], Any]


def flatten(value: dict[str, Any]) -> dict[str, Any]:
    """``{"a": {"b": 1}, "c": 2}`` -> ``{"a.b": 1, "c": 2}`` (an empty object is kept as ``{}``)."""
    if not any(isinstance(v, dict) for v in value.values()):
        return value
    out: dict[str, Any] = {}
    stack: list[tuple[str, dict[str, Any]]] = [("", value)]
    while stack:
        prefix, d = stack.pop()
        for k, v in d.items():
            name = f"{prefix}{k}"
            if isinstance(v, dict) and v:
                stack.append((name + ".", v))
            else:
                out[name] = v
    return out


def _flat(run: RunInfo, which: str, source: dict[str, Any]) -> dict[str, Any]:
    cached = run._flat.get(which)
    if cached is not None and cached[0] is source:
        return cached[1]
    flat = flatten(source) if isinstance(source, dict) else {}
    run._flat[which] = (source, flat)
    return flat


def flat_config(run: RunInfo) -> dict[str, Any]:
    """The run's config with nested keys flattened (cached until config.json is read again)."""
    return _flat(run, "config", run.config)


def flat_summary(run: RunInfo) -> Mapping[str, Any]:
    """The run's summary with nested keys flattened (cached until summary.json is read again):
    the summary itself when nothing in it is nested (:class:`SummaryValues`)."""
    summary = run.summary
    if not summary.nested:
        return summary
    cached = run._flat.get("summary")
    if cached is not None and cached[0] is summary:
        return cached[1]
    flat = flatten(summary.to_dict())
    run._flat["summary"] = (summary, flat)
    return flat


def _or_missing(value: Any) -> Any:
    return MISSING if value is None else value


_NAMED: dict[str, Getter] = {
    "status": lambda run, ctx: run.state(ctx.now),
    "tags": lambda run, ctx: run.tags,
    "project": lambda run, ctx: run.project,
    "name": lambda run, ctx: run.name,
    "id": lambda run, ctx: run.id,
    "created": lambda run, ctx: run.created_at,
    "duration": lambda run, ctx: _or_missing(run.duration_s(ctx.now)),
    "host": lambda run, ctx: _or_missing(run.hostname),
    "notes": lambda run, ctx: run.notes,
    "label": lambda run, ctx: ctx.labels.get(run.key, MISSING),
}


def getter(name: str) -> Getter:
    """The getter of field ``name`` (QueryError for a name that is not a field)."""
    check_field(name)
    if name.startswith("config."):
        key = name[len("config.") :]
        return lambda run, ctx: flat_config(run).get(key, MISSING)
    if name.startswith("summary."):
        key = name[len("summary.") :]
        return lambda run, ctx: flat_summary(run).get(key, MISSING)
    return _NAMED[name]


def distinct_key(value: Any) -> Any:
    """A value as a set member that tells values apart as a user does: lists and objects by their
    JSON text, ``1`` and ``True`` and ``1.0`` apart by their type."""
    return cell(value) if isinstance(value, (list, dict)) else (value.__class__, value)


def cell(value: Any) -> Any:
    """A value as a table cell: scalars as they are, lists and objects as JSON text, a missing
    value as None."""
    if value is MISSING:
        return None
    if isinstance(value, (list, dict)):
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    return value
