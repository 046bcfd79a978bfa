"""Which way is better for a metric: its ``goal``, ``minimize`` or ``maximize``; and what it is
drawn against: its ``step_metric``.

A run written through ``runicorn.wandb`` records ``define_metric(..., goal=...)`` in meta.json
(``metrics``, docs/format.md); a key takes the definition of its own name, else of its dotted form
(``val/acc`` -> ``val.acc``), else of the last-defined glob it matches. Where no run defines a
goal, the name decides (docs/web.md#sorting-by-a-metric): a key naming a loss, an error, a
perplexity or a time is minimized, every other key maximized.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from collections.abc import Collection, Iterable
from typing import Any

import orjson

from runicorn import format as fmt
from runicorn.store.index.run_info import RunInfo

__all__ = ["GOALS", "MetricGoals", "goal_by_name"]

GOALS = fmt.METRIC_GOALS
# Parts of a name that mean "lower is better", anywhere in it ...
_LOWER_IS_BETTER = ("loss", "error", "perplexity", "time", "latency", "regret")
# ... and short ones only as a whole word of it (`val/err`, `test_ppl`; not `merry`, `temse`).
_LOWER_IS_BETTER_WORDS = frozenset({"err", "ppl", "mse", "mae", "rmse", "nll", "wer", "cer"})
_WORD = re.compile(r"[a-z0-9]+")


def goal_by_name(key: str) -> str:
    """``minimize`` for a key whose name says lower is better (loss, error, perplexity, time,
    latency, regret anywhere; err, ppl, mse, mae, rmse, nll, wer, cer as a word), else ``maximize``."""
    name = key.lower()
    if any(part in name for part in _LOWER_IS_BETTER):
        return "minimize"
    if any(word in _LOWER_IS_BETTER_WORDS for word in _WORD.findall(name)):
        return "minimize"
    return "maximize"


def _definition(key: str, definitions: dict[str, Any]) -> Any:
    found = definitions.get(key)
    if found is not None:
        return found
    dotted = key.replace("/", ".")
    found = definitions.get(dotted)
    if found is not None:
        return found
    for name in reversed([n for n in definitions if "*" in n]):
        if fnmatch.fnmatchcase(key, name) or fnmatch.fnmatchcase(dotted, name):
            return definitions[name]
    return None


class MetricGoals:
    """The goals of the summary keys of some runs: ``define_metric``'s where the runs define one
    (the goal most of them give), else the name's. Runs sharing their definitions are read once."""

    def __init__(self, runs: Iterable[RunInfo]) -> None:
        shared: dict[bytes, tuple[dict[str, Any], int]] = {}
        for run in runs:
            definitions = run.meta.get(fmt.METRIC_DEFINITIONS_KEY)
            if not isinstance(definitions, dict) or not definitions:
                continue
            text = orjson.dumps(definitions, option=orjson.OPT_SORT_KEYS)
            seen = shared.get(text)
            shared[text] = (definitions, seen[1] + 1 if seen else 1)
        self._definitions = list(shared.values())

    def _voted(self, key: str, field: str, allowed: Collection[str] | None = None) -> Any:
        """The value most runs' definition of ``key`` gives ``field``, a non-empty string (one of
        ``allowed`` when given), or None where none gives one."""
        votes: Counter[Any] = Counter()
        for definitions, runs in self._definitions:
            definition = _definition(key, definitions)
            value = definition.get(field) if isinstance(definition, dict) else None
            if isinstance(value, str) and value and (allowed is None or value in allowed):
                votes[value] += runs
        return votes.most_common(1)[0][0] if votes else None

    def defined(self, key: str) -> str | None:
        """The goal the runs' ``define_metric`` gives ``key``, or None where none defines one."""
        return self._voted(key, fmt.METRIC_GOAL_KEY, GOALS)

    def step_metric(self, key: str) -> str | None:
        """The ``step_metric`` most runs' ``define_metric`` give ``key`` (its default x axis), or None
        where none defines one (or it names the key itself)."""
        metric = self._voted(key, fmt.METRIC_STEP_KEY)
        return metric if metric != key else None

    def goal(self, key: str) -> tuple[str, str]:
        """``(goal, source)``: the defined goal (source ``define_metric``), else the name's (``name``)."""
        goal = self.defined(key)
        return (goal, "define_metric") if goal is not None else (goal_by_name(key), "name")
