"""The pure half of the Slurm executor (docs/agent.md#slurm): the batch script and ``sbatch``
command line of an attempt, and a job as ``scontrol show job -o`` describes it, mapped to a
:class:`Poll`. No process is started here; :mod:`.slurm` does the I/O.
"""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from runicorn import format as fmt
from runicorn.agent.executor import AttemptSpec, Poll
from runicorn.agent.job_environment import ENV_NAME
from runicorn.launch.recorder_env import RECORDER_ENV

# Slurm's own limit is the job's timeout rounded up to whole minutes plus this, so that
# `runicorn run --timeout` inside ends the attempt first (exit 124) and records the run's end.
TIME_LIMIT_MARGIN_MIN = 1
JOB_NAME_PREFIX = "runicorn-"

# JobState values (`man squeue`, JOB STATE CODES) by what they mean for the attempt.
WAITING = frozenset(
    {"PENDING", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "RESV_DEL_HOLD", "SUSPENDED", "STOPPED"}
)
RUNNING = frozenset({"RUNNING", "CONFIGURING", "COMPLETING", "STAGE_OUT", "RESIZING", "SIGNALING"})
OUT_OF_TIME = frozenset({"TIMEOUT", "DEADLINE"})

# The batch script runs the attempt in the background and forwards SIGTERM/SIGINT to it (a shell
# waiting on a foreground command cannot), so that `scancel --signal=TERM --full` and Slurm's
# own time limit reach `runicorn run`, which stops the command and records the run's end. Then
# the exit status goes to the exit file on the shared filesystem: it outlives slurmctld's memory
# of the job (MinJobAge).
#
# The agent's settings for `runicorn run` (job_environment.py) are kept beside the script for as
# long as the attempt may be requeued; each run of the script hands `runicorn run` a copy of its
# own, which `runicorn run` reads and deletes before it starts the command.
_SCRIPT = """#!/bin/sh
# runicorn job {job_id}, attempt {attempt}: written by `runicorn agent` (docs/agent.md#slurm)
exit_file={exit_file}
recorder_file={recorder_file}
rm -f "$exit_file"
(umask 077 && cp "$recorder_file" "$recorder_file.$$") 2>/dev/null
{exports}{recorder_env}="$recorder_file.$$" {argv} &
child=$!
trap 'kill -TERM $child 2>/dev/null' TERM
trap 'kill -INT $child 2>/dev/null' INT
wait $child; code=$?
while kill -0 $child 2>/dev/null; do wait $child; code=$?; done
umask 077
echo $code > "$exit_file.tmp" && mv "$exit_file.tmp" "$exit_file"
exit $code
"""


def job_name(job_id: str) -> str:
    """The Slurm job name of every attempt of a job (``squeue --name`` finds them)."""
    return f"{JOB_NAME_PREFIX}{job_id}"


def batch_script(spec: AttemptSpec, exit_file: Path, recorder_file: Path) -> str:
    """The attempt's batch script: every value in it is quoted for ``sh``; ValueError for an
    environment name that is not one (the agent refuses those at submit)."""
    bad = [name for name in spec.env if not ENV_NAME.fullmatch(name)]
    if bad:
        raise ValueError(f"not environment variable names: {', '.join(map(repr, bad))}")
    exports = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in sorted(spec.env.items()))
    return _SCRIPT.format(
        job_id=spec.job_id,
        attempt=int(spec.attempt),
        exit_file=shlex.quote(str(exit_file)),
        recorder_file=shlex.quote(str(recorder_file)),
        recorder_env=RECORDER_ENV,
        exports=exports,
        argv=shlex.join(spec.argv),
    )


def sbatch_env(spec: AttemptSpec, environ: Mapping[str, str]) -> dict[str, str]:
    """The environment ``sbatch`` runs with, which it passes on to the batch job
    (``--export=ALL``): the documented list and the recorder's start-up variables, and the Slurm
    client's own settings (``SLURM_*``, ``SBATCH_*``); never the rest of the agent's."""
    client = {k: v for k, v in environ.items() if k.startswith(("SLURM_", "SBATCH_"))}
    return {**spec.machine_env, **spec.recorder_start_env, **client}


def time_limit_min(timeout_s: float | None) -> int | None:
    """Slurm's ``--time`` in minutes for a job timeout, or None (the partition's limit)."""
    if not timeout_s:
        return None
    return math.ceil(timeout_s / 60) + TIME_LIMIT_MARGIN_MIN


