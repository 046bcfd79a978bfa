"""``method: bayes``: a Tree-structured Parzen Estimator (TPE), in plain Python.

Why TPE and not a Gaussian process: it needs no linear algebra (no numpy, no matrix inversion
that grows with the cube of the trials), handles categorical and integer parameters as naturally
as continuous ones, and is robust with the few tens of trials a sweep usually has. The idea
(Bergstra et al., 2011):

1. The first ``STARTUP_TRIALS`` trials are drawn at random.
2. Then the ended trials (finished, stopped early, failed: see ``observations``) are split by
   their metric into the best ``GAMMA`` fraction ("good") and the rest ("bad").
3. Each bounded parameter, mapped onto [0, 1] on the scale it is drawn on (log for the log
   distributions), gets two densities: a mixture of narrow normal bumps on the good trials' values,
   and one on the bad trials' values, each mixed with a little of the uniform prior. A categorical
   parameter gets the smoothed frequency of each value among good and among bad trials.
4. ``CANDIDATES`` points are drawn from the good densities; the one where good is most likely
   relative to bad (the largest sum over parameters of log l(x) - log g(x)) is the next trial.

Unbounded distributions (normal, log_normal and their q_ forms) are drawn at random.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

from runicorn import format as fmt
from runicorn.sweep.config import Metric, Parameter, SweepConfig
from runicorn.sweep.space import from_unit, is_continuous, sample, sample_point, to_unit

STARTUP_TRIALS = 5
GAMMA = 0.25
CANDIDATES = 24
PRIOR_WEIGHT = 1.0  # the uniform prior counts as this many observations in each density


def observations(
    trials: Sequence[fmt.TrialData],
    metric: Metric,
    best_logged: Callable[[fmt.TrialData], float | None],
) -> list[tuple[dict[str, Any], float]]:
    """What the search learns from, as W&B's bayes search takes it: every finished trial with its
    metric, and every stopped (early-terminated) or failed trial too, with the value
    ``metric.impute`` gives it: ``worst`` (the default) the worst value any ended trial recorded,
    so the search stays away from where trials are stopped; ``latest`` the last value it logged;
    ``best`` the best value it logged (``best_logged``). A finished trial without a value counts as
    the worst. Trials still running are left out; with no value recorded anywhere, nothing is."""
    ended = [t for t in trials if t.get("status") in _ENDED]
    recorded = [v for t in ended if (v := _finite(t.get("metric"))) is not None]
    if not recorded:
        return []
    worst = max(recorded) if metric.goal == "minimize" else min(recorded)
    out = []
    for t in ended:
        own = _finite(t.get("metric"))
        if t.get("status") != fmt.TRIAL_FINISHED and metric.impute != "latest":
            own = best_logged(t) if metric.impute == "best" else None
        out.append((t["params"], worst if own is None else own))
    return out


_ENDED = (fmt.TRIAL_FINISHED, fmt.TRIAL_STOPPED, fmt.TRIAL_FAILED)


def _finite(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def suggest(
    config: SweepConfig, completed: Sequence[tuple[dict[str, Any], float]], rng: random.Random
) -> dict[str, Any]:
    """The next point to try, given the observed trials as (params, metric value) pairs."""
    usable = [(params, value) for params, value in completed if math.isfinite(value)]
    if len(usable) < STARTUP_TRIALS:
        return sample_point(config, rng)
    sign = 1.0 if config.metric is None or config.metric.goal == "minimize" else -1.0
    ranked = sorted(usable, key=lambda pv: sign * pv[1])
    n_good = max(1, math.ceil(GAMMA * len(ranked)))
    good, bad = [p for p, _ in ranked[:n_good]], [p for p, _ in ranked[n_good:]]
    models = [_model(p, good, bad) for p in config.parameters]
    best: dict[str, Any] | None = None
    best_score = -math.inf
    for _ in range(CANDIDATES):
        point: dict[str, Any] = {}
        score = 0.0
        for p, model in zip(config.parameters, models, strict=True):
            if model is None:
                point[p.name] = sample(p, rng)
                continue
            value, s = model.draw(rng)
            point[p.name] = value
            score += s
        if score > best_score:
            best, best_score = point, score
    assert best is not None
    return best


class _Numeric:
    """Good and bad Parzen densities of one bounded parameter, on [0, 1]."""

    def __init__(self, p: Parameter, good: list[float], bad: list[float]) -> None:
        self.p = p
        self.good, self.bad = good, bad
        self.h_good, self.h_bad = _bandwidth(len(good)), _bandwidth(len(bad))

    def draw(self, rng: random.Random) -> tuple[Any, float]:
        pick = rng.uniform(0, len(self.good) + PRIOR_WEIGHT)
        if pick >= len(self.good):
            u = rng.random()
        else:
            center = self.good[int(pick)]
            u = -1.0
            while not 0.0 <= u <= 1.0:  # truncated to the range
                u = rng.gauss(center, self.h_good)
        value = from_unit(self.p, u)
        u = to_unit(self.p, value)  # where the value really lies (after rounding)
        return value, math.log(_density(u, self.good, self.h_good)) - math.log(
            _density(u, self.bad, self.h_bad)
        )


class _Categorical:
    def __init__(self, p: Parameter, good: list[Any], bad: list[Any]) -> None:
        self.p = p
        k = len(p.values)
        self.l = [
            (sum(1 for v in good if v == value) + PRIOR_WEIGHT / k) / (len(good) + PRIOR_WEIGHT)
            for value in p.values
        ]
        self.g = [
            (sum(1 for v in bad if v == value) + PRIOR_WEIGHT / k) / (len(bad) + PRIOR_WEIGHT)
            for value in p.values
        ]

    def draw(self, rng: random.Random) -> tuple[Any, float]:
        i = rng.choices(range(len(self.p.values)), weights=self.l)[0]
        return self.p.values[i], math.log(self.l[i]) - math.log(self.g[i])


def _model(
    p: Parameter, good: list[dict[str, Any]], bad: list[dict[str, Any]]
) -> _Numeric | _Categorical | None:
    if p.distribution == "categorical":
        return _Categorical(p, [t.get(p.name) for t in good], [t.get(p.name) for t in bad])
    if not is_continuous(p):
        return None

    def units(trials: list[dict[str, Any]]) -> list[float]:
        out = []
        for t in trials:
            v = t.get(p.name)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
                out.append(to_unit(p, v))
        return out

    return _Numeric(p, units(good), units(bad))


def _bandwidth(n: int) -> float:
    """Narrower bumps as observations accumulate (Scott's rule on a unit range), never below 0.02."""
    return max(0.02, 0.5 * (n + 1) ** -0.2) if n else 1.0


def _density(u: float, centers: list[float], h: float) -> float:
    """The mixture's density at ``u``: the uniform prior plus one truncated normal per center."""
    total = PRIOR_WEIGHT * 1.0
    for c in centers:
        mass = _phi((1.0 - c) / h) - _phi((0.0 - c) / h)
        total += math.exp(-0.5 * ((u - c) / h) ** 2) / (h * math.sqrt(2 * math.pi) * max(mass, 1e-12))
    return total / (len(centers) + PRIOR_WEIGHT)


def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))
