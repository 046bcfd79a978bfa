"""A sweep's state under the storage root (runicorn/sweep, docs/sweeps.md)."""

from __future__ import annotations

import re
from typing import Any, TypedDict

from runicorn.format.run import LOCK_SUFFIX

__all__ = [
    "SWEEP_FILE",
    "SWEEP_TRIALS_DIR",
    "SWEEP_LOCK_FILE",
    "SWEEP_ID_PATTERN",
    "SWEEP_ID_ENV",
    "SWEEP_TRIAL_ENV",
    "SWEEP_PARAMS_ENV",
    "WANDB_SWEEP_ID_ENV",
    "TRIAL_RUNNING",
    "TRIAL_FINISHED",
    "TRIAL_FAILED",
    "TRIAL_STOPPED",
    "TRIAL_STATUSES",
    "SweepData",
    "TrialData",
    "trial_file_name",
]


# --- sweeps (runicorn/sweep) -------------------------------------------------------------------
# A sweep lives in ``<root>/<SWEEPS_DIR>/<sweep_id>/``: SWEEP_FILE (its configuration), one
# ``<SWEEP_TRIALS_DIR>/<index>.json`` per trial handed out, and SWEEP_LOCK_FILE, locked (flock)
# while a trial is handed out so that several processes on one machine never take the same one.
# Its trials are ordinary runs, tagged with the sweep id. Readers of runs never look inside.
SWEEP_FILE = "sweep.json"
SWEEP_TRIALS_DIR = "trials"
SWEEP_LOCK_FILE = "sweep" + LOCK_SUFFIX
SWEEP_ID_PATTERN = re.compile(r"^[a-z0-9]{8}\Z")
# What a trial's command is started with (``runicorn sweep run``), read by ``wandb.init``.
SWEEP_ID_ENV = "RUNICORN_SWEEP_ID"
SWEEP_TRIAL_ENV = "RUNICORN_SWEEP_TRIAL"  # the trial's index
SWEEP_PARAMS_ENV = "RUNICORN_SWEEP_PARAMS"  # the trial's parameters, a JSON object
WANDB_SWEEP_ID_ENV = "WANDB_SWEEP_ID"  # also set, for programs that look for W&B's name
TRIAL_RUNNING = "running"
TRIAL_FINISHED = "finished"
TRIAL_FAILED = "failed"
TRIAL_STOPPED = "stopped"  # ended early by the sweep's early_terminate rule (added within format 1)
TRIAL_STATUSES = (TRIAL_RUNNING, TRIAL_FINISHED, TRIAL_FAILED, TRIAL_STOPPED)


class SweepData(TypedDict, total=False):
    """SWEEP_FILE."""

    id: str
    project: str
    created_at: float
    seed: int  # the random and bayes searches draw from it: the same seed, the same trials
    config: dict[str, Any]  # the sweep configuration as given (W&B's shape; docs/sweeps.md)


class TrialData(TypedDict, total=False):
    """``<SWEEP_TRIALS_DIR>/<index>.json``: one trial."""

    index: int  # 0, 1, 2 ... in the order handed out; the file is named ``%05d.json``
    params: dict[str, Any]
    status: str  # TRIAL_STATUSES
    started_at: float
    ended_at: float
    run_id: str | None
    run_path: str | None  # the run folder, relative to the storage root, "/"-separated
    metric: float | None  # the sweep's metric read from the run at its end


def trial_file_name(index: int) -> str:
    return f"{index:05d}.json"
