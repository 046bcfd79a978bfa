"""What a client may submit: a job, a project, a project's run (docs/agent.md#api).

Pydantic models with ``extra="forbid"`` (an unknown field is a 422, not silently ignored), and
:func:`job_spec`, which checks a job against the machine (workdir, ``requires`` inside it, GPUs)
and turns it into the :class:`~runicorn.agent.job_spec.JobSpec` the queue stores and the scheduler
starts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from runicorn import format as fmt
from runicorn.agent.job_environment import AGENT_SET_NAMES, ENV_NAME
from runicorn.agent.job_spec import JobSpec
from runicorn.errors import ConfigError
from runicorn.launch.defaults import default_name, default_project
from runicorn.launch.timeout import parse_duration


class JobRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command: list[str] | str = Field(description="argv list, or one string with shell: true")
    shell: bool = False
    project: str | None = None
    name: str | None = None
    tags: list[str] = Field(default_factory=list)
    workdir: str | None = None
    env: dict[str, str] = Field(default_factory=dict)
    gpus: int | list[int] = Field(0, description="how many GPUs, or which (NVML indices); 0: a CPU job")
    image: str | None = None
    container: str | None = None
    # where it runs (default: the agent's --executor; docker with an image or container)
    executor: str | None = Field(default=None, description="process, docker or slurm")
    timeout: float | str | None = Field(None, description="per attempt: seconds, or 90s, 5m, 5h, 2d")
    max_retries: int = Field(0, ge=0, le=1000)
    retry_delay: float | str = 0
    retry_on_timeout: bool = False
    resume_from: str | None = None
    requires: list[str] = Field(default_factory=list, description="paths under workdir to wait for")


class ResumeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    checkpoint: str | None = None


class ProjectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    objective: str = ""
    task_type: str = ""
    owner: str = ""
    dataset: str | None = None
    training_config: str | None = None
    tags: list[str] = Field(default_factory=list)
    workdir: str
    image: str | None = None
    container: str | None = None


class ProjectRunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start_command: list[str] | str
    name: str | None = None
    gpus: int | list[int] = 0
    env: dict[str, str] = Field(default_factory=dict)
    timeout: float | str | None = None
    max_retries: int = Field(0, ge=0, le=1000)
    retry_delay: float | str = 0


EXECUTORS = ("process", "docker", "slurm")


def nul_fields(value: Any, where: str = "") -> Iterator[str]:
    """Where in a request's fields (``command[1]``, ``env["A"]``, ``env name "B..."``) a NUL byte
    is: no program can be given one (not in its arguments, its environment or a path)."""
    if isinstance(value, str):
        if "\0" in value:
            yield where
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and "\0" in key:
                yield f"{where} name {key!r}"
            yield from nul_fields(item, f"{where}[{key!r}]" if where else str(key))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from nul_fields(item, f"{where}[{i}]")


def check_request(request: BaseModel) -> None:
    """ConfigError (400) for a request no program could be started with: a NUL byte anywhere,
    an environment variable name that is not ``[A-Za-z_][A-Za-z0-9_]*``, an unknown executor."""
    found = list(nul_fields({name: getattr(request, name) for name in type(request).model_fields}))
    if found:
        raise ConfigError(
            f"{', '.join(found)}: holds a NUL byte", "no program can be given a NUL byte: remove it"
        )
    env: dict[str, str] = getattr(request, "env", None) or {}
    bad = [name for name in env if not ENV_NAME.fullmatch(name)]
    if bad:
        raise ConfigError(
            f"env {', '.join(map(repr, bad))}: not an environment variable name",
            "names are letters, digits and '_', not starting with a digit (CUDA_HOME, WANDB_MODE)",
        )
    reserved = sorted(set(env) & AGENT_SET_NAMES)
    if reserved:
        raise ConfigError(
            f"env {', '.join(reserved)}: set by the agent itself", "leave it out of the job's env"
        )
    executor = getattr(request, "executor", None)
    if executor is not None and executor not in EXECUTORS:
        raise ConfigError(
            f"unknown executor {executor!r}",
            f"give one of {', '.join(EXECUTORS)}, or leave it out (the agent's --executor)",
        )


def inside(workdir: Path, relpath: str) -> bool:
    """Whether ``relpath`` (links resolved) stays inside ``workdir``."""
    if os.path.isabs(relpath):
        return False
    base = workdir.resolve()
    target = (base / relpath).resolve()
    return target == base or base in target.parents


def executor_for(request: JobRequest, default_executor: str) -> str:
    """The executor a request names, else docker for an image or container, else the agent's."""
    if request.executor:
        return request.executor
    return "docker" if request.image or request.container else default_executor


