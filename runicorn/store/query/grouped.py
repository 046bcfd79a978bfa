"""One metric of many runs, grouped by a config key, a tag or any field of the query grammar:
per group the mean of its runs and a band (min - max, or mean ± standard deviation), for the
research view's "which hyperparameters won" chart.

Alignment (docs/api.md#grouped-metrics):

- ``x=step``: the x values are the union of the group's steps. At each step a run counts when
  the step lies between its first and last step, with its latest value at or before that step
  (a run logging every 10 steps counts at the steps between with its last value). When the union
  holds more than ``max_points`` steps, ``max_points`` of them are taken evenly (first and last
  kept).
- ``x=time``, ``elapsed`` or a metric key: the range of x over all groups' runs is cut into
  ``max_points`` bins of equal width; a run's value in a bin is the mean of its points there,
  and a bin's x is its middle. Bins no run has a point in are left out.

NaN and infinite values are left out. The caller reads the runs' points (each run's one key:
:func:`~runicorn.store.metrics.key_series.read_key_series`, with :func:`finite_points`).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from runicorn.errors import BadArgument
from runicorn.store.index.labels import short_key, short_value
from runicorn.store.index.run_info import RunInfo
from runicorn.store.metrics.series import RunSeries
from runicorn.store.query.fields import MISSING, FieldContext, cell, getter

__all__ = [
    "BANDS",
    "MAX_GROUPED_RUNS",
    "MAX_RUN_LINES",
    "Group",
    "Points",
    "finite_points",
    "group_runs",
    "grouped_metric",
    "one_group_per_run",
]

BANDS = ("minmax", "std")
MAX_GROUPED_RUNS = 10_000  # more matching runs: the first ones, and "truncated" says so
MAX_RUN_LINES = 200  # not grouped: one line per run for the first ones, and "truncated" says so
Points = tuple[array, array]  # x and value, as array('d'): a quarter of a list of floats' memory


@dataclass
class Group:
    """Runs sharing one value of the grouping field (``value`` None: runs without it)."""

    value: Any
    label: str
    runs: list[RunInfo]


def group_runs(runs: Sequence[RunInfo], by: str, ctx: FieldContext) -> list[Group]:
    """``runs`` grouped by field ``by`` (QueryError for a name that is not a field). A list value
    (``tags``) puts the run in one group per element. Groups are ordered numbers first, then
    strings, then other values, the runs without the field last."""
    get = getter(by)
    groups: dict[Any, Group] = {}
    for run in runs:
        value = get(run, ctx)
        values = value if isinstance(value, list) else [value]
        if not values:
            values = [MISSING]
        for v in values:
            shown = None if v is MISSING else cell(v)
            hkey = (shown.__class__, shown)
            group = groups.get(hkey)
            if group is None:
                group = groups[hkey] = Group(shown, _label(by, v), [])
            group.runs.append(run)
    return sorted(groups.values(), key=_group_order)


def one_group_per_run(runs: Sequence[RunInfo], labels: dict[str, str]) -> list[Group]:
    """Not grouped: each run its own group (its key the value), named by its label, in order."""
    return [Group(run.key, labels.get(run.key, run.name), [run]) for run in runs]


def _label(by: str, value: Any) -> str:
    if by == "tags":
        return "no tags" if value is MISSING else str(value)
    name = short_key(by)
    return f"no {name}" if value is MISSING else f"{name}={short_value(value)}"


def _group_order(group: Group) -> tuple[int, Any]:
    v = group.value
    if v.__class__ in (int, float):
        return (0, v) if v == v else (3, 0)
    if isinstance(v, str):
        return (1, v)
    if v is None:
        return (4, 0)
    return (2, str(v))


def grouped_metric(
    groups: Sequence[Group],
    read_points: Callable[[Sequence[RunInfo]], Sequence[Points]],
    key: str,
    x: str = "step",
    band: str = "minmax",
    max_points: int = 1000,
) -> dict[str, Any]:
    """``{"key", "x", "band", "groups": [{"value", "label", "runs", "x", "mean", "lo", "hi",
    "count"}]}`` (``count``: runs counted at each x). ``read_points(runs)``: each run's
    :func:`finite_points` of the metric, in order. BadArgument for a bad band or max_points."""
    if band not in BANDS:
        raise BadArgument(f"unknown band {band!r}: use one of {', '.join(BANDS)}")
    if max_points < 1:
        raise BadArgument("max_points must be at least 1")
    runs = list({r.key: r for group in groups for r in group.runs}.values())
    points = dict(zip((r.key for r in runs), read_points(runs), strict=True))
    out = []
    if x == "step":
        for group in groups:
            stats = _aligned_on_steps([points[r.key] for r in group.runs], max_points)
            out.append(_group_answer(group, stats, band))
    else:
        xs = [v for xs_, _ in points.values() for v in xs_]
        lo_x, hi_x = (min(xs), max(xs)) if xs else (0.0, 0.0)
        for group in groups:
            stats = _binned([points[r.key] for r in group.runs], lo_x, hi_x, max_points)
            out.append(_group_answer(group, stats, band))
    return {"key": key, "x": x, "band": band, "groups": out}


def finite_points(series: RunSeries, key: str, x: str) -> Points:
    """The run's points of ``key`` with a finite value, in x order (stable), the last of equal x
    kept."""
    xs, ys = series.points(key, x)
    if all(map(math.isfinite, ys)) and xs == sorted(set(xs)):  # the usual run: nothing to do, in C
        return array("d", xs), array("d", ys)
    pairs = sorted(((a, b) for a, b in zip(xs, ys, strict=True) if math.isfinite(b)), key=lambda p: p[0])
    dedup: list[tuple[float, float]] = []
    for a, b in pairs:
        if dedup and dedup[-1][0] == a:
            dedup[-1] = (a, b)
        else:
            dedup.append((a, b))
    return array("d", [a for a, _ in dedup]), array("d", [b for _, b in dedup])


class _Stats:
    """Per x: how many values, their sum, sum of squares, min and max."""

    def __init__(self, xs: list[float]) -> None:
        n = len(xs)
        self.x = xs
        self.count = [0] * n
        self.sum = [0.0] * n
        self.sumsq = [0.0] * n
        self.min = [math.inf] * n
        self.max = [-math.inf] * n

    def add(self, i: int, v: float) -> None:
        self.count[i] += 1
        self.sum[i] += v
        self.sumsq[i] += v * v
        if v < self.min[i]:
            self.min[i] = v
        if v > self.max[i]:
            self.max[i] = v


def _aligned_on_steps(runs: list[Points], max_points: int) -> _Stats:
    union: set[float] = set()
    for xs, _ in runs:
        union.update(xs)
    grid = sorted(union)
    if len(grid) > max_points:
        last = len(grid) - 1
        picks = (
            [last]
            if max_points == 1
            else sorted({round(i * last / (max_points - 1)) for i in range(max_points)})
        )
        grid = [grid[i] for i in picks]
    stats = _Stats(grid)
    for xs, ys in runs:
        if not xs:
            continue
        first, end, j, n = xs[0], xs[-1], 0, len(xs)
        for i, g in enumerate(grid):
            if g < first:
                continue
            if g > end:
                break
            while j + 1 < n and xs[j + 1] <= g:
                j += 1
            stats.add(i, ys[j])
    return stats


def _binned(runs: list[Points], lo_x: float, hi_x: float, max_points: int) -> _Stats:
    bins = max_points if hi_x > lo_x else 1
    width = (hi_x - lo_x) / bins if hi_x > lo_x else 1.0
    centers = [lo_x + (b + 0.5) * width for b in range(bins)] if hi_x > lo_x else [lo_x]
    stats = _Stats(centers)
    for xs, ys in runs:
        sums: dict[int, list[float]] = {}
        for a, v in zip(xs, ys, strict=True):
            b = min(bins - 1, int((a - lo_x) / width))
            acc = sums.get(b)
            if acc is None:
                sums[b] = [v, 1.0]
            else:
                acc[0] += v
                acc[1] += 1
        for b, (total, count) in sums.items():
            stats.add(b, total / count)
    return stats


def _group_answer(group: Group, stats: _Stats, band: str) -> dict[str, Any]:
    xs, mean, lo, hi, counts = [], [], [], [], []
    for i, n in enumerate(stats.count):
        if not n:
            continue
        m = stats.sum[i] / n
        xs.append(stats.x[i])
        mean.append(m)
        counts.append(n)
        if band == "std":
            sd = math.sqrt(max(0.0, stats.sumsq[i] / n - m * m))
            lo.append(m - sd)
            hi.append(m + sd)
        else:
            lo.append(stats.min[i])
            hi.append(stats.max[i])
    return {
        "value": group.value,
        "label": group.label,
        "runs": [r.key for r in group.runs],
        "x": xs,
        "mean": mean,
        "lo": lo,
        "hi": hi,
        "count": counts,
    }
