"""Run labels: the short name each run is shown with in the research view and ``runicorn ls``.

A run's label is its W&B display name when it has one (``display_name`` in meta.json), else its
experiment name. When several of the runs listed together share that name, each gets a suffix
made of the config keys whose values differ among them (``mlp lr=0.01 bs=32``): at most
:data:`MAX_SUFFIX_KEYS` keys: those among the config columns the user chose first, in the order
chosen, then the others in the order of their names (the same order in every view: the runs table,
the charts' legends, the overlay picker and the compare page), each shown by its last dotted part
and a short value. Runs with no differing config key, or still
alike after it, end with the last characters of their id instead (``mlp #ab12cd``).

Labels depend on which runs are listed together: they are computed over the runs of an answer
(all its pages), and :class:`LabelCache` keeps the latest few per index generation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from runicorn.store.index.generation_cache import GenerationCache
from runicorn.store.index.run_info import RunInfo
from runicorn.store.query.fields import MISSING, cell, distinct_key, flat_config

__all__ = [
    "MAX_SUFFIX_KEYS",
    "LabelCache",
    "base_name",
    "chosen_config_keys",
    "run_labels",
    "short_key",
    "short_value",
]

MAX_SUFFIX_KEYS = 3
ID_TAIL_CHARS = 6
MAX_VALUE_CHARS = 16


def base_name(run: RunInfo) -> str:
    """The W&B display name when set, else the experiment name."""
    shown = run.meta.get("display_name")
    return shown if isinstance(shown, str) and shown else run.name


def short_key(key: str) -> str:
    """``optimizer.lr`` -> ``lr``: the last dotted part of a config key."""
    return key.rsplit(".", 1)[-1] or key


def short_value(value: Any) -> str:
    """A config value in a few characters: ``0.01``, ``3e-05``, ``adam``, ``true``, ``-``."""
    if value is MISSING:
        return "-"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4g}"
    text = str(cell(value))
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def chosen_config_keys(columns: Iterable[str]) -> tuple[str, ...]:
    """``["config.lr", "summary.acc", "config.opt.name"]`` -> ``("lr", "opt.name")``: the config
    keys among chosen columns, in order (they lead a label's keys)."""
    return tuple(c[len("config.") :] for c in columns if c.startswith("config.") and len(c) > len("config."))


def _suffix_keys(runs: Sequence[RunInfo], first: Sequence[str] = ()) -> list[str]:
    """The config keys whose values differ among ``runs`` (or that some lack): those of ``first``
    in its order, then the others by name; at most MAX_SUFFIX_KEYS."""
    configs = [flat_config(r) for r in runs]
    keys: set[str] = set()
    for c in configs:
        keys.update(c)
    leading = [k for k in dict.fromkeys(first) if k in keys]
    ordered = [*leading, *sorted(keys.difference(leading))]
    differing = [key for key in ordered if len({distinct_key(c.get(key, MISSING)) for c in configs}) > 1]
    return differing[:MAX_SUFFIX_KEYS]


def run_labels(runs: Iterable[RunInfo], first: Sequence[str] = ()) -> dict[str, str]:
    """Each run's label by key, computed over ``runs`` (see the module doc); ``first``: the config
    keys the user chose as columns (:func:`chosen_config_keys`), which lead."""
    by_name: dict[str, list[RunInfo]] = {}
    for run in runs:
        by_name.setdefault(base_name(run), []).append(run)
    labels: dict[str, str] = {}
    for name, group in by_name.items():
        if len(group) == 1:
            labels[group[0].key] = name
            continue
        keys = _suffix_keys(group, first)
        shown = {}
        for run in group:
            config = flat_config(run)
            parts = [f"{short_key(k)}={short_value(config.get(k, MISSING))}" for k in keys]
            shown[run.key] = " ".join([name, *parts])
        counts: dict[str, int] = {}
        for text in shown.values():
            counts[text] = counts.get(text, 0) + 1
        for run in group:
            text = shown[run.key]
            labels[run.key] = text if counts[text] == 1 else f"{text} #{run.id[-ID_TAIL_CHARS:]}"
    return labels


class LabelCache:
    """The labels of the latest few sets of runs, for one index generation. Thread-safe."""

    def __init__(self, max_sets: int = 8) -> None:
        self._cache: GenerationCache[dict[str, str]] = GenerationCache(max_sets)

    def labels(self, runs: Sequence[RunInfo], generation: int, first: Sequence[str] = ()) -> dict[str, str]:
        """The labels of ``runs`` (computed, or kept from an earlier call at ``generation``)."""
        keys = (frozenset(r.key for r in runs), tuple(first))
        return self._cache.get(generation, keys, lambda: run_labels(runs, first))
