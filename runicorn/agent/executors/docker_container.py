"""What a new container of a job's attempt is (docs/agent.md#executors-docker): the job's own
command (the image needs nothing of Runicorn), its name, mounts, user, labels and environment,
as the plan that ``runicorn run --container-plan`` runs (runicorn/launch/container_command.py).
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from runicorn.agent.executor import AttemptSpec
from runicorn.agent.executors.docker_rules import AGENT_LABEL, inside
from runicorn.errors import RunicornError

JOB_LABEL = "runicorn.job"
ATTEMPT_LABEL = "runicorn.attempt"


def job_command(argv: Sequence[str]) -> list[str]:
    """The job's own command in the spec's ``runicorn run ... -- CMD`` line: ``CMD``."""
    if "--" not in argv:
        raise RunicornError(
            f"not a `runicorn run ... -- CMD` command line: {shlex.join(argv)}",
            "the job service gives every executor a `runicorn run ... -- CMD` line",
        )
    return list(argv[list(argv).index("--") + 1 :])


def with_container_plan(argv: Sequence[str], plan: Path) -> list[str]:
    """The ``runicorn run`` line told to run its command in the plan's container."""
    at = list(argv).index("--")
    return [*argv[:at], "--container-plan", str(plan), *argv[at:]]


def container_name(spec: AttemptSpec) -> str:
    """The name of an attempt's new container (found again by it after a restart)."""
    return "runicorn-" + re.sub(r"[^A-Za-z0-9_.-]", "_", f"{spec.job_id}-{spec.attempt}")


def container_options(
    spec: AttemptSpec, user: str, volumes: Sequence[str], workdir_source: str | None = None
) -> dict[str, Any]:
    """The keyword arguments of ``containers.create`` for an attempt in a new container (JSON:
    they go into the plan; its GPUs are the plan's own): the job's command on a terminal, its
    environment the spec's ``env`` only (the image gives ``PATH`` and ``HOME``).
    ``workdir_source``: the host folder mounted as the workdir (its links resolved, as checked)."""
    env = dict(spec.env)
    binds = [f"{spec.storage}:{spec.storage}:rw"]
    if spec.workdir and not inside(spec.workdir, spec.storage):
        binds.append(f"{workdir_source or spec.workdir}:{spec.workdir}:rw")
    options: dict[str, Any] = {
        "image": spec.image,
        "command": job_command(spec.argv),
        "name": container_name(spec),
        "environment": env,
        "volumes": [*binds, *volumes],
        "labels": {
            JOB_LABEL: spec.job_id,
            ATTEMPT_LABEL: str(spec.attempt),
            AGENT_LABEL: str(os.getuid()),
        },
        "user": user,
        "tty": True,  # the command sees a terminal, as `runicorn run` gives it one: progress bars draw
    }
    if spec.workdir:
        options["working_dir"] = spec.workdir
    # the engine shows the given GPUs as 0..n-1 inside the container
    env["CUDA_VISIBLE_DEVICES"] = ",".join(str(i) for i in range(len(spec.gpus)))
    return options
