"""``import runicorn.wandb as wandb``: W&B's logging API, offline, into Runicorn runs (docs/wandb.md).

    import runicorn.wandb as wandb
    run = wandb.init(project="demo", config={"lr": 1e-3})
    wandb.log({"loss": 0.5})
    wandb.summary["best_acc"] = 0.93
    wandb.finish()

``wandb.run``, ``wandb.config`` and ``wandb.summary`` are the current run's (before ``init``,
``run`` is None and the other two raise :class:`Error`). :func:`install` makes a later
``import wandb`` anywhere in the process give this module.
"""

from __future__ import annotations

import logging
from typing import Any

# --- core: init, log, config, summary, define_metric, finish ----------------------------------
from runicorn.sdk.module_functions import module_function
from runicorn.wandb import session as _session
from runicorn.wandb.alert_level import AlertLevel

# --- artifacts and save (runicorn/wandb/artifacts.py, save.py) --------------------------------
from runicorn.wandb.artifacts import Artifact, log_artifact, use_artifact
from runicorn.wandb.config import PreInitObject as _PreInitObject

# --- data types (runicorn/wandb/data_types.py) ------------------------------------------------
from runicorn.wandb.data_types import Audio, Histogram, Html, Image, Table, Video
from runicorn.wandb.errors import CommError, Error, UsageError
from runicorn.wandb.install import install, uninstall
from runicorn.wandb.metrics import Metric
from runicorn.wandb.run import Run
from runicorn.wandb.save import save
from runicorn.wandb.settings import Settings

# --- sweeps and watch (runicorn/wandb/sweeps.py, watch.py) -------------------------------------
from runicorn.wandb.sweeps import agent, sweep
from runicorn.wandb.watch import unwatch, watch
from runicorn.wandb.wbvalue import WBValue

__version__ = "0.19.0"  # the W&B API level this module follows (libraries check it)

__all__ = [
    # core
    "init",
    "log",
    "finish",
    "define_metric",
    "alert",
    "AlertLevel",
    "Run",
    "Settings",
    "Error",
    "UsageError",
    "CommError",
    "Metric",
    "WBValue",
    "Api",
    "termlog",
    "termwarn",
    "termerror",
    "require",
    "install",
    "uninstall",
    "run",
    "config",
    "summary",
    # data types
    "Image",
    "Histogram",
    "Table",
    "Audio",
    "Video",
    "Html",
    # artifacts and save
    "Artifact",
    "log_artifact",
    "use_artifact",
    "save",
    # sweeps and watch
    "sweep",
    "agent",
    "watch",
    "unwatch",
]

# The submodules run.py, config.py and summary.py share a name with wandb.run, wandb.config and
# wandb.summary: their package attributes are taken away so that __getattr__ below answers them.
for _shadowing in ("run", "config", "summary"):
    globals().pop(_shadowing, None)

_log = logging.getLogger("runicorn")
_CONFIG_BEFORE_INIT = _PreInitObject("wandb.config")
_SUMMARY_BEFORE_INIT = _PreInitObject("wandb.summary")
init = _session.init


log = module_function(Run.log, _session.require_run)
define_metric = module_function(Run.define_metric, _session.require_run)
alert = module_function(Run.alert, _session.require_run)


def finish(exit_code: int | None = None, quiet: bool | None = None) -> None:
    """Finish the current run (no-op without one)."""
    if _session.current is not None:
        _session.current.finish(exit_code=exit_code, quiet=quiet)


def termlog(string: str = "", newline: bool = True, repeat: bool = True, prefix: bool = True) -> None:
    """A line for the user, as W&B prints them (``wandb: ...``), unless ``WANDB_SILENT`` is set."""
    if not _session.silent:
        _log.info("wandb: %s", string)


def termwarn(string: str, repeat: bool = True, **kwargs: Any) -> None:
    _log.warning("wandb: %s", string)


def termerror(string: str, repeat: bool = True, **kwargs: Any) -> None:
    _log.error("wandb: %s", string)


def require(requirement: Any = None, experiment: Any = None) -> None:
    """W&B's switch for optional SDK features (``wandb.require("service")``, which Lightning's
    ``WandbLogger`` calls when it is pickled): there are none to switch here, so it does nothing."""


class Api:
    """W&B's public API reads runs back from W&B's servers: not part of runicorn.wandb."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise Error(
            "wandb.Api() reads runs from W&B's servers, which runicorn.wandb does not talk to",
            "read runs with Runicorn's viewer API (docs/api.md) or its files (docs/format.md)",
        )


def __getattr__(name: str) -> Any:
    if name == "run":
        return _session.current
    if name == "config":
        return _session.current.config if _session.current is not None else _CONFIG_BEFORE_INIT
    if name == "summary":
        return _session.current.summary if _session.current is not None else _SUMMARY_BEFORE_INIT
    raise AttributeError(f"module 'runicorn.wandb' has no attribute {name!r} (see docs/wandb.md)")
