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

import importlib
import logging
import sys
from typing import Any

# --- core: init, log, config, summary, define_metric, finish ----------------------------------
from runicorn.sdk.module_functions import module_function

# --- data types and charts (runicorn/wandb/data_types.py, image.py, table.py, plot.py) --------
from runicorn.wandb import data_types, plot
from runicorn.wandb import session as _session
from runicorn.wandb.alert_level import AlertLevel

# --- artifacts and save (runicorn/wandb/artifacts.py, save.py) --------------------------------
from runicorn.wandb.artifacts import Artifact, log_artifact, use_artifact
from runicorn.wandb.config import PreInitObject as _PreInitObject
from runicorn.wandb.data_types import (
    Audio,
    BoundingBoxes2D,
    Classes,
    Graph,
    Histogram,
    Html,
    Image,
    ImageMask,
    Molecule,
    Object3D,
    Plotly,
    Table,
    Video,
    box3d,
)
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
    "login",
    "teardown",
    "setup",
    "require",
    "mark_preempting",
    "restore",
    "log_model",
    "use_model",
    "link_model",
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
    "Object3D",
    "Molecule",
    "box3d",
    "Plotly",
    "Graph",
    "Classes",
    "BoundingBoxes2D",
    "ImageMask",
    "data_types",
    "plot",
    "plot_table",
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


plot_table = plot.plot_table
log = module_function(Run.log, _session.require_run)
define_metric = module_function(Run.define_metric, _session.require_run)
alert = module_function(Run.alert, _session.require_run)
mark_preempting = module_function(Run.mark_preempting, _session.require_run)
restore = module_function(Run.restore, _session.require_run)
log_model = module_function(Run.log_model, _session.require_run)
use_model = module_function(Run.use_model, _session.require_run)
link_model = module_function(Run.link_model, _session.require_run)


def setup(settings: Any = None) -> None:
    """W&B's ``setup`` starts its background service: there is none here. Its ``settings`` are
    kept for what is not tied to a run (``quiet``, ``silent``: no line while a video encodes)."""
    from runicorn.wandb import quiet

    quiet.setup_settings = settings


def require(requirement: Any = None, experiment: Any = None) -> None:
    """W&B's ``require("core")`` opts into a feature of its SDK: nothing to opt into here."""


def finish(exit_code: int | None = None, quiet: bool | None = None) -> None:
    """Finish the current run (no-op without one)."""
    if _session.current is not None:
        _session.current.finish(exit_code=exit_code, quiet=quiet)


def teardown(exit_code: int | None = None) -> None:
    """Finish every active run (W&B's ``wandb.teardown``)."""
    _session.teardown()


def login(*args: Any, **kwargs: Any) -> bool:
    """W&B's login: there is no server to log in to, so nothing is asked and nothing is sent."""
    return True


def termlog(string: str = "", newline: bool = True, repeat: bool = True, prefix: bool = True) -> None:
    """A line for the user on stderr, as W&B prints them (``wandb: ...``), unless ``WANDB_SILENT``."""
    if not _session.silent:
        print(f"wandb: {string}" if prefix else string, file=sys.stderr, end="\n" if newline else "")


def termwarn(string: str, repeat: bool = True, **kwargs: Any) -> None:
    print(f"wandb: WARNING {string}", file=sys.stderr)


def termerror(string: str, repeat: bool = True, **kwargs: Any) -> None:
    print(f"wandb: ERROR {string}", file=sys.stderr)


_SUBMODULES = ("apis", "sdk", "util", "errors")


def __getattr__(name: str) -> Any:
    if name == "run":
        return _session.current
    if name == "config":
        return _session.current.config if _session.current is not None else _CONFIG_BEFORE_INIT
    if name == "summary":
        return _session.current.summary if _session.current is not None else _SUMMARY_BEFORE_INIT
    if name == "Api":
        from runicorn.wandb.apis.public import Api

        return Api
    if name in _SUBMODULES:
        return importlib.import_module(f"runicorn.wandb.{name}")
    raise AttributeError(f"module 'runicorn.wandb' has no attribute {name!r} (see docs/wandb.md)")
