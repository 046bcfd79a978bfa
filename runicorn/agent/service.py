"""One job service over one storage root: its lock, queue, GPUs, executors and scheduler.

:meth:`Agent.open` takes the root's agent lock (a second agent is refused), opens the queue and
reconciles what an earlier agent left running; :meth:`Agent.start` starts the scheduler thread;
:meth:`Agent.close` stops it (attempts keep running, for the next agent to re-attach) and lets
the lock go. The web service (:mod:`.app`) and tests use this; the CLI serves it (:mod:`.server`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from runicorn.agent.agent_lock import AgentLock
from runicorn.agent.executor import Executor
from runicorn.agent.gpu_pool import GpuCensus
from runicorn.agent.queue import JobQueue
from runicorn.agent.scheduler import Scheduler, SchedulerOptions
from runicorn.errors import ConfigError


@dataclass(frozen=True)
class AgentOptions:
    gpus: str = "auto"  # auto | none | 0,1
    scheduler: SchedulerOptions = SchedulerOptions()
    workdir: Path | None = None  # a job's workdir when it names none (default: the agent's cwd)
    executor: str = "process"  # where a job that names none runs: process or slurm
    slurm_partition: str | None = None
    slurm_account: str | None = None
    slurm_poll_interval_s: float = 2.0  # slurmctld is asked about a job at most this often
    # folders a Docker job's workdir may be mounted from (besides the storage root; none given:
    # the agent's home) and running containers jobs may be exec'd in (besides those labelled
    # runicorn.agent=<uid>): docs/agent.md#executors-docker
    allowed_workdirs: tuple[str, ...] = ()
    allowed_containers: tuple[str, ...] = ()


@dataclass(eq=False)
class Agent:
    """The parts of one running job service (made by :meth:`open`)."""

    root: Path
    lock: AgentLock
    queue: JobQueue
    census: GpuCensus
    scheduler: Scheduler
    options: AgentOptions

    @classmethod
    def open(
        cls,
        root: Path,
        options: AgentOptions | None = None,
        nvml: ModuleType | Any | None = None,
        executors: dict[str, Executor] | None = None,
    ) -> Agent:
        from runicorn.agent.executors import available_executors

        options = options or AgentOptions()
        root = Path(root).absolute()
        lock = AgentLock(root)
        lock.acquire()
        try:
            queue = JobQueue(root)
            census = GpuCensus(nvml, options.gpus)
            if executors is None:
                slurm = {
                    "partition": options.slurm_partition,
                    "account": options.slurm_account,
                    "poll_interval_s": options.slurm_poll_interval_s,
                }
                executors = available_executors(
                    slurm=slurm,
                    allowed_workdirs=options.allowed_workdirs,
                    allowed_containers=options.allowed_containers,
                )
            if options.executor not in executors:
                raise ConfigError(
                    f"this agent has no {options.executor} executor",
                    "run the agent on a Slurm login node (sbatch on PATH)"
                    if options.executor == "slurm"
                    else "pick process or slurm",
                )
            scheduler = Scheduler(queue, executors, census, options.scheduler)
            scheduler.reconcile()
        except BaseException:
            lock.release()
            raise
        return cls(root, lock, queue, census, scheduler, options)

    @property
    def gpu_count(self) -> int:
        return len(self.census.indices)

    def start(self) -> None:
        self.scheduler.start()

    def close(self) -> None:
        self.scheduler.stop()
        self.census.close()
        self.queue.close()
        self.lock.release()
