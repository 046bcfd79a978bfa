"""The scheduler: starts pending jobs when their GPUs and slots are free, watches the running
ones, and moves each job through the queue's named transitions (docs/agent.md#states).

It runs in one background thread of the service. :meth:`Scheduler.reconcile`, called once at
start before that thread, is the only code that looks at jobs it did not just touch: jobs left
``running`` by an agent that stopped are re-attached when their attempt still lives, and
otherwise ended (and retried per their policy).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from runicorn import format as fmt
from runicorn.agent.executor import AttemptSpec, Executor, Handle, Poll, log_file_tail, queues_itself
from runicorn.agent.gpu_pool import GpuCensus, choose_gpus, cuda_env
from runicorn.agent.job_environment import (
    forget_recorder_file,
    machine_env,
    recorder_settings,
    recorder_start_env,
)
from runicorn.agent.job_spec import JobSpec
from runicorn.agent.queue import AttemptEnd, JobQueue, QueuedJob
from runicorn.errors import RunicornError

log = logging.getLogger("runicorn.agent")

GRACE_ENV = "RUNICORN_RUN_GRACE_S"


@dataclass(frozen=True)
class SchedulerOptions:
    slots_per_gpu: int = 1
    # attempts running at once, GPU and CPU jobs together (None: the CPU count plus the GPU slots)
    max_parallel: int | None = None
    min_free_bytes: int = 1 << 30  # a GPU with less free memory is not free
    grace_s: float = 10.0  # between SIGTERM and SIGKILL when a job is cancelled
    poll_interval_s: float = 0.2


@dataclass
class Active:
    """An attempt this scheduler watches."""

    job_id: str
    executor: Executor
    handle: Handle
    gpu_ids: tuple[int, ...]
    stopping: bool = False
    detail: str | None = None  # the executor's last word on it (Slurm: pending reason, node)
    waiting_for: str | None = None  # what the outside queue holds it back for (Slurm's reason)
    restarts: int = 0  # requeues by an outside scheduler seen so far (each one an attempt)
    stopper: threading.Thread | None = field(default=None, repr=False)


def missing_requires(spec: JobSpec) -> list[str]:
    """The job's ``requires`` paths that do not exist yet (relative to its workdir)."""
    workdir = Path(spec.workdir or ".")
    return [p for p in spec.requires if not (workdir / p).exists()]


def attempt_argv(storage: Path, job: QueuedJob) -> list[str]:
    """``runicorn run`` recording the attempt into the job's run."""
    spec = job.spec
    argv = [sys.executable, "-m", "runicorn.cli", "run", "--storage", str(storage)]
    argv += ["--project", job.project, "--name", job.name, "--run-id", job.run_id]
    for tag in spec.tags:
        argv += ["--tag", tag]
    argv += ["--timeout", str(spec.timeout or 0)]
    return [*argv, "--", *spec.command]


