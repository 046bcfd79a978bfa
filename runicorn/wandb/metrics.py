"""``define_metric``: what a metric's summary keeps, its goal, and the metric it is plotted against.

A definition names one metric (``"val/loss"``), a nested one in dotted form (``"val.loss"``, the
same key as ``{"val": {"loss": ...}}`` logged and flattened to ``val/loss``), or a glob
(``"val/*"``, ``"*"``). A key logged later takes the definition of its exact name when there is
one, else of the most recently defined glob it matches. Definitions are recorded in the run's
``meta.json`` (``metrics``, docs/format.md) so that the viewer draws a metric against its
``step_metric``.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any

from runicorn.wandb.errors import Error

SUMMARY_KINDS = ("min", "max", "mean", "last", "first", "best", "none", "copy")
GOALS = {"minimize": "min", "maximize": "max", "min": "min", "max": "max"}


@dataclass
class Metric:
    """One ``define_metric`` call, checked."""

    name: str
    step_metric: str | None = None
    step_sync: bool | None = None
    hidden: bool | None = None
    summary: tuple[str, ...] = ()
    goal: str | None = None  # "minimize" | "maximize"

    @property
    def is_glob(self) -> bool:
        return "*" in self.name

    def record(self) -> dict[str, Any]:
        """The definition as written into meta.json (only what was set)."""
        out: dict[str, Any] = {}
        if self.step_metric is not None:
            out["step_metric"] = self.step_metric
        if self.summary:
            out["summary"] = list(self.summary)
        if self.goal is not None:
            out["goal"] = self.goal
        if self.hidden is not None:
            out["hidden"] = self.hidden
        if self.step_sync is not None:
            out["step_sync"] = self.step_sync
        return out


def parse_metric(
    name: str,
    step_metric: Any = None,
    step_sync: bool | None = None,
    hidden: bool | None = None,
    summary: str | None = None,
    goal: str | None = None,
) -> Metric:
    """Check one ``define_metric`` call's arguments; raises :class:`Error` on a bad one."""
    if not isinstance(name, str) or not name:
        raise Error("define_metric needs a metric name (a non-empty string)")
    if step_metric is not None and not isinstance(step_metric, str):
        step_metric = getattr(step_metric, "name", None)  # another define_metric's result
        if not isinstance(step_metric, str):
            raise Error("define_metric's step_metric must be a metric name")
    kinds: tuple[str, ...] = ()
    if summary:
        kinds = tuple(part.strip().lower() for part in str(summary).split(",") if part.strip())
        for kind in kinds:
            if kind not in SUMMARY_KINDS:
                raise Error(
                    f"define_metric({name!r}, summary={summary!r}): unknown summary {kind!r}; "
                    f"use one or more (comma separated) of {', '.join(SUMMARY_KINDS)}"
                )
    if goal is not None:
        goal = str(goal).lower()
        if goal not in GOALS:
            raise Error(f"define_metric({name!r}, goal={goal!r}): use 'minimize' or 'maximize'")
        goal = "minimize" if GOALS[goal] == "min" else "maximize"
    if "best" in kinds and goal is None:
        raise Error(f"define_metric({name!r}, summary='best') needs goal='minimize' or 'maximize'")
    return Metric(name, step_metric, step_sync, hidden, kinds, goal)


def dotted(key: str) -> str:
    """A flattened key in W&B's dotted form (``val/loss`` -> ``val.loss``)."""
    return key.replace("/", ".")


class MetricTable:
    """Every definition of a run, and the definition each logged key falls under."""

    def __init__(self) -> None:
        self.defined: dict[str, Metric] = {}
        self._of_key: dict[str, Metric | None] = {}  # resolved per logged key (cleared on define)

    def define(self, metric: Metric) -> None:
        self.defined.pop(metric.name, None)
        self.defined[metric.name] = metric  # the newest last: it wins among globs
        self._of_key.clear()

    def of(self, key: str) -> Metric | None:
        """The definition ``key`` falls under, or None."""
        try:
            return self._of_key[key]
        except KeyError:
            pass
        found = self.defined.get(key) or self.defined.get(dotted(key))
        if found is None:
            for metric in reversed(self.defined.values()):
                if metric.is_glob and (
                    fnmatch.fnmatchcase(key, metric.name) or fnmatch.fnmatchcase(dotted(key), metric.name)
                ):
                    found = metric
                    break
        self._of_key[key] = found
        return found

    def records(self) -> dict[str, dict[str, Any]]:
        return {name: metric.record() for name, metric in self.defined.items()}
