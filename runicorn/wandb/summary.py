"""``wandb.summary``: the run's final numbers, written to summary.json through the SDK.

W&B's rule: by default a metric's summary is its last value, and the SDK keeps that itself
(:mod:`runicorn.sdk.run_summary`). A metric with a ``define_metric(..., summary=...)`` keeps what
was asked for instead, as a small dict (``{"min": 0.12, "last": 0.15}``), and ``summary="none"``
keeps it out: the SDK is told to leave those keys to this class (``summary_keeps_last``). A value
set explicitly (``wandb.summary["best"] = 0.9``, ``summary.update(...)``) wins until the key is
logged again: a later row replaces it, as in W&B. Rows are summarised in memory; what the SDK
does not keep by itself (the defined metrics' dicts) is handed to it at most every
:data:`SAVE_INTERVAL_S` while logging, at once on an explicit set, and at ``finish``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from runicorn.sdk.values import DROP, to_number
from runicorn.wandb.key_view import KeyView
from runicorn.wandb.metrics import GOALS, MetricTable

SAVE_INTERVAL_S = 5.0
_PLAIN = (int, float)


class Summary(KeyView):
    """The summary of one run. ``save`` receives the whole summary dict to write."""

    _noun = "summary"

    def __init__(
        self,
        metrics: MetricTable,
        save: Callable[[dict[str, Any]], None],
        initial: dict[str, Any] | None = None,
    ) -> None:
        object.__setattr__(self, "_metrics", metrics)
        object.__setattr__(self, "_save", save)
        object.__setattr__(self, "_values", dict(initial or {}))
        object.__setattr__(self, "_explicit", set())
        object.__setattr__(self, "_means", {})  # key -> [sum, count]
        object.__setattr__(self, "_pending", {})  # what the SDK is handed at the next save
        object.__setattr__(self, "_saved_at", time.monotonic())

    def _mapping(self) -> dict[str, Any]:
        return self._values

    # --- fed by log ---------------------------------------------------------------------------
    def keeps_last(self, key: str) -> bool:
        """Whether ``key``'s summary is its last value (the SDK's default), not a defined one."""
        metric = self._metrics.of(key)
        return metric is None or not metric.summary

    def observe(self, row: dict[str, Any]) -> None:
        """Fold one committed row of numbers into the summary (a log replaces an explicit value)."""
        values = self._values
        if not self._metrics.defined:
            values.update(row)
            if self._explicit:
                self._explicit.difference_update(row)
            return
        for key, value in row.items():
            self._explicit.discard(key)
            metric = self._metrics.of(key)
            if metric is None or not metric.summary:
                values[key] = value
            else:
                self._aggregate(key, value, metric.summary, metric.goal)
        if self._pending and time.monotonic() - self._saved_at >= SAVE_INTERVAL_S:
            self.save()

    def _aggregate(self, key: str, value: Any, kinds: tuple[str, ...], goal: str | None) -> None:
        if "none" in kinds:
            self._values.pop(key, None)
            self._pending.pop(key, None)
            return
        number = value if type(value) in _PLAIN else to_number(value)
        if number is DROP or (isinstance(number, float) and math.isnan(number)):
            return
        entry = self._values.get(key)
        if not isinstance(entry, dict):
            entry = self._values[key] = {}
        for kind in kinds:
            if kind in ("last", "copy"):
                entry["last"] = number
            elif kind == "first":
                entry.setdefault("first", number)
            elif kind == "min" or (kind == "best" and goal is not None and GOALS[goal] == "min"):
                name = "best" if kind == "best" else "min"
                entry[name] = number if name not in entry else min(entry[name], number)
            elif kind == "max" or kind == "best":
                name = "best" if kind == "best" else "max"
                entry[name] = number if name not in entry else max(entry[name], number)
            elif kind == "mean":
                acc = self._means.setdefault(key, [0.0, 0])
                acc[0] += number
                acc[1] += 1
                entry["mean"] = acc[0] / acc[1]
        self._pending[key] = entry

    def save(self) -> None:
        """Hand the SDK what changed since the last save (it writes summary.json)."""
        object.__setattr__(self, "_saved_at", time.monotonic())
        if self._pending:
            pending = {k: dict(v) if isinstance(v, dict) else v for k, v in self._pending.items()}
            self._pending.clear()
            self._save(pending)

    # --- the user's view ----------------------------------------------------------------------
    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __setattr__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __delitem__(self, key: str) -> None:
        del self._values[key]
        self._explicit.discard(key)
        self._pending.pop(key, None)

    def keys(self) -> list[str]:
        return list(self._values)

    def items(self) -> list[tuple[str, Any]]:
        return list(self._values.items())

    def values(self) -> list[Any]:
        return list(self._values.values())

    def update(self, d: dict[str, Any] | None = None, **kwargs: Any) -> None:
        """Set keys explicitly (they win until logged again) and write summary.json."""
        values = {**(d or {}), **kwargs}
        for key, value in values.items():
            self._values[str(key)] = value
            self._explicit.add(str(key))
            self._pending[str(key)] = value
        self.save()

    def __repr__(self) -> str:
        return f"Summary({self._values!r})"