def sbatch_argv(
    spec: AttemptSpec, script: Path, log_file: Path, partition: str | None, account: str | None
) -> list[str]:
    """``sbatch`` submitting one attempt; its options come from the job (docs/agent.md#slurm)."""
    argv = [
        "sbatch",
        "--parsable",
        f"--job-name={job_name(spec.job_id)}",
        f"--comment=runicorn job {spec.job_id} attempt {spec.attempt}",
        f"--output={log_file}",
        "--open-mode=append",  # a requeued attempt adds to its log
        "--requeue",  # preempted: back in Slurm's queue, the same attempt
        "--export=ALL",  # sbatch's own environment, which the agent makes clean (sbatch_env)
    ]
    if spec.workdir:
        argv.append(f"--chdir={spec.workdir}")
    if partition:
        argv.append(f"--partition={partition}")
    if account:
        argv.append(f"--account={account}")
    gpus = int(spec.extra.get("gpus") or 0)
    if gpus > 0:
        argv.append(f"--gres=gpu:{gpus}")
    minutes = time_limit_min(spec.extra.get("timeout_s"))
    if minutes is not None:
        argv.append(f"--time={minutes}")
    return [*argv, str(script)]


def parse_submitted(stdout: str) -> str:
    """The job id ``sbatch --parsable`` printed (``ID`` or ``ID;CLUSTER``); ValueError if none."""
    first = stdout.strip().splitlines()[0] if stdout.strip() else ""
    job_id = first.split(";")[0].strip()
    if not job_id.isdigit():
        raise ValueError(f"sbatch printed {stdout.strip()!r}, not a job id")
    return job_id


@dataclass(frozen=True)
class SlurmJob:
    """What ``scontrol show job -o`` says of one job."""

    id: str
    state: str
    reason: str
    exit_code: int | None  # ExitCode=N:S as one shell status (128+S when a signal ended it)
    restarts: int
    requeue: bool
    nodes: str


def _field(text: str, key: str) -> str | None:
    match = re.search(rf"(?:^|\s){re.escape(key)}=(\S*)", text)
    return match.group(1) if match else None


def parse_scontrol(text: str) -> SlurmJob | None:
    """One job from ``scontrol show job -o ID`` (one line of KEY=VALUE), or None without one."""
    job_id, state = _field(text, "JobId"), _field(text, "JobState")
    if not job_id or not state:
        return None
    code: int | None = None
    exit_text = _field(text, "ExitCode") or ""
    if re.fullmatch(r"\d+:\d+", exit_text):
        status, signal = (int(x) for x in exit_text.split(":"))
        code = 128 + signal if signal else status
    restarts = _field(text, "Restarts") or "0"
    return SlurmJob(
        id=job_id,
        state=state.split("+")[0],
        reason=_field(text, "Reason") or "None",
        exit_code=code,
        restarts=int(restarts) if restarts.isdigit() else 0,
        requeue=_field(text, "Requeue") == "1",
        nodes=_field(text, "NodeList") or "",
    )


def poll_of(job: SlurmJob | None, recorded_exit: int | None, slurm_id: str) -> Poll:
    """How the attempt is doing, from Slurm's view of the job (None: slurmctld no longer knows
    it) and the exit status the batch script recorded (None: none recorded)."""
    if job is None:
        if recorded_exit is not None:
            return Poll("exited", recorded_exit)
        return Poll("lost", detail=f"slurm job {slurm_id} is gone and recorded no exit status")
    if job.state in WAITING or (job.state == "PREEMPTED" and job.requeue):
        reason = job.reason if job.reason != "None" else job.state.lower()
        why = reason + (f", requeued {job.restarts}x" if job.restarts else "")
        detail = f"slurm job {job.id} pending: {why}"
        return Poll("pending", detail=detail, waiting_for=reason, restarts=job.restarts)
    if job.state in RUNNING:
        on = f" on {job.nodes}" if job.nodes and job.nodes != "(null)" else ""
        return Poll("running", detail=f"slurm job {job.id} running{on}", restarts=job.restarts)
    detail = f"slurm job {job.id} ended {job.state}"
    if job.state in OUT_OF_TIME:
        return Poll("exited", fmt.TIMEOUT_EXIT_CODE, detail=detail, restarts=job.restarts)
    code = recorded_exit if recorded_exit is not None else job.exit_code
    return Poll("exited", code if code is not None else 1, detail=detail, restarts=job.restarts)
