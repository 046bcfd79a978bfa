"""The parameter space of a sweep: draw a value of one parameter, list a grid, and map values to
and from the unit interval (what the bayes search works in). Pure: a ``random.Random`` is passed in.
"""

from __future__ import annotations

import itertools
import math
import random
from typing import Any

from runicorn.sweep.config import Parameter, SweepConfig


def grid_points(config: SweepConfig) -> list[dict[str, Any]]:
    """Every combination of the parameters' values, the first parameter varying slowest and each
    parameter's values in the order given (``int_uniform`` counts from min to max)."""
    axes = [_grid_values(p) for p in config.parameters]
    names = [p.name for p in config.parameters]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*axes)]


def _grid_values(p: Parameter) -> tuple[Any, ...]:
    if p.distribution == "int_uniform":
        return tuple(range(int(p.min), int(p.max) + 1))
    return p.values


def sample_point(config: SweepConfig, rng: random.Random) -> dict[str, Any]:
    return {p.name: sample(p, rng) for p in config.parameters}


def sample(p: Parameter, rng: random.Random) -> Any:
    """One value of ``p`` drawn from its distribution (W&B's meaning of each name)."""
    d = p.distribution
    if d == "constant":
        return p.values[0]
    if d == "categorical":
        if p.probabilities:
            return rng.choices(p.values, weights=p.probabilities)[0]
        return p.values[rng.randrange(len(p.values))]
    if d == "int_uniform":
        return rng.randint(int(p.min), int(p.max))
    if d in ("uniform", "q_uniform"):
        x = rng.uniform(p.min, p.max)
    elif d in ("log_uniform", "q_log_uniform"):
        x = math.exp(rng.uniform(p.min, p.max))
    elif d in ("log_uniform_values", "q_log_uniform_values"):
        x = math.exp(rng.uniform(math.log(p.min), math.log(p.max)))
    elif d == "inv_log_uniform":
        x = math.exp(-rng.uniform(p.min, p.max))
    elif d == "inv_log_uniform_values":
        x = 1.0 / math.exp(rng.uniform(math.log(1.0 / p.max), math.log(1.0 / p.min)))
    elif d in ("normal", "q_normal"):
        x = rng.gauss(p.mu, p.sigma)
    else:  # log_normal, q_log_normal
        x = math.exp(rng.gauss(p.mu, p.sigma))
    return _quantize(p, x) if d.startswith("q_") else x


def _quantize(p: Parameter, x: float) -> float | int:
    value = round(x / p.q) * p.q
    return int(value) if float(p.q).is_integer() else value


# --- the unit interval, for the bayes search ---------------------------------------------------
def is_continuous(p: Parameter) -> bool:
    """Whether ``p`` has a bounded numeric range the bayes search can model (normal and
    log-normal are unbounded: they are drawn at random)."""
    return p.distribution not in (
        "constant",
        "categorical",
        "normal",
        "q_normal",
        "log_normal",
        "q_log_normal",
    )


def to_unit(p: Parameter, value: float) -> float:
    """``value`` of a bounded numeric parameter as a position in [0, 1] of its range, on the
    scale it is drawn on (log for the log distributions)."""
    lo, hi, v = _scaled_bounds(p) + (_scale(p, float(value)),)
    return 0.5 if hi == lo else min(1.0, max(0.0, (v - lo) / (hi - lo)))


def from_unit(p: Parameter, u: float) -> Any:
    lo, hi = _scaled_bounds(p)
    v = lo + min(1.0, max(0.0, u)) * (hi - lo)
    d = p.distribution
    if d == "int_uniform":
        return min(int(p.max), max(int(p.min), round(v)))
    if d in ("uniform", "q_uniform"):
        x = v
    elif d.startswith("inv_"):
        x = math.exp(-v)
    else:
        x = math.exp(v)
    return _quantize(p, x) if d.startswith("q_") else x


def _scaled_bounds(p: Parameter) -> tuple[float, float]:
    d = p.distribution
    if d in ("log_uniform", "q_log_uniform", "inv_log_uniform"):
        return p.min, p.max
    if d in ("log_uniform_values", "q_log_uniform_values"):
        return math.log(p.min), math.log(p.max)
    if d == "inv_log_uniform_values":
        return math.log(1.0 / p.max), math.log(1.0 / p.min)
    return p.min, p.max


def _scale(p: Parameter, x: float) -> float:
    d = p.distribution
    if d in ("uniform", "q_uniform", "int_uniform"):
        return x
    if d.startswith("inv_"):
        return -math.log(x) if x > 0 else _scaled_bounds(p)[1]
    return math.log(x) if x > 0 else _scaled_bounds(p)[0]
