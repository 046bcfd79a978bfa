"""Runicorn: a local-first, offline experiment tracker.

    import runicorn as rn
    run = rn.init(project="demo", name="exp1", config={"lr": 1e-3})
    rn.log({"loss": 0.5, "acc": 0.8}, stage="train")
    rn.summary({"best_acc": 0.93})
    rn.finish()

Module-level calls act on the run most recently started by :func:`init`. With
``RUNICORN_MODE=disabled``, or in a distributed worker whose ``RANK`` is above 0, every call is a
no-op. This module imports nothing of the viewer: a training process stays light.
"""

from __future__ import annotations

import os
from typing import Any

from runicorn import settings as _settings
from runicorn.errors import RunicornError
from runicorn.sdk.config import Config, config_dict
from runicorn.sdk.disabled import DisabledRun
from runicorn.sdk.guest import GuestPipe, GuestRun, claim_handoff
from runicorn.sdk.module_functions import module_function
from runicorn.sdk.run import Run, warn_no_run
from runicorn.sdk.sink import RunRequest

__version__ = "0.8.0"
__all__ = [
    "init",
    "log",
    "log_text",
    "log_image",
    "alert",
    "log_checkpoint",
    "resume_checkpoint",
    "log_histogram",
    "log_table",
    "log_audio",
    "log_video",
    "log_html",
    "summary",
    "finish",
    "config",
    "Run",
    "RunicornError",
]

_current: Run | DisabledRun | None = None
# rn.config before any rn.init: what is set on it becomes part of the next run's config.
_pending_config = Config(lambda _c: None)


def init(
    project: str = "default",
    name: str = "default",
    storage: str | os.PathLike[str] | None = None,
    config: Any = None,
    tags: list[str] | None = None,
    notes: str | None = None,
    run_id: str | None = None,
    capture_console: bool = True,
    system_metrics: bool = True,
) -> Run | DisabledRun:
    """Start a run under ``<storage>/<project>/<name>/runs/<run_id>/`` and make it current.

    ``config`` is a dict (or any Mapping), an ``argparse.Namespace`` or a dataclass instance.
    Storage root: ``storage=`` > ``RUNICORN_DIR`` > ``runicorn config --set-user-root`` >
    ``./.runicorn``. Raises :class:`RunicornError` on misconfiguration; nothing after it raises.
    """
    global _current
    resolved = _settings.resolve(storage=storage)
    config = {**_pending_config, **config_dict(config)}
    if _current is not None and not _current.finished:
        _current.finish()
    if resolved.mode == "disabled" or _rank() > 0:
        _current = DisabledRun(project, name, config)
        dict.clear(_pending_config)
        return _current
    handoff = claim_handoff()  # started by `runicorn run`: log into its run (runicorn/sdk/guest.py)
    if handoff is not None:
        _current = GuestRun(resolved, GuestPipe(resolved, handoff, config=config, tags=tags, notes=notes))
        return _current
    request = RunRequest(project, name, config, tags, notes, run_id, capture_console, system_metrics)
    _current = Run(resolved, request)
    dict.clear(_pending_config)
    return _current


def _rank() -> int:
    try:
        return int(os.environ.get("RANK", "0"))
    except ValueError:
        return 0


def _current_run(call: str) -> Run | DisabledRun | None:
    """The run a module-level call acts on; without one, a warning (once per process)."""
    if _current is None:
        warn_no_run(call)
    return _current


log = module_function(Run.log, _current_run)
log_text = module_function(Run.log_text, _current_run)
log_image = module_function(Run.log_image, _current_run)
alert = module_function(Run.alert, _current_run)
log_checkpoint = module_function(Run.log_checkpoint, _current_run)
log_histogram = module_function(Run.log_histogram, _current_run)
log_table = module_function(Run.log_table, _current_run)
log_audio = module_function(Run.log_audio, _current_run)
log_video = module_function(Run.log_video, _current_run)
log_html = module_function(Run.log_html, _current_run)
summary = module_function(Run.summary, _current_run)


def resume_checkpoint() -> str | None:
    """The checkpoint this process should resume from (``RUNICORN_RESUME_FROM``, set by the job
    service when a job is resumed), or None for a fresh start."""
    from runicorn.format import RESUME_FROM_ENV

    return os.environ.get(RESUME_FROM_ENV) or None


def finish(status: str = "finished") -> None:
    """End the current run as ``finished`` (default), ``failed`` or ``interrupted``."""
    if _current is not None:
        _current.finish(status)


def __getattr__(name: str) -> Any:
    if name == "config":  # the current run's config; before any run, the next run's
        return _current.config if _current is not None else _pending_config
    raise AttributeError(f"module 'runicorn' has no attribute {name!r}")
