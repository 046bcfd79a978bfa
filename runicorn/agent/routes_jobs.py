"""``/api/jobs`` and ``/api/stats``: submit, list, show, cancel and resume jobs (docs/agent.md#api)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from runicorn import format as fmt
from runicorn.agent.job_request import JobRequest, ResumeRequest, job_spec
from runicorn.agent.service import Agent
from runicorn.errors import ConfigError
from runicorn.gate.error_shape import error_response
from runicorn.store.records.run_progress import checkpoint_logs, run_progress

_MISSING_EXECUTOR_HINT = {
    "docker": "leave image/container out to run the command on the machine",
    "slurm": "run the agent on a Slurm login node (sbatch on PATH), or leave executor out",
}


def submit(agent: Agent, request: JobRequest) -> dict[str, Any]:
    """Check and queue one job (also used by a project's runs); ConfigError on a bad one."""
    default_workdir = agent.options.workdir or agent.root.parent
    spec = job_spec(request, agent.census.indices, default_workdir, agent.options.executor)
    kind = spec.executor
    executor = agent.scheduler.executors.get(kind)
    if executor is None:
        raise ConfigError(f"this agent has no {kind} executor", _MISSING_EXECUTOR_HINT.get(kind, ""))
    admit = getattr(executor, "admit", None)  # what an executor may do for its owner (docker)
    if admit is not None:
        admit(spec, str(agent.root))
    job_id = agent.queue.submit(spec, request.max_retries, request.resume_from)
    agent.scheduler.wake()
    job = agent.queue.job(job_id)
    assert job is not None
    return job


def _job_or_404(agent: Agent, job_id: str) -> dict[str, Any]:
    job = agent.queue.job(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id!r} in this agent's queue")
    return job


def router(agent: Agent) -> APIRouter:
    api = APIRouter()
    checkpoints = checkpoint_logs()  # each run's events read on from where the last poll stopped

    @api.post("/api/jobs", status_code=201)
    def submit_job(request: JobRequest) -> dict[str, Any]:
        return submit(agent, request)

    @api.get("/api/jobs")
    def list_jobs(
        status: str | None = None, project: str | None = None, limit: int = 100, offset: int = 0
    ) -> dict[str, Any]:
        return agent.queue.list_jobs(status=status, project=project, limit=limit, offset=offset)

    @api.get("/api/jobs/{job_id}")
    def show_job(job_id: str) -> dict[str, Any]:
        job = _job_or_404(agent, job_id)
        run_dir = fmt.run_dir(agent.root, job["project"], job["name"], job["run_id"])
        return {**job, **run_progress(run_dir, checkpoints)}

    @api.post("/api/jobs/{job_id}/cancel", status_code=202)
    def cancel_job(job_id: str) -> dict[str, Any]:
        job = _job_or_404(agent, job_id)
        outcome = agent.scheduler.cancel(job_id)
        if outcome is None:
            raise HTTPException(409, f"job {job_id} has already ended ({job['status']})")
        return {**_job_or_404(agent, job_id), "cancel": outcome}

    @api.post("/api/jobs/{job_id}/resume", status_code=202)
    def resume_job(job_id: str, request: ResumeRequest | None = None) -> Any:
        job = _job_or_404(agent, job_id)
        checkpoint = request.checkpoint if request else None
        if checkpoint is None:
            run_dir = fmt.run_dir(agent.root, job["project"], job["name"], job["run_id"])
            recorded = checkpoints.read(run_dir)
            if not recorded:
                raise ConfigError(
                    f"job {job_id} recorded no checkpoint (rn.log_checkpoint)",
                    "give the checkpoint to start from: runicorn resume JOB --checkpoint PATH",
                )
            checkpoint = recorded[-1]["path"]
        if not agent.queue.resume(job_id, checkpoint):
            return error_response(
                f"job {job_id} is {job['status']}: only an ended job can be resumed",
                409,
                "cancel it first, or wait for it to end",
            )
        agent.scheduler.wake()
        return _job_or_404(agent, job_id)

    @api.get("/api/stats")
    def stats() -> dict[str, Any]:
        return agent.queue.stats()

    return api