def job_spec(
    request: JobRequest,
    gpu_indices: Sequence[int],
    default_workdir: Path,
    default_executor: str = "process",
) -> JobSpec:
    """The job as the agent keeps it; ConfigError (400) on what cannot run here. ``gpu_indices``:
    the GPUs the agent manages."""
    check_request(request)
    if isinstance(request.command, str):
        if not request.shell:
            raise ConfigError(
                "command is one string but shell is false",
                'give the command as a list (["python", "train.py"]), or set "shell": true',
            )
        command = ["/bin/sh", "-c", request.command]
    else:
        command = list(request.command)
    if not command or not command[0]:
        raise ConfigError("command is empty", 'give the program and its arguments: ["python", "train.py"]')
    workdir = Path(request.workdir).expanduser() if request.workdir else default_workdir
    if not workdir.is_absolute():
        raise ConfigError(f"workdir {request.workdir!r} is not an absolute path", "give the full path")
    if not workdir.is_dir():
        raise ConfigError(
            f"workdir {workdir} does not exist on the agent's machine", "create it, or fix the path"
        )
    escaping = [p for p in request.requires if not inside(workdir, p)]
    if escaping:
        raise ConfigError(
            f"requires {', '.join(escaping)}: outside the workdir {workdir}",
            "name paths relative to the workdir, without '..' leading out of it",
        )
    if request.image and request.container:
        raise ConfigError(
            "give image or container, not both", "image runs a new container; container execs in one"
        )
    executor = executor_for(request, default_executor)
    if (request.image or request.container) and executor != "docker":
        raise ConfigError(
            f"a {executor} job runs a command, not a container image",
            "leave image/container out (or put the container in the command: apptainer exec ...), "
            'or ask for the container executor ("executor": "docker")',
        )
    wanted = request.gpus if isinstance(request.gpus, int) else len(request.gpus)
    if wanted < 0:
        raise ConfigError(f"gpus {request.gpus} is negative", "give 0 for a CPU job, or a count, or indices")
    if executor == "slurm":
        if not isinstance(request.gpus, int):
            raise ConfigError(
                "a Slurm job asks for a number of GPUs, not for GPU indices",
                "give gpus as a count (Slurm picks the GPUs: --gres=gpu:N)",
            )
    elif wanted > len(gpu_indices):
        raise ConfigError(
            f"the job wants {wanted} GPU(s) and this agent manages {len(gpu_indices)}",
            "ask for fewer (gpus: 0 for a CPU job), or start the agent with --gpus auto",
        )
    elif isinstance(request.gpus, list):
        unknown = sorted(set(request.gpus) - set(gpu_indices))
        if unknown or len(set(request.gpus)) != len(request.gpus):
            which = f"{unknown} are not" if unknown else "an index is named twice: they are not"
            raise ConfigError(
                f"gpus {request.gpus}: {which} GPUs this agent manages "
                f"({', '.join(map(str, gpu_indices)) or 'none'})",
                "name each GPU once, among the agent's (GET /health lists them), or give a count",
            )
    timeout = parse_duration(request.timeout, "timeout") if request.timeout is not None else None
    project = request.project or default_project(workdir)
    name = request.name or default_name(command)
    for label, value in (("project", project), ("name", name)):
        if not fmt.is_safe_id(value) or "\n" in value:
            raise ConfigError(
                f"{label} {value!r} cannot name a folder", "use letters, digits, '_', '-' and '.'"
            )
    return JobSpec(
        command=tuple(command),
        project=project,
        name=name,
        shell=request.shell,
        tags=tuple(request.tags),
        workdir=str(workdir),
        env=dict(request.env),
        gpus=request.gpus if isinstance(request.gpus, int) else tuple(request.gpus),
        image=request.image,
        container=request.container,
        executor=executor,
        timeout=timeout,
        retry_delay=parse_duration(request.retry_delay, "retry_delay") or 0.0,
        retry_on_timeout=request.retry_on_timeout,
        requires=tuple(request.requires),
    )


def missing_project_files(project: dict[str, Any]) -> list[str]:
    """The project's dataset and training config paths that do not exist under its workdir."""
    workdir = Path(project["workdir"])
    missing = []
    for field in ("dataset", "training_config"):
        path = project.get(field)
        if path and (not inside(workdir, path) or not (workdir / path).exists()):
            missing.append(f"{field} {path}")
    return missing
