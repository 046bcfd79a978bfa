"""The queue's transitions (docs/agent.md#states): guarded by the status they leave."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from runicorn.agent import queue_reads as job_reads
from runicorn.agent.job_spec import JobSpec
from runicorn.agent.queue import AttemptEnd, JobQueue


def _job(queue: JobQueue) -> str:
    return queue.submit(JobSpec(("true",), "p", "n"), 0, None)


def test_a_job_is_started_or_cancelled_never_both(tmp_path: Path) -> None:
    queue = JobQueue(tmp_path)
    for _ in range(50):
        job_id = _job(queue)
        wins: list[str] = []
        barrier = threading.Barrier(2)

        def act(
            name: str, job_id: str = job_id, wins: list[str] = wins, barrier: threading.Barrier = barrier
        ) -> None:
            barrier.wait()
            moved = queue.start(job_id, (), 0.0) if name == "start" else queue.cancel_pending(job_id, 0.0)
            if moved:
                wins.append(name)

        threads = [threading.Thread(target=act, args=(n,)) for n in ("start", "cancel")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(wins) == 1
        assert queue.job(job_id)["status"] == ("running" if wins == ["start"] else "cancelled")  # type: ignore[index]


def test_transitions_leave_only_their_own_statuses(tmp_path: Path) -> None:
    queue = JobQueue(tmp_path)
    job_id = _job(queue)
    assert not queue.succeed(job_id, 0.5, AttemptEnd(0))  # pending cannot succeed
    assert queue.start(job_id, (0,), 1.0)
    assert not queue.start(job_id, (0,), 2.0)  # never started twice
    assert queue.retry(job_id, "exit code 1", 2.5, AttemptEnd(1), not_before=0.0)
    assert queue.start(job_id, (1,), 3.0)
    assert queue.succeed(job_id, 4.0, AttemptEnd(0))
    assert not queue.cancel_running(job_id, 5.0)
    job = queue.job(job_id)
    assert job is not None
    assert (job["status"], job["attempts"], job["failures"], job["gpu_ids"]) == ("succeeded", 2, 1, [1])
    assert job["queue_wait_s"] is not None
    assert queue.resume(job_id, "/ck.pt")
    assert queue.job(job_id)["status"] == "pending"  # type: ignore[index]


# The jobs table as queue version 1 wrote it (before the executor's ``detail``).
V1_JOBS = """
CREATE TABLE jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, status TEXT NOT NULL,
    project TEXT NOT NULL, name TEXT NOT NULL, run_id TEXT NOT NULL, spec TEXT NOT NULL,
    gpus_wanted INTEGER NOT NULL DEFAULT 0, gpu_ids TEXT, attempts INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0, max_retries INTEGER NOT NULL DEFAULT 0,
    retry_delay_s REAL NOT NULL DEFAULT 0, not_before REAL NOT NULL DEFAULT 0, resume_from TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0, handle TEXT, container_id TEXT, exit_code INTEGER,
    error TEXT, created_at REAL NOT NULL, first_started_at REAL, started_at REAL, ended_at REAL
);
INSERT INTO jobs (id, status, project, name, run_id, spec, created_at)
VALUES ('0123456789ab', 'pending', 'p', 'n', '20260101_000000_abcdef', '{"command": ["true"]}', 1.0);
PRAGMA user_version = 1;
"""


def _v1_queue(root: Path) -> Path:
    db = root / ".agent" / "jobs.db"
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.executescript(V1_JOBS)
    conn.close()
    return db


def test_a_queue_of_version_1_reads_before_and_after_the_agent_upgrades_it(tmp_path: Path) -> None:
    db = _v1_queue(tmp_path)
    viewer = job_reads.open_read_only(db)
    assert viewer is not None
    before = job_reads.get_job(viewer, "0123456789ab")
    assert before is not None and (before["status"], before["detail"], before["executor"]) == (
        "pending",
        None,
        "process",
    )
    viewer.close()
    queue = JobQueue(tmp_path)
    assert queue.conn().execute("PRAGMA user_version").fetchone()[0] == 3
    assert queue.start("0123456789ab", (), 2.0)
    queue.set_detail("0123456789ab", "slurm job 7 pending: Resources", "Resources")
    job = queue.job("0123456789ab")
    assert job is not None and job["detail"] == "slurm job 7 pending: Resources"
    assert (job["status"], job["waiting_for"]) == ("pending", "Resources")  # Slurm holds it back
    assert queue.list_jobs(status="pending")["total"] == 1 and queue.stats()["counts"]["pending"] == 1
    queue.set_detail("0123456789ab", "slurm job 7 running on node1")
    assert queue.job("0123456789ab")["status"] == "running"  # type: ignore[index]
    assert queue.list_jobs(status="running")["total"] == 1
    queue.close()
    assert JobQueue(tmp_path).job("0123456789ab")["attempts"] == 1  # type: ignore[index]
