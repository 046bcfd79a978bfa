"""``/api/jobs``, ``/api/jobs/stats`` and ``/api/jobs/{id}``: the queue of ``runicorn agent``,
read without writing it (docs/api.md#jobs).

Each request opens the queue database read-only (:func:`runicorn.agent.queue_reads.open_read_only`) and
closes it again, so a stopped agent, a started one and a replaced database are all seen at the
next request. The viewer never calls or proxies the agent: the web page's buttons call the
agent's own API at the configured ``agent_url`` (docs/agent.md#the-viewers-jobs-page).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter

from runicorn import format as fmt
from runicorn.agent import queue_reads as job_reads
from runicorn.errors import RunNotFound
from runicorn.settings import Settings
from runicorn.store import StoreReader
from runicorn.store.index.run_index import RunInfo
from runicorn.store.records.run_progress import run_progress

T = TypeVar("T")
NO_PROGRESS: dict[str, Any] = {
    "run_status": None,
    "step": None,
    "metrics": {},
    "checkpoints": [],
    "last_log_lines": [],
}
START_AGENT = "runicorn agent --storage ROOT"  # the command alone, for a page in another language
NO_AGENT_HINT = f"no agent has run on this storage root yet; start one with: {START_AGENT}"


def router(reader: StoreReader, settings: Settings) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["jobs"])
    db_path = job_reads.jobs_db_path(reader.root)

    def agent() -> dict[str, Any]:
        return {"url": settings.agent_url or None, "database": f"{fmt.AGENT_DIR}/{fmt.JOBS_DB_FILE}"}

    def read(query: Callable[[sqlite3.Connection], T]) -> T | None:
        conn = job_reads.open_read_only(db_path)
        if conn is None:
            return None
        try:
            return query(conn)
        finally:
            conn.close()

    def run_of(job: dict[str, Any]) -> RunInfo | None:
        """The job's run, when the viewer knows it (not yet, for a job that never started)."""
        return reader.find_run(job["run_id"]) if job.get("run_id") else None

    def with_run_key(job: dict[str, Any]) -> dict[str, Any]:
        info = run_of(job)
        return {**job, "run_key": info.key if info else None}

    @api.get("/jobs")
    def jobs(
        status: str | None = None, project: str | None = None, limit: int = 100, offset: int = 0
    ) -> dict[str, Any]:
        """The agent's jobs, newest first, with the run key of each job whose run exists. With no
        queue database: ``{"jobs": [], "total": 0, "agent": null, "hint": ...}``."""
        found = read(  # one read: the page and the project list from the same snapshot
            lambda conn: (
                job_reads.list_jobs(conn, status, project, limit, offset),
                job_reads.job_projects(conn),
            )
        )
        if found is None:
            return {
                "jobs": [],
                "total": 0,
                "projects": [],
                "agent": None,
                "hint": NO_AGENT_HINT,
                "start": START_AGENT,
            }
        page, projects = found
        return {
            "jobs": [with_run_key(job) for job in page["jobs"]],
            "total": page["total"],
            "projects": projects,
            "agent": agent(),
        }

    @api.get("/jobs/stats")
    def stats() -> dict[str, Any]:
        """Counts per status, success rate and mean queue wait; ``agent: null`` with no queue."""
        counts = read(job_reads.job_stats)
        if counts is None:
            empty = job_reads.job_stats_empty()
            return {**empty, "agent": None, "hint": NO_AGENT_HINT}
        return {**counts, "agent": agent()}

    @api.get("/jobs/{job_id}")
    def job(job_id: str) -> dict[str, Any]:
        """One job, with its run's progress: status, step, latest metrics, checkpoints and the
        last log lines."""
        found = read(lambda conn: job_reads.get_job(conn, job_id))
        if found is None:
            raise RunNotFound(f"no job {job_id!r} in the agent's queue", "list the jobs with GET /api/jobs")
        info = run_of(found)
        progress = run_progress(info.path, reader.checkpoint_logs) if info else NO_PROGRESS
        return {**found, "run_key": info.key if info else None, **progress, "agent": agent()}

    return api
