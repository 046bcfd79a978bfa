"""Cancel always ends a job (docs/agent.md#states): also one left ``running`` with no attempt to
stop (its start failed half-way, before its attempt was recorded)."""

from __future__ import annotations

from pathlib import Path

from runicorn.agent.executors.process import ProcessExecutor
from runicorn.agent.gpu_pool import GpuCensus
from runicorn.agent.job_spec import JobSpec
from runicorn.agent.queue import JobQueue
from runicorn.agent.scheduler import Scheduler, SchedulerOptions


def test_cancel_ends_a_job_left_running_with_no_attempt(tmp_path: Path) -> None:
    queue = JobQueue(tmp_path)
    scheduler = Scheduler(queue, {"process": ProcessExecutor()}, GpuCensus(None, "none"), SchedulerOptions())
    job_id = queue.submit(JobSpec(("true",), "p", "n"), 0, None)
    assert queue.start(job_id, (), 0.0)  # running, and no attempt was ever recorded

    assert scheduler.cancel(job_id) == "cancelled"

    job = queue.job(job_id)
    assert job is not None and (job["status"], job["error"]) == ("cancelled", "cancelled")
    assert scheduler.cancel(job_id) is None  # ended: nothing more to cancel
    queue.close()
