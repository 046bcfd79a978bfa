"""Which config keys matter for a metric (docs/api.md#research, docs/web.md "Parameter importance"):
each key's importance from a small random forest fitted on the runs (scikit-learn, the optional
``research`` extra, imported only when asked) and its correlation with the metric.

:func:`parameter_importance` takes the runs and a metric field (``summary.val/acc``) and answers
one row per config key whose value varies among the runs that have the metric:

- a run without a finite number for the metric is left out (``used`` counts the rest);
- a key of numbers (booleans count as 0 / 1) is one feature; when its values are all > 0 and span
  more than two decades (learning rates) it is taken as ``log10`` of the value (``log: true``),
  which changes the correlation, not the trees; a run without the key has NaN there, which the
  trees send down whichever side of a split fits it best;
- any other key (strings, lists, mixed kinds) is categorical: one 0 / 1 feature per value (the
  :data:`MAX_CATEGORIES` most common, the rest together as one), a run without the key has 0 in
  all of them; its importance is the sum of its features', its correlation is None;
- correlation: Pearson's, over the runs that have both the key and the metric (None with fewer
  than 3 such runs or when either side does not vary).

Without scikit-learn every importance is None and the rows are ordered by the size of their
correlation; the answer's ``install`` says how to add it.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from runicorn.store.index.run_info import RunInfo
from runicorn.store.query.fields import FieldContext, cell, flat_config, getter

__all__ = ["INSTALL_HINT", "ForestSettings", "parameter_importance"]

INSTALL_HINT = "pip install 'runicorn[research]'"
MAX_CATEGORIES = 10
MAX_KEYS = 100
MAX_RUNS = 20_000
LOG_SPAN = 100.0  # more than two decades between the smallest and the largest value: a log axis


@dataclass(frozen=True)
class ForestSettings:
    """The random forest's parameters: small, so that ten thousand runs take well under a second
    (each tree sees at most ``max_samples`` runs and half the features at each split)."""

    trees: int = 50
    max_depth: int = 8
    max_samples: int = 1_000  # runs drawn (with replacement) for each tree, at most
    max_features: float = 0.5  # share of the features tried at each split
    min_samples_leaf: int = 2
    seed: int = 0


@dataclass
class _Feature:
    """One config key among the runs that have the metric."""

    name: str
    kind: str  # "number", "bool" or "category"
    values: list[Any]  # per run: a float (number, bool), a category's text, or None (missing)
    log: bool = False


def _number(value: Any) -> float | None:
    if value.__class__ in (int, float, bool):
        f = float(value)
        return f if math.isfinite(f) else None
    return None


def _feature(key: str, raw: list[Any]) -> _Feature | None:
    """The key as a feature, or None when it does not vary (one value in every run)."""
    present = [v for v in raw if v is not None]
    if not present:
        return None
    if all(v.__class__ is bool for v in present):
        feature = _Feature(key, "bool", [None if v is None else float(v) for v in raw])
    elif all(v.__class__ in (int, float) for v in present) and all(_number(v) is not None for v in present):
        values = [None if v is None else float(v) for v in raw]
        lo, hi = min(v for v in values if v is not None), max(v for v in values if v is not None)
        log = lo > 0 and hi / lo > LOG_SPAN * (1 + 1e-9)  # exactly two decades, give or take rounding: no
        shown = [None if v is None else (math.log10(v) if log else v) for v in values]
        feature = _Feature(key, "number", shown, log)
    else:
        feature = _Feature(key, "category", [None if v is None else str(cell(v)) for v in raw])
    distinct = {v for v in feature.values}
    return feature if len(distinct) > 1 else None


def pearson(xs: Sequence[float | None], ys: Sequence[float]) -> float | None:
    """Pearson's correlation of the pairs where x is present; None with fewer than 3 pairs or
    when either side is constant."""
    pairs = [(x, y) for x, y in zip(xs, ys, strict=True) if x is not None]
    n = len(pairs)
    if n < 3:
        return None
    mx = sum(p[0] for p in pairs) / n
    my = sum(p[1] for p in pairs) / n
    sxy = sum((x - mx) * (y - my) for x, y in pairs)
    sxx = sum((x - mx) ** 2 for x, _ in pairs)
    syy = sum((y - my) ** 2 for _, y in pairs)
    if sxx <= 0 or syy <= 0:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def _columns(features: list[_Feature]) -> tuple[list[list[float]], list[int]]:
    """The model's input, column by column, and for each column the index of its feature."""
    columns: list[list[float]] = []
    owner: list[int] = []
    for i, f in enumerate(features):
        if f.kind != "category":
            columns.append([math.nan if v is None else v for v in f.values])
            owner.append(i)
            continue
        counts = Counter(v for v in f.values if v is not None)
        kept = [c for c, _ in counts.most_common(MAX_CATEGORIES)]
        for c in kept:
            columns.append([1.0 if v == c else 0.0 for v in f.values])
            owner.append(i)
        if len(counts) > len(kept):
            rest = set(counts) - set(kept)
            columns.append([1.0 if v in rest else 0.0 for v in f.values])
            owner.append(i)
    return columns, owner


