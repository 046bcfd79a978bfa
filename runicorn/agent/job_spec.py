"""A job as the agent keeps it: :class:`JobSpec`, from the checked request to the scheduler.

:func:`runicorn.agent.job_request.job_spec` makes one from a submitted request (checked against
the machine); the queue stores it as JSON in the job's ``spec`` column (runicorn/format.py) and
gives it back with :meth:`JobSpec.from_json`, which also reads what an earlier agent stored (a
key it did not write takes its default).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from runicorn.agent.queue_reads import executor_of


@dataclass(frozen=True)
class JobSpec:
    command: tuple[str, ...]  # the argv (a shell command is ("/bin/sh", "-c", TEXT))
    project: str
    name: str
    shell: bool = False
    tags: tuple[str, ...] = ()
    workdir: str | None = None  # absolute; None only in a job stored before jobs always had one
    env: dict[str, str] = field(default_factory=dict)  # the job's own variables
    gpus: int | tuple[int, ...] = 0  # how many GPUs, or which (NVML indices)
    image: str | None = None  # docker: run in a new container of this image ...
    container: str | None = None  # ... or exec in this running container
    executor: str = "process"  # process, docker or slurm
    timeout: float | None = None  # seconds per attempt; None: no limit
    retry_delay: float = 0.0  # seconds between a failed attempt and the next
    retry_on_timeout: bool = False
    requires: tuple[str, ...] = ()  # paths under the workdir to wait for

    @property
    def gpus_wanted(self) -> int:
        return self.gpus if isinstance(self.gpus, int) else len(self.gpus)

    def to_json(self) -> dict[str, Any]:
        """The JSON stored with the job (docs/agent.md#jobs shows its fields)."""
        return {
            "command": list(self.command),
            "shell": self.shell,
            "project": self.project,
            "name": self.name,
            "tags": list(self.tags),
            "workdir": self.workdir,
            "env": dict(self.env),
            "gpus": self.gpus if isinstance(self.gpus, int) else list(self.gpus),
            "image": self.image,
            "container": self.container,
            "executor": self.executor,
            "timeout": self.timeout,
            "retry_delay": self.retry_delay,
            "retry_on_timeout": self.retry_on_timeout,
            "requires": list(self.requires),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], project: str, name: str) -> JobSpec:
        """The spec stored as ``data`` for the job ``project``/``name`` (the queue's columns)."""
        gpus = data.get("gpus") or 0
        return cls(
            command=tuple(data.get("command") or ()),
            project=project,
            name=name,
            shell=bool(data.get("shell", False)),
            tags=tuple(data.get("tags") or ()),
            workdir=data.get("workdir"),
            env=dict(data.get("env") or {}),
            gpus=tuple(gpus) if isinstance(gpus, list) else int(gpus),
            image=data.get("image"),
            container=data.get("container"),
            executor=executor_of(data),
            timeout=data.get("timeout"),
            retry_delay=data.get("retry_delay") or 0.0,
            retry_on_timeout=bool(data.get("retry_on_timeout", False)),
            requires=tuple(data.get("requires") or ()),
        )
