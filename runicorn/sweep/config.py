"""A sweep's configuration, W&B's shape: parsed and checked once, with errors naming the bad key.

    method: grid | random | bayes
    metric: {name: val_loss, goal: minimize | maximize}
    parameters:
      lr:        {min: 0.0001, max: 0.1, distribution: log_uniform_values}
      optimizer: {values: [adam, sgd]}
      epochs:    {value: 10}
    early_terminate: {type: hyperband, min_iter: 3, eta: 3}
    run_cap: 20

See docs/sweeps.md for every distribution and what each key means.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from runicorn.errors import ConfigError

METHODS = ("grid", "random", "bayes")
GOALS = ("minimize", "maximize")
# distribution -> the keys it needs (beyond "distribution")
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "constant": ("value",),
    "categorical": ("values",),
    "int_uniform": ("min", "max"),
    "uniform": ("min", "max"),
    "q_uniform": ("min", "max"),
    "log_uniform": ("min", "max"),  # min/max are natural logs of the bounds
    "log_uniform_values": ("min", "max"),
    "q_log_uniform": ("min", "max"),
    "q_log_uniform_values": ("min", "max"),
    "inv_log_uniform": ("min", "max"),
    "inv_log_uniform_values": ("min", "max"),
    "normal": (),
    "q_normal": (),
    "log_normal": (),
    "q_log_normal": (),
}
PARAMETER_KEYS = frozenset(
    {"distribution", "value", "values", "probabilities", "min", "max", "mu", "sigma", "q"}
)
METRIC_KEYS = frozenset({"name", "goal", "target", "impute"})
IMPUTES = ("worst", "latest", "best")  # what a stopped or failed trial counts as (W&B's metric.impute)
TOP_KEYS = frozenset(
    {
        "method",
        "metric",
        "parameters",
        "early_terminate",
        "run_cap",
        "name",
        "description",
        "program",
        "command",
        "project",
        "entity",
    }
)


@dataclass(frozen=True)
class Parameter:
    name: str
    distribution: str
    values: tuple[Any, ...] = ()  # categorical / constant (one value)
    probabilities: tuple[float, ...] | None = None
    min: float = 0.0
    max: float = 0.0
    mu: float = 0.0
    sigma: float = 1.0
    q: float = 1.0

    @property
    def is_discrete(self) -> bool:
        return self.distribution in ("constant", "categorical")


@dataclass(frozen=True)
class Metric:
    name: str
    goal: str = "minimize"
    impute: str = "worst"  # IMPUTES: the value the bayes search gives a stopped or failed trial

    def better(self, a: float, b: float) -> bool:
        """True when ``a`` is better than ``b`` for this goal."""
        return a < b if self.goal == "minimize" else a > b


@dataclass(frozen=True)
class Hyperband:
    min_iter: int
    eta: float = 3.0
    max_iter: int | None = None
    s: int | None = None


@dataclass(frozen=True)
class SweepConfig:
    method: str
    parameters: tuple[Parameter, ...]
    metric: Metric | None = None
    early_terminate: Hyperband | None = None
    run_cap: int | None = None
    name: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)  # as given, for sweep.json and the viewer


def parse_sweep_config(raw: Any) -> SweepConfig:
    """Check ``raw`` (a dict as W&B takes it) and return it parsed; ConfigError names the bad key."""
    if not isinstance(raw, Mapping):
        raise ConfigError(
            f"a sweep configuration is a mapping, not {type(raw).__name__}",
            "give a dict (or a YAML/JSON file) with method, metric and parameters",
        )
    _refuse_unknown(raw, TOP_KEYS, "")
    method = raw.get("method")
    if method not in METHODS:
        raise ConfigError(
            f"sweep configuration: method is {method!r}", f"set method to one of {', '.join(METHODS)}"
        )
    metric = _metric(raw.get("metric"))
    if method == "bayes" and metric is None:
        raise ConfigError(
            "sweep configuration: method bayes needs a metric",
            "add metric: {name: <a key your program logs>, goal: minimize | maximize}",
        )
    params_raw = raw.get("parameters")
    if not isinstance(params_raw, Mapping) or not params_raw:
        raise ConfigError(
            "sweep configuration: parameters is missing or empty",
            "add parameters: {lr: {min: 0.001, max: 0.1}, ...}",
        )
    parameters = tuple(_parameter(str(name), spec) for name, spec in params_raw.items())
    if method == "grid":
        for p in parameters:
            if not p.is_discrete and p.distribution != "int_uniform":
                raise ConfigError(
                    f"sweep configuration: parameters.{p.name} is a {p.distribution} range; "
                    "grid needs a list",
                    f"give parameters.{p.name}.values: [...] (or use method random or bayes)",
                )
    early = _early_terminate(raw.get("early_terminate"), metric)
    run_cap = raw.get("run_cap")
    if run_cap is not None and (not _is_int(run_cap) or run_cap < 1):
        raise ConfigError(
            f"sweep configuration: run_cap is {run_cap!r}", "give a whole number of runs, 1 or more"
        )
    name = raw.get("name")
    return SweepConfig(
        method=str(method),
        parameters=parameters,
        metric=metric,
        early_terminate=early,
        run_cap=run_cap,
        name=str(name) if name is not None else None,
        raw=dict(raw),
    )


def _metric(raw: Any) -> Metric | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str) or not raw["name"]:
        raise ConfigError(
            "sweep configuration: metric.name is missing", "add metric: {name: val_loss, goal: minimize}"
        )
    goal = raw.get("goal", "minimize")
    if goal not in GOALS:
        raise ConfigError(f"sweep configuration: metric.goal is {goal!r}", "set it to minimize or maximize")
    _refuse_unknown(raw, METRIC_KEYS, "metric.")
    impute = raw.get("impute", "worst")
    if impute not in IMPUTES:
        raise ConfigError(
            f"sweep configuration: metric.impute is {impute!r}", f"set it to one of {', '.join(IMPUTES)}"
        )
    return Metric(raw["name"], goal, impute)


def _parameter(name: str, spec: Any) -> Parameter:
    where = f"parameters.{name}"
    if not isinstance(spec, Mapping):
        raise ConfigError(
            f"sweep configuration: {where} is {spec!r}, not a mapping",
            f"write {where}: {{values: [...]}}, {{value: x}} or {{min: a, max: b}}",
        )
    if "parameters" in spec:
        raise ConfigError(
            f"sweep configuration: {where} holds nested parameters, which are not supported",
            "flatten them: name the inner parameters 'outer.inner' at the top level",
        )
    _refuse_unknown(spec, PARAMETER_KEYS, f"{where}.")
    dist = spec.get("distribution") or _infer_distribution(where, spec)
    if dist not in DISTRIBUTIONS:
        raise ConfigError(
            f"sweep configuration: {where}.distribution is {dist!r}",
            f"use one of {', '.join(DISTRIBUTIONS)}",
        )
    for key in DISTRIBUTIONS[dist]:
        if key not in spec:
            raise ConfigError(
                f"sweep configuration: {where}.{key} is missing", f"distribution {dist} needs {key}"
            )
    if dist == "constant":
        return Parameter(name, dist, values=(spec["value"],))
    if dist == "categorical":
        return _categorical(name, where, spec)
    numbers = {k: spec[k] for k in ("min", "max", "mu", "sigma", "q") if k in spec}
    for key, value in numbers.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ConfigError(f"sweep configuration: {where}.{key} is {value!r}", "give a finite number")
    lo, hi = float(spec.get("min", 0.0)), float(spec.get("max", 0.0))
    if "min" in spec and lo > hi:
        raise ConfigError(f"sweep configuration: {where}.min ({lo:g}) is above max ({hi:g})", "swap them")
    if dist == "int_uniform" and not (_is_int(spec["min"]) and _is_int(spec["max"])):
        raise ConfigError(
            f"sweep configuration: {where} int_uniform needs whole min and max", "give integers"
        )
    if dist in ("log_uniform_values", "q_log_uniform_values", "inv_log_uniform_values") and lo <= 0:
        raise ConfigError(
            f"sweep configuration: {where}.min is {lo:g}; {dist} needs values above 0",
            "give a positive min (e.g. 1e-5)",
        )
    q, sigma = float(spec.get("q", 1.0)), float(spec.get("sigma", 1.0))
    if q <= 0 or sigma <= 0:
        raise ConfigError(
            f"sweep configuration: {where}.q and sigma must be above 0", "give positive numbers"
        )
    return Parameter(name, dist, min=lo, max=hi, mu=float(spec.get("mu", 0.0)), sigma=sigma, q=q)


def _categorical(name: str, where: str, spec: Mapping[str, Any]) -> Parameter:
    values = spec["values"]
    if not isinstance(values, (list, tuple)) or not values:
        raise ConfigError(f"sweep configuration: {where}.values is {values!r}", "give a non-empty list")
    probabilities = spec.get("probabilities")
    if probabilities is not None:
        ok = isinstance(probabilities, (list, tuple)) and len(probabilities) == len(values)
        ok = ok and all(isinstance(p, (int, float)) and p >= 0 for p in probabilities)
        if not ok or abs(sum(probabilities) - 1.0) > 1e-6:
            raise ConfigError(
                f"sweep configuration: {where}.probabilities does not fit its values",
                "give one probability per value, each 0 or more, summing to 1",
            )
        probabilities = tuple(float(p) for p in probabilities)
    return Parameter(name, "categorical", values=tuple(values), probabilities=probabilities)


def _infer_distribution(where: str, spec: Mapping[str, Any]) -> str:
    if "values" in spec:
        return "categorical"
    if "value" in spec:
        return "constant"
    if "min" in spec and "max" in spec:
        return "int_uniform" if _is_int(spec["min"]) and _is_int(spec["max"]) else "uniform"
    raise ConfigError(
        f"sweep configuration: {where} has no values, value or min/max",
        f"write {where}: {{values: [...]}}, {{value: x}} or {{min: a, max: b}}",
    )


def _early_terminate(raw: Any, metric: Metric | None) -> Hyperband | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or raw.get("type") != "hyperband":
        raise ConfigError("sweep configuration: early_terminate.type is not hyperband", "set type: hyperband")
    if metric is None:
        raise ConfigError(
            "sweep configuration: early_terminate needs a metric", "add metric: {name: ..., goal: ...}"
        )
    min_iter, max_iter = raw.get("min_iter"), raw.get("max_iter")
    if min_iter is None and max_iter is None:
        raise ConfigError(
            "sweep configuration: early_terminate.min_iter is missing", "give min_iter (or max_iter)"
        )
    for key in ("min_iter", "max_iter", "s"):
        if raw.get(key) is not None and (not _is_int(raw[key]) or raw[key] < 1):
            raise ConfigError(
                f"sweep configuration: early_terminate.{key} is {raw[key]!r}",
                "give a whole number, 1 or more",
            )
    eta = raw.get("eta", 3)
    if not isinstance(eta, (int, float)) or isinstance(eta, bool) or eta <= 1:
        raise ConfigError(
            f"sweep configuration: early_terminate.eta is {eta!r}", "give a number above 1 (3 is usual)"
        )
    return Hyperband(min_iter=int(min_iter or 1), eta=float(eta), max_iter=max_iter, s=raw.get("s"))


def _refuse_unknown(mapping: Mapping[Any, Any], allowed: Iterable[str], where: str) -> None:
    """ConfigError naming the first key of ``mapping`` (at ``where``) that is not ``allowed``."""
    known = set(allowed)
    unknown = sorted(str(k) for k in mapping if k not in known)
    if unknown:
        raise ConfigError(
            f"sweep configuration: unknown key {where + unknown[0] if where else repr(unknown[0])}",
            f"{where.rstrip('.') or 'the configuration'} takes {', '.join(sorted(known))}",
        )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
