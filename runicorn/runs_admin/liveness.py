"""Whether a run is still being written: a process holds its ``run.lock``, or, by the store's own
rule, its status says ``running`` and its heartbeat (or, without one, its newest file write) is
younger than :data:`runicorn.format.STALE_AFTER_S` (older, the store shows it as ``crashed``)."""

from __future__ import annotations

import time
from pathlib import Path

from runicorn import format as fmt
from runicorn.errors import RunicornError
from runicorn.sdk.run_lock import is_locked
from runicorn.store.index.run_folder import RunInfo, read_run_folder

LIVE_HINT = "wait for it to finish, or stop it first"


class RunIsLive(RunicornError):
    """A change to a run that a process is still writing was refused."""


def run_is_live(run_dir: Path) -> bool:
    """True while a process may still write the run in ``run_dir`` (read from its files now)."""
    return is_locked(Path(run_dir)) or read_run_folder(Path(run_dir)).state() == fmt.RUNNING


def refuse_live(run: RunInfo, action: str) -> None:
    """RunIsLive, naming the run and why, when ``run`` is live; ``action`` says what was refused."""
    if not run_is_live(run.path):
        return
    now = read_run_folder(run.path)
    if is_locked(run.path):
        why = "a process holds its run.lock"
    elif now.heartbeat_at is not None:
        why = f"status running, heartbeat {max(0.0, time.time() - now.heartbeat_at):.0f} s ago"
    else:
        why = f"status running, files written {max(0.0, time.time() - now.last_activity):.0f} s ago"
    raise RunIsLive(f"cannot {action} run {run.key} ({run.relpath}): it is still running ({why})", LIVE_HINT)
