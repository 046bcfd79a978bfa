"""The executors of the job service, one module each (docs/agent.md#executors)."""

from __future__ import annotations

from typing import Any

from runicorn.agent.executor import Executor


def available_executors(slurm: dict[str, Any] | None = None, **options: Any) -> dict[str, Executor]:
    """Every executor, by kind: the local process one; the Slurm one when ``sbatch`` is on PATH
    (``slurm``: its options, partition and account); the container one (``options``: what it
    may mount and exec in; it needs the ``docker`` package only when a job asks for an image or
    a container)."""
    from runicorn.agent.executors.process import ProcessExecutor
    from runicorn.agent.executors.slurm import SlurmExecutor

    out: dict[str, Executor] = {"process": ProcessExecutor()}
    if SlurmExecutor.installed():
        out[SlurmExecutor.kind] = SlurmExecutor(**(slurm or {}))
    from runicorn.agent.executors.docker_engine import DockerExecutor  # imports docker only when used

    executor = DockerExecutor(**options)
    out[executor.kind] = executor
    return out
