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
from runicorn.sdk.run import Run, warn_no_run

__version__ = "0.1.0"
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
    _current = Run(
        resolved,
        project,
        name,
        config=config,
        tags=tags,
        notes=notes,
        run_id=run_id,
        capture_console=capture_console,
        system_metrics=system_metrics,
    )
    dict.clear(_pending_config)
    return _current


def _rank() -> int:
    try:
        return int(os.environ.get("RANK", "0"))
    except ValueError:
        return 0


def log(
    data: dict[str, Any] | None = None, step: int | None = None, stage: str | None = None, **metrics: Any
) -> None:
    """Record metric values on the current run (without one: a warning, once per process)."""
    if _current is not None:
        _current.log(data, step=step, stage=stage, **metrics)
    else:
        warn_no_run("log")


def log_text(text: str) -> None:
    if _current is not None:
        _current.log_text(text)
    else:
        warn_no_run("log_text")


def log_image(key: str, image: Any, step: int | None = None, caption: str | None = None) -> None:
    if _current is not None:
        _current.log_image(key, image, step=step, caption=caption)
    else:
        warn_no_run("log_image")


def alert(title: str, text: str = "", level: str = "info") -> None:
    """Record an alert on the current run and send it through the configured notification
    channels (event ``alert``, docs/notify.md) in the background: never blocks, never raises."""
    if _current is not None:
        _current.alert(title, text, level)
    else:
        warn_no_run("alert")


def log_checkpoint(path: Any, step: int | None = None) -> None:
    """Record that a checkpoint was saved at ``path`` (docs/sdk.md#checkpoints): ``runicorn
    resume JOB`` (docs/agent.md) starts the job again from the latest one."""
    if _current is not None:
        _current.log_checkpoint(path, step=step)
    else:
        warn_no_run("log_checkpoint")


def resume_checkpoint() -> str | None:
    """The checkpoint this process should resume from (``RUNICORN_RESUME_FROM``, set by the job
    service when a job is resumed), or None for a fresh start."""
    from runicorn.format import RESUME_FROM_ENV

    return os.environ.get(RESUME_FROM_ENV) or None


def log_histogram(
    key: str,
    values: Any = None,
    *,
    counts: Any = None,
    edges: Any = None,
    num_bins: int = 64,
    step: int | None = None,
) -> None:
    """See :meth:`Run.log_histogram`."""
    if _current is not None:
        _current.log_histogram(key, values, counts=counts, edges=edges, num_bins=num_bins, step=step)
    else:
        warn_no_run("log_histogram")


def log_table(key: str, columns: Any, rows: Any, step: int | None = None) -> None:
    """See :meth:`Run.log_table`."""
    if _current is not None:
        _current.log_table(key, columns, rows, step=step)
    else:
        warn_no_run("log_table")


def log_audio(
    key: str,
    data_or_path: Any,
    sample_rate: int | None = None,
    step: int | None = None,
    caption: str | None = None,
) -> None:
    """See :meth:`Run.log_audio`."""
    if _current is not None:
        _current.log_audio(key, data_or_path, sample_rate=sample_rate, step=step, caption=caption)
    else:
        warn_no_run("log_audio")


def log_video(
    key: str, data_or_path: Any, fps: float = 4, step: int | None = None, caption: str | None = None
) -> None:
    """See :meth:`Run.log_video`."""
    if _current is not None:
        _current.log_video(key, data_or_path, fps=fps, step=step, caption=caption)
    else:
        warn_no_run("log_video")


def log_html(key: str, html_or_path: Any, step: int | None = None) -> None:
    """See :meth:`Run.log_html`."""
    if _current is not None:
        _current.log_html(key, html_or_path, step=step)
    else:
        warn_no_run("log_html")


def summary(values: dict[str, Any]) -> None:
    if _current is not None:
        _current.summary(values)
    else:
        warn_no_run("summary")


def finish(status: str = "finished") -> None:
    """End the current run as ``finished`` (default), ``failed`` or ``interrupted``."""
    if _current is not None:
        _current.finish(status)


def __getattr__(name: str) -> Any:
    if name == "config":  # the current run's config; before any run, the next run's
        return _current.config if _current is not None else _pending_config
    raise AttributeError(f"module 'runicorn' has no attribute {name!r}")
