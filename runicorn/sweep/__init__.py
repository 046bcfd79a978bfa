"""Hyper-parameter sweeps: a configuration (W&B's shape), searches (grid, random, bayes) and the
sweep's state on disk. Usable without ``runicorn.wandb``; see docs/sweeps.md."""

from runicorn.sweep.config import Metric, Parameter, SweepConfig, parse_sweep_config
from runicorn.sweep.store import Sweep, best_trial, create_sweep, list_sweeps, open_sweep, read_metric

__all__ = [
    "Metric",
    "Parameter",
    "Sweep",
    "SweepConfig",
    "best_trial",
    "create_sweep",
    "list_sweeps",
    "open_sweep",
    "parse_sweep_config",
    "read_metric",
]
