"""The agent's queue as the viewer serves it: ``/api/jobs``, ``/api/jobs/stats``,
``/api/jobs/{id}`` over a real agent's database, read without writing it (docs/api.md#jobs), and a
run's checkpoints (``GET /api/runs/{key}/checkpoints``)."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from agent_server import wait_for

from runicorn import format as fmt

TRAIN = textwrap.dedent(
    """
    import runicorn as rn
    rn.init()
    rn.log({"loss": 0.5}, step=3)
    rn.log_checkpoint("ckpt-3.pt")
    rn.log({"loss": 0.25}, step=7)
    rn.log_checkpoint("ckpt-7.pt")
    rn.finish()
    """
)


def _files(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir()) if p.is_file()}


def _close_like_a_stopped_agent(db: Path) -> None:
    """An agent whose last connection closed: SQLite folds the WAL into the database and removes
    the -wal and -shm files."""
    conn = sqlite3.connect(db)
    conn.execute("SELECT COUNT(*) FROM jobs").fetchone()
    conn.close()
    assert not db.with_name(db.name + "-wal").exists()


def test_viewer_lists_a_running_agents_jobs_and_links_their_runs(
    live_agent, live_viewer, tmp_path: Path
) -> None:
    (tmp_path / "train.py").write_text(TRAIN)
    store = tmp_path / "store"
    agent = live_agent(store, max_parallel=1)
    done = agent.submit(
        command=[sys.executable, "train.py"], workdir=str(tmp_path), project="p1", name="train"
    )
    agent.wait_status(done["id"], "succeeded")
    blocker = agent.submit(
        command=["sh", "-c", "sleep 60"], workdir=str(tmp_path), project="p2", name="block"
    )
    agent.wait_status(blocker["id"], "running")
    pending = agent.submit(command=["true"], workdir=str(tmp_path), project="p2", name="later")

    base = live_viewer(store)
    listed = httpx.get(f"{base}/api/jobs", timeout=30).json()
    assert [(j["id"], j["status"]) for j in listed["jobs"]] == [
        (pending["id"], "pending"),
        (blocker["id"], "running"),
        (done["id"], "succeeded"),
    ]
    assert listed["total"] == 3 and listed["projects"] == ["p1", "p2"]
    run_key = listed["jobs"][2]["run_key"]
    assert run_key and httpx.get(f"{base}/api/runs/{run_key}", timeout=30).status_code == 200
    assert listed["jobs"][0]["run_key"] is None  # not started: no run yet

    only_p2 = httpx.get(f"{base}/api/jobs", params={"project": "p2", "status": "pending"}, timeout=30).json()
    assert [j["id"] for j in only_p2["jobs"]] == [pending["id"]]
    stats = httpx.get(f"{base}/api/jobs/stats", timeout=30).json()
    assert stats["counts"] == {"pending": 1, "running": 1, "succeeded": 1, "failed": 0, "cancelled": 0}

    detail = httpx.get(f"{base}/api/jobs/{done['id']}", timeout=30).json()
    assert detail["exit_code"] == 0 and detail["attempts"] == 1 and detail["metrics"] == {"loss": 0.25}
    assert [(c["path"], c["step"]) for c in detail["checkpoints"]] == [
        (str(tmp_path / "ckpt-3.pt"), 3),
        (str(tmp_path / "ckpt-7.pt"), 7),
    ]
    checkpoints = httpx.get(f"{base}/api/runs/{run_key}/checkpoints", timeout=30).json()
    assert [(c["path"], c["step"]) for c in checkpoints] == [
        (c["path"], c["step"]) for c in detail["checkpoints"]
    ]
    assert all(isinstance(c["ts"], float) for c in checkpoints)

    assert agent.http.post(f"/api/jobs/{pending['id']}/cancel").json()["cancel"] == "cancelled"
    wait_for(
        lambda: httpx.get(f"{base}/api/jobs/{pending['id']}", timeout=30).json()["status"] == "cancelled",
        what="the viewer to see the agent's latest commit",
    )
    bad = httpx.get(f"{base}/api/jobs", params={"status": "lost"}, timeout=30)
    assert bad.status_code == 400 and "status" in bad.json()["error"]
    missing = httpx.get(f"{base}/api/jobs/000000000000", timeout=30)
    assert missing.status_code == 404


def _agent_process(store: Path, tmp_path: Path) -> tuple[subprocess.Popen[str], str]:
    env = {
        **os.environ,
        "RUNICORN_CONFIG_FILE": str(tmp_path / "no-user-config.json"),
        "PYTHONUNBUFFERED": "1",
    }
    argv = [
        sys.executable,
        "-m",
        "runicorn.cli",
        "agent",
        "--storage",
        str(store),
        "--port",
        "0",
        "--gpus",
        "none",
    ]
    agent = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    assert agent.stdout is not None
    first = agent.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+", first)
    if match is None:
        agent.kill()
        pytest.fail(f"agent did not start: {first}{agent.communicate()[0]}")
    return agent, match.group(0)


def test_viewer_reads_a_stopped_agents_queue_without_touching_a_file(live_viewer, tmp_path: Path) -> None:
    store = tmp_path / "store"
    process, url = _agent_process(store, tmp_path)
    auth = {"Authorization": f"Bearer {(tmp_path / 'agent.token').read_text().strip()}"}
    try:
        job = httpx.post(
            f"{url}/api/jobs", json={"command": ["true"], "workdir": str(tmp_path)}, headers=auth, timeout=30
        ).json()
        wait_for(
            lambda: (
                httpx.get(f"{url}/api/jobs/{job['id']}", headers=auth, timeout=30).json()["status"]
                == "succeeded"
            ),
            what="the job to succeed",
        )
    finally:
        process.terminate()
        process.communicate(timeout=30)
    queue_dir = store / fmt.AGENT_DIR
    db = queue_dir / fmt.JOBS_DB_FILE
    base = live_viewer(store)

    def read_all() -> None:
        for _ in range(3):
            listed = httpx.get(f"{base}/api/jobs", timeout=30).json()
            assert [(j["id"], j["status"]) for j in listed["jobs"]] == [(job["id"], "succeeded")]
            assert httpx.get(f"{base}/api/jobs/{job['id']}", timeout=30).json()["status"] == "succeeded"
            assert httpx.get(f"{base}/api/jobs/stats", timeout=30).json()["total"] == 1

    assert db.with_name(db.name + "-wal").exists()  # a stopped agent process leaves its WAL behind
    before = (db.read_bytes(), db.stat().st_mtime_ns)
    read_all()
    assert (db.read_bytes(), db.stat().st_mtime_ns) == before

    _close_like_a_stopped_agent(db)
    before_files = _files(queue_dir)
    read_all()
    assert _files(queue_dir) == before_files  # no -wal/-shm created, the database's bytes and mtime kept


def test_viewer_never_writes_a_running_agents_database(live_agent, live_viewer, tmp_path: Path) -> None:
    store = tmp_path / "store"
    agent = live_agent(store)
    job = agent.submit(command=["true"], workdir=str(tmp_path), name="quick")
    agent.wait_status(job["id"], "succeeded")
    db = store / fmt.AGENT_DIR / fmt.JOBS_DB_FILE
    before = (db.read_bytes(), db.stat().st_mtime_ns)
    base = live_viewer(store)
    for _ in range(3):
        assert httpx.get(f"{base}/api/jobs", timeout=30).json()["total"] == 1
    assert (db.read_bytes(), db.stat().st_mtime_ns) == before


def test_no_queue_is_an_empty_answer_with_a_hint_and_nothing_created(live_viewer, storage_root: Path) -> None:
    base = live_viewer(storage_root)
    listed = httpx.get(f"{base}/api/jobs", timeout=30)
    assert listed.status_code == 200
    body = listed.json()
    assert body["jobs"] == [] and body["agent"] is None and "runicorn agent" in body["hint"]
    assert httpx.get(f"{base}/api/jobs/stats", timeout=30).json()["agent"] is None
    assert httpx.get(f"{base}/api/jobs/0123456789ab", timeout=30).status_code == 404
    assert not (storage_root / fmt.AGENT_DIR).exists()


def test_config_names_the_agent_url_and_never_its_token(live_viewer, storage_root: Path, monkeypatch) -> None:
    monkeypatch.setenv("RUNICORN_AGENT_URL", "http://127.0.0.1:8100")
    monkeypatch.setenv("RUNICORN_AGENT_TOKEN", "s3cret-agent-token")
    base = live_viewer(storage_root)
    config = httpx.get(f"{base}/api/config", timeout=30)
    assert config.json()["agent_url"] == "http://127.0.0.1:8100"
    assert "s3cret-agent-token" not in config.text
    assert httpx.get(f"{base}/api/jobs/stats", timeout=30).json()["agent"] is None
