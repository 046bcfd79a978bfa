"""The runs table grouped by a field: per group its run count and the mean, min and max of one
numeric field (the metric the table is sorted by), for "which setting won" at a glance.

Groups come from :func:`~runicorn.store.query.grouped.group_runs` (the grouped charts' grouping:
a list value such as ``tags`` puts a run in one group per element; runs without the field make
their own group). NaN, infinite and non-numeric values (bools included) are left out of the
aggregates; ``n`` says how many runs had a value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from runicorn.store.query.fields import FieldContext, getter
from runicorn.store.query.grouped import Group

__all__ = ["GroupStats", "best_groups_first", "group_stats"]


@dataclass
class GroupStats:
    """One group's aggregates of a field (``n`` runs had a finite number; the rest are None then)."""

    group: Group
    n: int = 0
    mean: float | None = None
    min: float | None = None
    max: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.group.value,
            "label": self.group.label,
            "count": len(self.group.runs),
            "n": self.n,
            "mean": self.mean,
            "min": self.min,
            "max": self.max,
        }


def group_stats(groups: Sequence[Group], field: str | None, ctx: FieldContext) -> list[GroupStats]:
    """Each group's count and, with a ``field``, the mean / min / max of its finite numbers."""
    get = getter(field) if field else None
    out = []
    for group in groups:
        stats = GroupStats(group)
        if get is not None:
            values = [float(v) for v in (get(run, ctx) for run in group.runs) if _finite_number(v)]
            if values:
                stats.n = len(values)
                stats.mean = math.fsum(values) / len(values)
                stats.min = min(values)
                stats.max = max(values)
        out.append(stats)
    return out


def _finite_number(value: Any) -> bool:
    return value.__class__ in (int, float) and math.isfinite(value)


def best_groups_first(stats: list[GroupStats], descending: bool) -> list[GroupStats]:
    """The groups by their mean, highest first when ``descending``, groups without one last (in
    their order)."""
    with_mean = [s for s in stats if s.mean is not None]
    without = [s for s in stats if s.mean is None]
    with_mean.sort(key=lambda s: s.mean or 0.0, reverse=descending)
    return with_mean + without
