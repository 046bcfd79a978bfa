"""A W&B run's summary as it is kept: W&B's nested view in memory, summary.json through the SDK.

W&B's rules, which :class:`SummaryBook` follows:

- By default a key's summary is its last logged value, of any kind (a number, a string, a list,
  None); a logged nested dict (``{"val": {"loss": 1}}``) is nested in the summary too
  (``summary["val"]["loss"]``). The SDK keeps the last value of each logged number itself
  (:mod:`runicorn.sdk.run_summary`); the values it does not take (text, lists, None) are handed
  to it with the defined summaries.
- A metric with ``define_metric(..., summary=...)`` keeps what was asked for instead, as a small
  dict (``{"min": 0.12, "last": 0.15}``); ``summary="copy"`` keeps the last value itself and
  ``"none"`` keeps the metric out. Values that are not numbers are skipped by these, and a NaN
  makes ``min``, ``max`` and ``mean`` NaN, as in W&B.
- A value set by the program (``summary["best"] = 0.9``, ``summary["a"]["b"] = 1``) wins until
  the key is logged again; ``del summary[key]`` removes it, and what was logged under it.

On disk a nested path is one key, its parts joined by ``/`` (``val/loss``), as in the run's
events. What the SDK does not keep by itself is handed to it at most every
:data:`SAVE_INTERVAL_S` while logging, at once on an explicit change, and at ``finish``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from runicorn.sdk.values import DROP, to_number
from runicorn.wandb.metrics import GOALS, MetricTable
from runicorn.wandb.summary import SummaryRecord

SAVE_INTERVAL_S = 5.0
_PLAIN = (int, float)
Path = tuple[str, ...]


def flat_items(path: Path, value: Any, out: dict[str, Any]) -> dict[str, Any]:
    """``value`` at ``path`` as the ``a/b`` keys summary.json holds."""
    if isinstance(value, dict) and value:
        for key, inner in value.items():
            flat_items((*path, str(key)), inner, out)
    else:
        out["/".join(path)] = value
    return out


class SummaryBook:
    """The summary of one run. ``sdk_run`` writes summary.json; ``paths`` maps a logged key that
    came from a nested dict to its path (``"val/loss"`` -> ``("val", "loss")``)."""

    def __init__(
        self,
        metrics: MetricTable,
        sdk_run: Any,
        paths: dict[str, Path],
        initial: dict[str, Any] | None = None,
    ) -> None:
        self._metrics = metrics
        self._sdk = sdk_run
        self._paths = paths
        self.values: dict[str, Any] = dict(initial or {})
        self._means: dict[str, list[float]] = {}  # key -> [sum, count]
        self._pending: dict[str, Any] = {}  # flat key -> value, handed to the SDK at the next save
        self._saved_at = time.monotonic()
        self.sdk_keeps_values = False  # the SDK keeps text, None and lists in its rows (and summary)

    def current(self) -> dict[str, Any]:
        return self.values

    def keeps_last(self, key: str) -> bool:
        """Whether the SDK keeps ``key``'s summary (its last value), not this book."""
        metric = self._metrics.of(key)
        return metric is None or not metric.summary or metric.summary == ("copy",)

    # --- fed by log ---------------------------------------------------------------------------
    def observe(self, row: dict[str, Any], plain: bool = False) -> None:
        """Fold one committed row (flat keys, values of any kind; ``plain``: all numbers) into
        the summary."""
        defined = bool(self._metrics.defined)
        if plain and not defined and not self._paths:  # the common row: numbers under flat keys
            self.values.update(row)
            return
        for key, value in row.items():
            path = self._paths.get(key) or (key,)
            metric = self._metrics.of(key) if defined else None
            if metric is None or not metric.summary or metric.summary == ("copy",):
                self._set(path, value)
                if not self.sdk_keeps_values and type(value) not in _PLAIN and to_number(value) is DROP:
                    self._pending[key] = value  # the SDK's rows drop it: the summary is ours
            else:
                self._aggregate(key, path, value, metric.summary, metric.goal)
        if self._pending and time.monotonic() - self._saved_at >= SAVE_INTERVAL_S:
            self.save()

    def _aggregate(self, key: str, path: Path, value: Any, kinds: tuple[str, ...], goal: str | None) -> None:
        if "none" in kinds:
            self._remove(path)
            self._pending.pop(key, None)
            return
        number = value if type(value) in _PLAIN else to_number(value)
        if number is DROP:
            return
        entry = self._get(path)
        if not isinstance(entry, dict):
            entry = {}
            self._set(path, entry)
        for kind in kinds:
            if kind == "last":
                entry["last"] = number
            elif kind == "copy":
                continue
            elif kind == "first":
                entry.setdefault("first", number)
            elif kind == "min" or (kind == "best" and goal is not None and GOALS[goal] == "min"):
                name = "best" if kind == "best" else "min"
                entry[name] = number if name not in entry else _extreme(min, entry[name], number)
            elif kind == "best" and goal is None:  # W&B keeps nothing for it without a goal
                continue
            elif kind == "max" or kind == "best":
                name = "best" if kind == "best" else "max"
                entry[name] = number if name not in entry else _extreme(max, entry[name], number)
            elif kind == "mean":
                acc = self._means.setdefault(key, [0.0, 0])
                acc[0] += number
                acc[1] += 1
                entry["mean"] = acc[0] / acc[1]
        self._pending[key] = dict(entry)

    def save(self) -> None:
        """Hand the SDK what changed since the last save (it writes summary.json)."""
        self._saved_at = time.monotonic()
        if self._pending:
            pending = dict(self._pending)
            self._pending.clear()
            self._sdk.summary(pending)

    # --- the program's changes (the view's records) -------------------------------------------
    def apply(self, record: SummaryRecord) -> None:
        """Set and remove what ``record`` says, and write summary.json at once."""
        removed: list[str] = []
        for item in record.remove:
            self._remove(item.key)
            removed.append("/".join(item.key))
        written: dict[str, Any] = {}
        for item in record.update:
            if isinstance(self._get(item.key), dict):  # a value set over a dict replaces it
                removed.append("/".join(item.key))
            self._set(item.key, _copy(item.value))
            flat_items(item.key, item.value, written)
        for flat in removed:
            for key in [k for k in self._pending if k == flat or k.startswith(flat + "/")]:
                del self._pending[key]
        if removed:
            remove = getattr(self._sdk, "summary_remove", None)
            if remove is not None:
                remove(removed)
        self._pending.update(written)
        self.save()

    # --- the nested dict ----------------------------------------------------------------------
    def _get(self, path: Path) -> Any:
        node: Any = self.values
        for part in path:
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def _set(self, path: Path, value: Any) -> None:
        node = self.values
        for part in path[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[path[-1]] = value

    def _remove(self, path: Path) -> None:
        node: Any = self.values
        for part in path[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(path[-1], None)


def _extreme(pick: Callable[[float, float], float], old: float, new: float) -> float:
    """``min``/``max`` of two numbers, NaN if either is (W&B keeps a NaN)."""
    if isinstance(old, float) and math.isnan(old) or isinstance(new, float) and math.isnan(new):
        return math.nan
    return pick(old, new)


def _copy(value: Any) -> Any:
    return {str(k): _copy(v) for k, v in value.items()} if isinstance(value, dict) else value
