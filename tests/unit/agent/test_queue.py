"""The queue's transitions (docs/agent.md#states): guarded by the status they leave."""

from __future__ import annotations

import threading
from pathlib import Path

from runicorn.agent.queue import JobQueue


def _job(queue: JobQueue) -> str:
    return queue.submit({"command": ["true"]}, "p", "n", 0, 0, 0.0, None)


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
            moved = queue.start(job_id, (), 0.0) if name == "start" else queue.move("cancel_pending", job_id)
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
    assert not queue.move("succeed", job_id)  # pending cannot succeed
    assert queue.start(job_id, (0,), 1.0)
    assert not queue.start(job_id, (0,), 2.0)  # never started twice
    assert queue.move("retry", job_id, "failures = failures + 1", exit_code=1)
    assert queue.start(job_id, (1,), 3.0)
    assert queue.move("succeed", job_id, exit_code=0)
    assert not queue.move("cancel_running", job_id)
    job = queue.job(job_id)
    assert job is not None
    assert (job["status"], job["attempts"], job["failures"], job["gpu_ids"]) == ("succeeded", 2, 1, [1])
    assert job["queue_wait_s"] is not None
    assert queue.move("resume", job_id, resume_from="/ck.pt")
    assert queue.job(job_id)["status"] == "pending"  # type: ignore[index]
