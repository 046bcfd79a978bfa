"""``runicorn sweep run SWEEP_ID -- CMD ...``: run a command once per trial, each through
``runicorn run``'s launcher, so each trial is a recorded run (console, exit code, git, system
metrics) tagged with the sweep id and configured with the trial's parameters.

The command gets the parameters as W&B's ``${args}`` gives them, ``--name=value`` appended after
its own arguments, and in its environment (runicorn/format/sweeps.py's SWEEP_*_ENV) for ``wandb.init``.
With ``early_terminate``, a trial that falls behind the ended ones is stopped early
(runicorn/sweep/hyperband.py) and recorded as stopped; the next trial follows.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson

from runicorn import format as fmt
from runicorn.launch import Launcher, LaunchOptions
from runicorn.sdk.run import Run
from runicorn.settings import Settings
from runicorn.sweep.hyperband import EarlyStop
from runicorn.sweep.store import Sweep


def trial_args(params: dict[str, Any]) -> list[str]:
    """``--name=value`` per parameter (lists and dicts as JSON, everything else as ``str``)."""
    out = []
    for name, value in params.items():
        text = orjson.dumps(value).decode() if isinstance(value, (list, dict)) else str(value)
        out.append(f"--{name}={text}")
    return out


def trial_env(sweep: Sweep, trial: fmt.TrialData) -> dict[str, str]:
    """The environment a trial's command is started with."""
    return {
        fmt.SWEEP_ID_ENV: sweep.id,
        fmt.WANDB_SWEEP_ID_ENV: sweep.id,
        fmt.SWEEP_TRIAL_ENV: str(trial["index"]),
        fmt.SWEEP_PARAMS_ENV: orjson.dumps(trial["params"]).decode(),
    }


class _TrialLauncher(Launcher):
    """The launcher, with the trial's parameters as the run's config."""

    def __init__(self, settings: Settings, options: LaunchOptions, params: dict[str, Any]) -> None:
        super().__init__(settings, options)
        self.params = params

    def start_run(self) -> Run:
        run = super().start_run()
        run.config.update(self.params)
        return run


def run_trials(
    settings: Settings, sweep: Sweep, command: list[str], count: int | None = None, grace_s: float = 10.0
) -> int:
    """Run ``command`` per trial until the sweep is done or ``count`` trials ran; the number run."""
    Launcher(settings, LaunchOptions(command=list(command))).check()  # before taking a trial
    ran = 0
    while count is None or ran < count:
        trial = sweep.next_trial()
        if trial is None:
            break
        options = LaunchOptions(
            command=[*command, *trial_args(trial["params"])],
            project=sweep.project,
            name=sweep.run_name,
            tags=[sweep.id],
            grace_s=grace_s,
            env=trial_env(sweep, trial),
        )
        launcher = _TrialLauncher(settings, options, trial["params"])
        if sweep.config.early_terminate is not None:
            options.should_stop = EarlyStop(sweep.config, _ended_runs(sweep), launcher.run_dir)
        print(
            f"runicorn sweep: trial {trial['index']} of sweep {sweep.id}: {trial['params']}", file=sys.stderr
        )
        result = launcher.launch()
        if result.stopped_early:
            status = fmt.TRIAL_STOPPED
        else:
            status = fmt.TRIAL_FINISHED if result.status == fmt.FINISHED else fmt.TRIAL_FAILED
        sweep.finish_trial(trial, result.run_dir, status)
        ran += 1
        if result.status == fmt.INTERRUPTED and not result.stopped_early:
            break
    return ran


def _ended_runs(sweep: Sweep) -> list[Path]:
    """The run folders of the sweep's ended trials: what a running trial is compared with."""
    ended = (fmt.TRIAL_FINISHED, fmt.TRIAL_FAILED, fmt.TRIAL_STOPPED)
    return [
        sweep.root / path
        for t in sweep.trials()
        if t.get("status") in ended and (path := t.get("run_path")) and fmt.is_safe_artifact_path(path)
    ]
