"""``define_metric``: what a metric's summary keeps, its goal, and the metric it is plotted against.

A definition names one metric (``"val/loss"``), a nested one in dotted form (``"val.loss"``, the
same key as ``{"val": {"loss": ...}}`` logged and flattened to ``val/loss``), or a glob
(``"val/*"``, ``"*"``). A key logged later takes the definition of its exact name when there is
one, else of the most recently defined glob it matches. Definitions are recorded in the run's
``meta.json`` (``metrics``, docs/format.md) so that the viewer draws a metric against its
``step_metric``.
"""

from __future__ import annotations

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

    def __post_init__(self) -> None:
        if self.step_metric is not None and self.step_sync is None:
            self.step_sync = True  # W&B's default with a step metric

    @property
    def is_glob(self) -> bool:
        return self.name.endswith("*")

    @property
    def key(self) -> str:
        """The logged key the name stands for: W&B's dots are nested keys (``val.loss`` is
        ``val/loss``), an escaped dot (``\\.``) a dot of the key itself."""
        return self.name.replace("\\.", "\0").replace(".", "/").replace("\0", ".")

    def merged_into(self, earlier: Metric) -> Metric:
        """This definition over an earlier one of the same name (W&B's ``overwrite=False``):
        what this call left unset is the earlier one's, and the summaries are both."""
        return Metric(
            self.name,
            self.step_metric if self.step_metric is not None else earlier.step_metric,
            self.step_sync if self.step_sync is not None else earlier.step_sync,
            self.hidden if self.hidden is not None else earlier.hidden,
            tuple(dict.fromkeys((*earlier.summary, *self.summary))),
            self.goal if self.goal is not None else earlier.goal,
        )

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
    if "*" in name and not (name.endswith("*") and name.count("*") == 1):
        raise Error(f"define_metric({name!r}): a glob has one '*', at its end ('val/*', '*')")
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
    return Metric(name, step_metric, step_sync, hidden, kinds, goal)


def dotted(key: str) -> str:
    """A flattened key in W&B's dotted form (``val/loss`` -> ``val.loss``)."""
    return key.replace("/", ".")


class MetricTable:
    """Every definition of a run, and the definition each logged key falls under."""

    def __init__(self) -> None:
        self.defined: dict[str, Metric] = {}
        self.step_metrics: dict[str, str] = {}  # key of a step-synced metric -> its step metric
        self._of_key: dict[str, Metric | None] = {}  # resolved per logged key (cleared on define)

    def define(self, metric: Metric, overwrite: bool | None = None) -> None:
        earlier = self.defined.get(metric.name)
        if earlier is not None and not overwrite:
            metric = metric.merged_into(earlier)
        self.defined[metric.name] = metric  # a glob keeps its place: the first defined wins
        self._of_key.clear()
        self.step_metrics = {
            m.key: m.step_metric for m in self.defined.values() if m.step_metric and m.step_sync
        }

    def of(self, key: str) -> Metric | None:
        """The definition ``key`` falls under, or None."""
        try:
            return self._of_key[key]
        except KeyError:
            pass
        found = None
        for metric in self.defined.values():
            if not metric.is_glob and metric.key == key:
                found = metric
                break
        if found is None:
            for metric in self.defined.values():
                if metric.is_glob and (
                    key.startswith(metric.key[:-1]) or dotted(key).startswith(metric.name[:-1])
                ):
                    found = metric
                    break
        self._of_key[key] = found
        return found

    def records(self) -> dict[str, dict[str, Any]]:
        return {name: metric.record() for name, metric in self.defined.items()}
