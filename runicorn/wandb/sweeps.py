"""``wandb.sweep`` and ``wandb.agent``, offline: the sweep's state lives under the storage root
(runicorn/sweep) and each trial is an ordinary Runicorn run tagged with the sweep id.

The hand-off to ``wandb.init``: while ``agent`` runs ``function`` (or while ``runicorn sweep run``
runs a command, through environment variables), :func:`current_trial` returns the trial. Inside
a trial, ``wandb.init`` takes the trial's parameters over its own ``config`` (W&B's rule: the
sweep's values win), adds the trial's tags, uses the trial's project and name when it was given
none, and calls :meth:`Trial.attach` with the run it started. See docs/wandb.md#sweeps.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from runicorn import format as fmt
from runicorn import settings as _settings
from runicorn.errors import ConfigError

__all__ = ["sweep", "agent", "current_trial", "Trial"]


@dataclass
class Trial:
    """One trial of a sweep, as ``wandb.init`` sees it."""

    sweep_id: str
    index: int
    params: dict[str, Any]
    project: str
    name: str
    run: Any = field(default=None, repr=False)  # the run attached by wandb.init, in this process
    finish_run: Callable[[bool], None] | None = field(default=None, repr=False)  # its own way to end

    @property
    def config(self) -> dict[str, Any]:
        """The trial's parameters: what ``wandb.config`` holds for it (over the program's own)."""
        return dict(self.params)

    @property
    def tags(self) -> list[str]:
        return [self.sweep_id]

    def attach(self, run: Any, finish: Callable[[bool], None] | None = None) -> None:
        """Called by ``wandb.init`` with the run it started for this trial: the agent finishes
        it if ``function`` did not, and reads the sweep's metric from it. ``finish(succeeded)``:
        how to end that run (W&B's finish takes an exit code); without it, the SDK run's
        ``finish(status)``."""
        self.run = run
        self.finish_run = finish


_current: Trial | None = None
_current_lock = threading.Lock()


def current_trial() -> Trial | None:
    """The trial being run now: set by :func:`agent` around ``function``, or, in a command
    started by ``runicorn sweep run``, read from its environment. None outside a sweep."""
    if _current is not None:
        return _current
    return _trial_from_env(os.environ)


def _trial_from_env(env: Mapping[str, str]) -> Trial | None:
    sweep_id, index, params = (
        env.get(fmt.SWEEP_ID_ENV),
        env.get(fmt.SWEEP_TRIAL_ENV),
        env.get(fmt.SWEEP_PARAMS_ENV),
    )
    if not sweep_id or index is None or params is None:
        return None
    try:
        values = orjson.loads(params)
        number = int(index)
    except (orjson.JSONDecodeError, ValueError):
        return None
    if not isinstance(values, dict):
        return None
    # the command's run is `runicorn run`'s: wandb.init attaches to it whatever it is told
    return Trial(sweep_id, number, values, fmt.DEFAULT_PROJECT, f"sweep-{sweep_id}")


def sweep(
    sweep: Any = None,
    entity: str | None = None,
    project: str | None = None,
    prior_runs: list[str] | None = None,
    *,
    storage: str | os.PathLike[str] | None = None,
) -> str:
    """Create a sweep from its configuration (a dict, W&B's shape) and return its id.

    ``entity`` and ``prior_runs`` are accepted for compatibility and ignored (there is no server
    and no other user offline). The project is ``project=``, else the configuration's
    ``project``, else ``default``.
    """
    from runicorn.sweep import create_sweep, parse_sweep_config  # a training process never needs it

    if callable(sweep) and not isinstance(sweep, Mapping):
        sweep = sweep()
    config = parse_sweep_config(sweep)
    from runicorn.files.storage_root import make_storage_root

    resolved = _settings.resolve(storage=storage)
    chosen = project or config.raw.get("project") or fmt.DEFAULT_PROJECT
    make_storage_root(resolved.storage, resolved.storage_is_fallback)
    return create_sweep(resolved.storage, config, str(chosen)).id


def agent(
    sweep_id: str,
    function: Callable[[], Any] | None = None,
    entity: str | None = None,
    project: str | None = None,
    count: int | None = None,
    *,
    storage: str | os.PathLike[str] | None = None,
) -> int:
    """Run ``function`` once per trial of sweep ``sweep_id`` in this process, until the sweep
    has no trial left (a grid done, ``run_cap`` reached) or ``count`` trials ran here. Several
    processes may run the same sweep at once: each trial goes to one of them. Returns the number
    of trials run. An exception in ``function`` fails that trial and the next one goes on.
    """
    global _current
    from runicorn.sweep import open_sweep  # a training process never needs it

    if function is None:
        raise ConfigError(
            "wandb.agent needs function= offline",
            "pass the training function, or run a command per trial: runicorn sweep run ID -- CMD",
        )
    if count is not None and count < 1:
        raise ConfigError(
            f"wandb.agent count={count!r}", "give 1 or more, or None for until the sweep is done"
        )
    resolved = _settings.resolve(storage=storage)
    state = open_sweep(resolved.storage, sweep_id)
    ran = 0
    while count is None or ran < count:
        data = state.next_trial()
        if data is None:
            break
        trial = Trial(state.id, data["index"], dict(data["params"]), project or state.project, state.run_name)
        with _current_lock:
            _current = trial
        status = fmt.TRIAL_FINISHED
        try:
            function()
        except Exception as exc:  # noqa: BLE001 - a failed trial is recorded; the sweep goes on
            status = fmt.TRIAL_FAILED
            import logging

            logging.getLogger("runicorn").warning("sweep %s trial %d failed: %r", state.id, trial.index, exc)
        finally:
            with _current_lock:
                _current = None
        run_dir = _end_run(trial, status)
        state.finish_trial(data, run_dir, status)
        ran += 1
    return ran


def _end_run(trial: Trial, status: str) -> Path | None:
    """Finish the trial's run if ``function`` left it open; its folder, or None without a run."""
    run = trial.run
    if run is None:
        return None
    if not getattr(run, "_is_finished", getattr(run, "finished", True)):
        if trial.finish_run is not None:  # attached by wandb.init with its own way to end
            trial.finish_run(status == fmt.TRIAL_FINISHED)
        else:
            run.finish(fmt.FINISHED if status == fmt.TRIAL_FINISHED else fmt.FAILED)
    folder = getattr(run, "sync_dir", None) or getattr(run, "dir", None)  # W&B's run: its own folder
    return Path(folder) if folder is not None else None
