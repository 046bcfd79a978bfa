"""The executors of the job service, one module each (docs/agent.md#executors)."""

from __future__ import annotations

from typing import Any

from runicorn.agent.executor import Executor


def available_executors(slurm: dict[str, Any] | None = None, **options: Any) -> dict[str, Executor]:
    """Every executor this installation has, by kind: the local process one always; the Slurm
    one when ``sbatch`` is on PATH (``slurm``: its options, partition and account); the
    container one when its module is present."""
    from runicorn.agent.executors.process import ProcessExecutor
    from runicorn.agent.executors.slurm import SlurmExecutor

    out: dict[str, Executor] = {"process": ProcessExecutor()}
    if SlurmExecutor.installed():
        out[SlurmExecutor.kind] = SlurmExecutor(**(slurm or {}))
    try:
        from runicorn.agent.executors import docker  # type: ignore[attr-defined]
    except ImportError:
        return out
    executor = docker.DockerExecutor(**options)
    out[executor.kind] = executor
    return out