def _forest_importance(
    features: list[_Feature], target: list[float], settings: ForestSettings
) -> list[float] | None:
    """Each feature's share of the forest's impurity decrease (summing to 1); None without
    scikit-learn."""
    try:
        import numpy as np
        from sklearn.ensemble import RandomForestRegressor
    except ImportError:
        return None
    columns, owner = _columns(features)
    x = np.array(columns, dtype=np.float64).T
    y = np.array(target, dtype=np.float64)
    forest = RandomForestRegressor(
        n_estimators=settings.trees,
        max_depth=settings.max_depth,
        min_samples_leaf=settings.min_samples_leaf,
        max_samples=min(len(target), settings.max_samples),
        max_features=settings.max_features,
        random_state=settings.seed,
        n_jobs=1,
    )
    try:
        forest.fit(x, y)
    except ValueError:  # scikit-learn before 1.4 refuses NaN: a missing value below every present one
        low = np.where(np.isnan(x), np.inf, x).min(axis=0) - 1.0
        forest.fit(np.where(np.isnan(x), np.where(np.isfinite(low), low, 0.0), x), y)
    shares = [0.0] * len(features)
    for column, share in enumerate(forest.feature_importances_):
        shares[owner[column]] += float(share)
    return shares


def parameter_importance(
    runs: Sequence[RunInfo], metric: str, settings: ForestSettings | None = None
) -> dict[str, Any]:
    """``{"metric", "runs", "used", "model", "install", "seconds", "parameters": [{"name", "type",
    "count", "importance", "correlation", "log"}]}``, the parameters by importance (without a
    model: by the size of their correlation), most first."""
    settings = settings or ForestSettings()
    started = time.perf_counter()
    get = getter(metric)
    ctx = FieldContext(time.time())
    used: list[RunInfo] = []
    target: list[float] = []
    for run in runs:
        raw = get(run, ctx)
        value = None if raw.__class__ is bool else _number(raw)
        if value is not None:
            used.append(run)
            target.append(value)
        if len(used) >= MAX_RUNS:
            break
    configs = [flat_config(run) for run in used]
    keys = sorted({k for c in configs for k in c})
    own = metric[len("config.") :] if metric.startswith("config.") else None
    found = (_feature(k, [c.get(k) for c in configs]) for k in keys if k != own)
    features = [f for f in found if f is not None][:MAX_KEYS]
    fit = bool(features) and len(used) >= 3 and len(set(target)) > 1
    shares = _forest_importance(features, target, settings) if fit else None
    rows: list[dict[str, Any]] = []
    for i, f in enumerate(features):
        rows.append(
            {
                "name": "config." + f.name,
                "type": f.kind,
                "count": sum(v is not None for v in f.values),
                "importance": None if shares is None else round(shares[i], 6),
                "correlation": None if f.kind == "category" else _rounded(pearson(f.values, target)),
                "log": f.log,
            }
        )
    rows.sort(key=lambda r: (-(r["importance"] or 0.0), -abs(r["correlation"] or 0.0), r["name"]))
    return {
        "metric": metric,
        "runs": len(runs),
        "used": len(used),
        "model": "random_forest" if shares is not None else None,
        "install": INSTALL_HINT if _missing_library() else None,
        "seconds": round(time.perf_counter() - started, 3),
        "parameters": rows,
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _missing_library() -> bool:
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return True
    return False