class Scheduler:
    def __init__(
        self,
        queue: JobQueue,
        executors: dict[str, Executor],
        census: GpuCensus,
        options: SchedulerOptions,
    ) -> None:
        self.queue = queue
        self.executors = executors
        self.census = census
        self.options = options
        gpu_slots = len(census.indices) * options.slots_per_gpu
        self.max_parallel = options.max_parallel or (os.cpu_count() or 1) + gpu_slots
        self.active: dict[str, Active] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._unreachable: set[str] = set()  # jobs whose executor could not tell their state (warned)
        self._starting: set[str] = set()  # jobs whose attempt an executor is starting now
        self._waiting_for: dict[str, str | None] = {}  # pending jobs: what each waits for, as written

    # --- life ------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="runicorn-agent-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop scheduling (attempts keep running: the next agent re-attaches them)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(10)

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.step()
            except Exception:  # noqa: BLE001 - one bad step must not stop the queue
                log.exception("scheduler step failed")
            self._wake.wait(self.options.poll_interval_s)

    def step(self) -> None:
        self._watch()
        self._start_ready()

    # --- start-up --------------------------------------------------------------------------
    def reconcile(self) -> None:
        """Re-attach or end the jobs an earlier agent left running."""
        for job in self.queue.queued(fmt.JOB_RUNNING):
            executor = self.executors.get(job.handle["kind"]) if job.handle else None
            if job.handle is None or executor is None:
                why = (
                    "the agent stopped while the attempt was starting"
                    if job.handle is None
                    else (f"no {job.handle['kind']} executor in this agent to find the attempt")
                )
                self._ended(job, None, Poll("lost", detail=why))
                continue
            handle = Handle(job.handle["kind"], job.handle["ref"])
            poll = self._poll(executor, handle, job.id)
            if poll is None or poll.state in ("running", "pending"):  # None: ask again later
                active = Active(job.id, executor, handle, job.gpu_ids, restarts=poll.restarts if poll else 0)
                if poll is not None:
                    self._note(active, poll)
                with self._lock:
                    self.active[job.id] = active
                log.info("re-attached job %s (%s)", job.id, handle.ref)
                if job.cancel_requested:
                    self._stop_attempt(active)
            else:
                self._ended(job, None, poll)

    # --- watching --------------------------------------------------------------------------
    def _watch(self) -> None:
        with self._lock:
            active = list(self.active.values())
        for attempt in active:
            poll = self._poll(attempt.executor, attempt.handle, attempt.job_id)
            if poll is None:
                continue
            if poll.state in ("running", "pending"):
                self._note(attempt, poll)
                continue
            job = self.queue.one(attempt.job_id)
            with self._lock:
                self.active.pop(attempt.job_id, None)
            if job is not None:
                self._ended(job, attempt, poll)

    def _poll(self, executor: Executor, handle: Handle, job_id: str) -> Poll | None:
        """The attempt's state, or None while the executor cannot tell (a container engine or a
        cluster not answering): the attempt is neither ended nor lost, it is asked again."""
        try:
            poll = executor.poll(handle)
        except RunicornError as err:
            if job_id not in self._unreachable:
                self._unreachable.add(job_id)
                log.warning("cannot ask how job %s is doing: %s (asking again)", job_id, err.message)
            return None
        self._unreachable.discard(job_id)
        return poll

    def _note(self, attempt: Active, poll: Poll) -> None:
        """Keep what the executor says of a live attempt: its detail (shown with the job) and
        requeues by an outside scheduler, each counted as one more attempt."""
        if poll.restarts > attempt.restarts:
            self.queue.count_restarts(attempt.job_id, poll.restarts - attempt.restarts)
            attempt.restarts = poll.restarts
        waiting_for = poll.waiting_for if poll.state == "pending" else None
        if (poll.detail, waiting_for) != (attempt.detail, attempt.waiting_for):
            self.queue.set_detail(attempt.job_id, poll.detail, waiting_for)
            attempt.detail, attempt.waiting_for = poll.detail, waiting_for

    def _ended(self, job: QueuedJob, attempt: Active | None, poll: Poll) -> None:
        if job.handle is not None:
            forget_recorder_file(job.handle.get("ref", {}).get("recorder_file"))
        now = time.time()
        code = poll.exit_code if poll.state == "exited" else None
        if attempt is not None and poll.restarts > attempt.restarts:
            self.queue.count_restarts(job.id, poll.restarts - attempt.restarts)
        end = AttemptEnd(code, poll.detail)
        if job.cancel_requested:
            self.queue.cancel_running(job.id, now, end)
            return
        if code == 0:
            self.queue.succeed(job.id, now, end)
            return
        error = self._describe_failure(code, poll, attempt)
        timed_out = code == fmt.TIMEOUT_EXIT_CODE
        may_retry = job.failures < job.max_retries and (not timed_out or job.spec.retry_on_timeout)
        if may_retry:
            self.queue.retry(job.id, error, now, end, not_before=now + job.retry_delay_s)
        else:
            self.queue.fail(job.id, error, now, end)

    @staticmethod
    def _describe_failure(code: int | None, poll: Poll, attempt: Active | None) -> str:
        if poll.state == "lost":
            return f"attempt lost: {poll.detail}"
        if code == fmt.TIMEOUT_EXIT_CODE:
            return f"timed out (exit code {code})"
        error = f"exit code {code}"
        if attempt is not None:
            lines = [
                line
                for line in log_file_tail(attempt.handle).splitlines()
                if line.startswith(("error:", "hint:"))
            ]
            if lines:
                error += ": " + " ".join(lines[-2:])
        return error

    # --- starting --------------------------------------------------------------------------
    def _start_ready(self) -> None:
        pending = self.queue.queued(fmt.JOB_PENDING)
        self._waiting_for = {job.id: self._waiting_for.get(job.id) for job in pending}
        if not pending:
            return
        now = time.time()
        with self._lock:
            running = sum(1 for a in self.active.values() if not queues_itself(a.executor))
            jobs_on = Counter(gpu for a in self.active.values() for gpu in a.gpu_ids)
        views = None
        for job in pending:
            missing = missing_requires(job.spec)
            self._note_waiting(job.id, f"requires {', '.join(missing)}" if missing else None)
            if job.not_before > now or missing:
                continue
            executor = self.executors.get(job.spec.executor)
            if executor is not None and queues_itself(executor):
                self._launch(job, (), now)  # the outside scheduler picks nodes and GPUs
                continue
            if running >= self.max_parallel:
                continue
            want: int | tuple[int, ...] = job.gpus_wanted
            if isinstance(job.spec.gpus, tuple):
                want = job.spec.gpus
            gpu_ids: tuple[int, ...] | None = ()
            if want:
                views = self.census.views() if views is None else views
                gpu_ids = choose_gpus(
                    views, jobs_on, want, self.options.slots_per_gpu, self.options.min_free_bytes
                )
            if gpu_ids is None:
                continue
            if self._launch(job, gpu_ids, now):
                running += 1
                jobs_on.update(gpu_ids)

    def _note_waiting(self, job_id: str, waiting_for: str | None) -> None:
        """Keep what a pending job waits for (shown with it), written only when it changes."""
        if self._waiting_for.get(job_id) != waiting_for:
            self.queue.set_waiting_for(job_id, waiting_for)
            self._waiting_for[job_id] = waiting_for

    def _launch(self, job: QueuedJob, gpu_ids: tuple[int, ...], now: float) -> bool:
        with self._lock:
            self._starting.add(job.id)
        try:
            return self._start_attempt(job, gpu_ids, now)
        finally:
            with self._lock:
                self._starting.discard(job.id)

    def _start_attempt(self, job: QueuedJob, gpu_ids: tuple[int, ...], now: float) -> bool:
        if not self.queue.start(job.id, gpu_ids, now):
            return False  # cancelled meanwhile
        kind = job.spec.executor
        executor = self.executors.get(kind)
        if executor is None:
            error = f"this agent has no {kind} executor (restart it where {kind} is available)"
            self.queue.fail(job.id, error, time.time())
            return False
        job_env = dict(job.spec.env)
        env = dict(job_env)
        env[fmt.AGENT_JOB_ENV] = job.id
        env[GRACE_ENV] = str(self.options.grace_s)
        if not queues_itself(executor):  # an outside scheduler sets the GPUs of its nodes
            env.update(cuda_env(gpu_ids) if gpu_ids else {"CUDA_VISIBLE_DEVICES": ""})
        if job.resume_from:
            env[fmt.RESUME_FROM_ENV] = job.resume_from
        spec = AttemptSpec(
            job_id=job.id,
            attempt=job.attempts + 1,
            argv=attempt_argv(self.queue.root, job),
            workdir=job.spec.workdir,
            env=env,
            storage=str(self.queue.root),
            gpus=gpu_ids,
            image=job.spec.image,
            container=job.spec.container,
            extra={"gpus": job.gpus_wanted, "timeout_s": job.spec.timeout},
            machine_env=machine_env(os.environ),
            recorder_start_env=recorder_start_env(os.environ, job_env),
            recorder_settings=recorder_settings(os.environ),
        )
        try:
            handle = executor.start(spec)
        except Exception as err:  # noqa: BLE001 - whatever it was, the job ends with the reason
            if isinstance(err, RunicornError):
                error = err.message + (f" ({err.hint})" if err.hint else "")
            else:
                log.exception("job %s: the %s executor failed to start it", job.id, kind)
                error = f"cannot start: {err}"
            self.queue.fail(job.id, error, time.time())
            return False
        self.queue.set_handle(job.id, {"kind": handle.kind, "ref": handle.ref}, handle.ref.get("container"))
        active = Active(job.id, executor, handle, gpu_ids)
        with self._lock:
            self.active[job.id] = active
        current = self.queue.one(job.id)
        if current is not None and current.cancel_requested:  # cancelled while it started
            self._stop_attempt(active)
        return True

    # --- cancelling ------------------------------------------------------------------------
    def cancel(self, job_id: str) -> str | None:
        """Cancel a job: ``"cancelled"`` (it was pending: it never starts), ``"cancelling"``
        (its attempt is being stopped), or None when it has already ended or does not exist."""
        if self.queue.cancel_pending(job_id, time.time()):
            return fmt.JOB_CANCELLED
        if not self.queue.request_cancel(job_id):
            return None
        with self._lock:
            active = self.active.get(job_id)
            starting = job_id in self._starting
        if active is not None:
            self._stop_attempt(active)
        elif not starting:  # running, with no attempt anyone watches or starts: nothing to stop
            if self.queue.cancel_running(job_id, time.time()):
                return fmt.JOB_CANCELLED
        return "cancelling"

    def _stop_attempt(self, active: Active) -> None:
        with self._lock:
            if active.stopping:
                return
            active.stopping = True

        def stop() -> None:
            try:
                active.executor.cancel(active.handle, self.options.grace_s)
            except RunicornError as err:  # the next poll tells how the attempt ended
                log.warning("cancelling job %s: %s", active.job_id, err.message)
            finally:
                self.wake()

        active.stopper = threading.Thread(target=stop, name=f"runicorn-cancel-{active.job_id}", daemon=True)
        active.stopper.start()
