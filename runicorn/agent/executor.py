"""The small protocol every executor of the job service speaks (docs/agent.md#executors).

The scheduler never knows where a job runs: it hands an :class:`AttemptSpec` to an executor's
``start``, keeps the returned :class:`Handle` (JSON-able, stored with the job so that an agent
restarted after ``kill -9`` can find the attempt again), asks ``poll`` how it is doing and calls
``cancel`` to stop it. A local process, a Docker container and a Slurm job differ only here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol


@dataclass(frozen=True)
class AttemptSpec:
    """One attempt of one job, as an executor needs it."""

    job_id: str
    attempt: int  # 1 for the first
    argv: list[str]  # the `runicorn run ... -- CMD` command line that records the run
    workdir: str | None
    # the command's environment: the job's env and what the agent sets (CUDA_VISIBLE_DEVICES,
    # RUNICORN_AGENT_JOB, RUNICORN_RESUME_FROM, ...); never the agent's own environment
    env: dict[str, str]
    storage: str  # the storage root the run is written under
    gpus: tuple[int, ...] = ()  # NVML indices given to this attempt
    image: str | None = None  # run in a new container of this image (docker)
    container: str | None = None  # exec in this running container (docker)
    extra: dict[str, Any] = field(default_factory=dict)  # executor-specific (slurm partition, ...)
    # from the agent's environment (runicorn/agent/job_environment.py): the documented list, for
    # a command on this machine or its cluster (a container has its image's own) ...
    machine_env: dict[str, str] = field(default_factory=dict)
    # ... what the agent's Python needed to start (PYTHONPATH), for the recorder only ...
    recorder_start_env: dict[str, str] = field(default_factory=dict)
    # ... and the settings and credentials for the recorder's own work, handed over in a file
    recorder_settings: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Handle:
    """Where a started attempt is: ``kind`` names the executor, ``ref`` what it needs to find the
    attempt again (a pid and its start time, a container id, a Slurm job id). Stored as JSON.
    A container's id is under ``ref["container"]`` (the job view shows it)."""

    kind: str
    ref: dict[str, Any]


@dataclass(frozen=True)
class Poll:
    """How an attempt is doing: still ``running`` (or ``pending`` in an outside queue, with the
    reason it waits), ``exited`` with its exit code, or ``lost`` (nothing to find any more)."""

    state: Literal["pending", "running", "exited", "lost"]
    exit_code: int | None = None
    detail: str | None = None  # a pending reason ("Resources"), where it runs, or why it was lost
    # pending: what the outside queue holds it back for (Slurm's reason: Resources, Priority,
    # BeginTime); the job then shows pending with it
    waiting_for: str | None = None
    # times an outside scheduler put the attempt back in its queue (Slurm's requeue on
    # preemption): each counts as one more attempt of the job, never as a failure
    restarts: int = 0


class Executor(Protocol):
    kind: str

    def start(self, spec: AttemptSpec) -> Handle:
        """Start the attempt; raise RunicornError (message + hint) when it cannot start."""
        ...

    def poll(self, handle: Handle) -> Poll:
        """The attempt's state now; never raises for an attempt that vanished (``lost``)."""
        ...

    def cancel(self, handle: Handle, grace_s: float) -> None:
        """Stop the attempt: SIGTERM (or its equivalent), SIGKILL after ``grace_s``."""
        ...


# An executor may also have ``admit(job: JobSpec, storage: str) -> None``, called when a job is
# submitted: it raises RunicornError (a 400) for a job it will not run (docker: a workdir outside
# the allowed folders, a container the owner did not allow).


def queues_itself(executor: Executor) -> bool:
    """Whether the executor hands attempts to an outside scheduler (Slurm) that owns the
    machines: then the agent neither picks GPUs nor counts the attempt against its own slots."""
    return bool(getattr(executor, "outside_queue", False))


def log_file_tail(handle: Handle, max_bytes: int = 4096) -> str:
    """The end of the file ``handle.ref["log_file"]`` (an attempt's own output: the wrapper's
    messages), for a job's error; "" when there is none."""
    try:
        with open(handle.ref["log_file"], "rb") as f:
            f.seek(max(0, os.fstat(f.fileno()).st_size - max_bytes))
            return f.read().decode("utf-8", "replace")
    except (OSError, KeyError):
        return ""
