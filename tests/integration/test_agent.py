"""``runicorn agent`` as a user meets it: a real service on loopback, real ``runicorn run``
attempts in process groups of their own, two fake GPUs (docs/agent.md)."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from agent_server import wait_for
from fake_nvml import FakeGpu, FakeNvml

WAIT_FOR_RELEASE = "while [ ! -e release ]; do sleep 0.05; done"


def two_gpus() -> FakeNvml:
    return FakeNvml(FakeGpu(), FakeGpu())


def test_third_gpu_job_waits_until_a_gpu_is_free(live_agent, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    agent = live_agent(tmp_path / "store", nvml=two_gpus())
    script = f'echo "$CUDA_VISIBLE_DEVICES" > gpu_$N; {WAIT_FOR_RELEASE}'
    ids = [
        agent.submit(
            command=["sh", "-c", script], gpus=1, workdir=str(work), env={"N": str(i)}, name=f"j{i}"
        )["id"]
        for i in range(3)
    ]
    wait_for(lambda: (work / "gpu_0").exists() and (work / "gpu_1").exists(), what="two jobs on the GPUs")
    jobs = [agent.job(i) for i in ids]
    assert [j["status"] for j in jobs] == ["running", "running", "pending"]
    assert sorted(j["gpu_ids"][0] for j in jobs[:2]) == [0, 1]
    assert {(work / f"gpu_{i}").read_text().strip() for i in range(2)} == {"0", "1"}
    (work / "release").touch()
    done = [agent.wait_status(i, "succeeded") for i in ids]
    assert done[2]["gpu_ids"][0] in (0, 1)
    assert (work / "gpu_2").read_text().strip() == str(done[2]["gpu_ids"][0])


def test_cpu_job_does_not_wait_for_gpus(live_agent, tmp_path: Path) -> None:
    agent = live_agent(tmp_path / "store", nvml=two_gpus())
    holders = [
        agent.submit(command=["sh", "-c", WAIT_FOR_RELEASE], gpus=1, workdir=str(tmp_path)) for _ in range(2)
    ]
    cpu = agent.submit(command=["sh", "-c", 'echo "[$CUDA_VISIBLE_DEVICES]"'], gpus=0, workdir=str(tmp_path))
    done = agent.wait_status(cpu["id"], "succeeded", "failed")
    assert (done["status"], done["gpu_ids"]) == ("succeeded", []), done
    (tmp_path / "release").touch()
    for job in holders:
        agent.wait_status(job["id"], "succeeded")


def test_job_that_fails_twice_then_succeeds_is_one_run_of_three_attempts(live_agent, tmp_path: Path) -> None:
    agent = live_agent(tmp_path / "store")
    script = 'n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; [ "$n" -ge 3 ]'
    job = agent.submit(command=["sh", "-c", script], workdir=str(tmp_path), max_retries=2, name="flaky")
    done = agent.wait_status(job["id"], "succeeded", "failed")
    assert (done["status"], done["attempts"], done["exit_code"]) == ("succeeded", 3, 0)
    runs = list((tmp_path / "store").glob("*/flaky/runs/*"))
    assert [r.name for r in runs] == [job["run_id"]]
    assert done["run_status"] == "finished"


def test_retries_run_out_and_the_job_fails(live_agent, tmp_path: Path) -> None:
    agent = live_agent(tmp_path / "store")
    job = agent.submit(command=["sh", "-c", "exit 3"], workdir=str(tmp_path), max_retries=1)
    done = agent.wait_status(job["id"], "failed")
    assert (done["attempts"], done["exit_code"], done["error"]) == (2, 3, "exit code 3")


def test_timeout_fails_the_job_with_exit_124(live_agent, tmp_path: Path) -> None:
    agent = live_agent(tmp_path / "store")
    job = agent.submit(command=["sleep", "30"], workdir=str(tmp_path), timeout=1)
    done = agent.wait_status(job["id"], "failed")
    assert done["exit_code"] == 124
    assert "timed out" in done["error"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X")


def test_cancel_pending_never_starts_and_cancel_running_stops_its_processes(
    live_agent, tmp_path: Path
) -> None:
    agent = live_agent(tmp_path / "store", max_parallel=1, grace_s=1.0)
    running = agent.submit(
        command=["sh", "-c", "echo $$ > pid; sleep 60 & echo $! > child; wait"], workdir=str(tmp_path)
    )
    pending = agent.submit(command=["sh", "-c", "touch started"], workdir=str(tmp_path))
    wait_for(
        lambda: (tmp_path / "child").exists() and (tmp_path / "child").read_text().strip(),
        what="the job's pids",
    )
    pids = [int((tmp_path / name).read_text()) for name in ("pid", "child")]
    assert agent.http.post(f"/api/jobs/{pending['id']}/cancel").json()["cancel"] == "cancelled"
    assert agent.http.post(f"/api/jobs/{running['id']}/cancel").status_code == 202
    done = agent.wait_status(running["id"], "cancelled")
    assert done["cancel_requested"] is True
    wait_for(lambda: not any(_alive(p) for p in pids), 10, "the job's processes to end")
    assert agent.job(pending["id"])["status"] == "cancelled"
    assert agent.job(pending["id"])["attempts"] == 0
    assert not (tmp_path / "started").exists()
    assert agent.http.post(f"/api/jobs/{pending['id']}/cancel").status_code == 409


RESUMABLE = textwrap.dedent(
    """
    import runicorn as rn
    rn.init()
    with open("resumed_from", "a") as f:
        f.write(f"{rn.resume_checkpoint()}\\n")
    rn.log({"loss": 0.5}, step=7)
    rn.log_checkpoint("ckpt-7.pt")
    rn.finish()
    """
)


def test_resume_starts_again_from_the_latest_checkpoint(live_agent, tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(RESUMABLE)
    agent = live_agent(tmp_path / "store")
    job = agent.submit(command=[sys.executable, "train.py"], workdir=str(tmp_path), name="train")
    first = agent.wait_status(job["id"], "succeeded", "failed")
    assert first["status"] == "succeeded", first
    ckpt = str(tmp_path / "ckpt-7.pt")
    assert first["checkpoints"] == [{"ts": first["checkpoints"][0]["ts"], "path": ckpt, "step": 7}]
    assert first["metrics"] == {"loss": 0.5}
    answer = agent.http.post(f"/api/jobs/{job['id']}/resume", json={})
    assert answer.status_code == 202, answer.text
    assert answer.json()["resume_from"] == ckpt
    second = agent.wait_status(job["id"], "succeeded", timeout_s=30)
    assert second["attempts"] == 2
    assert (tmp_path / "resumed_from").read_text().splitlines() == ["None", ckpt]
    assert len(list((tmp_path / "store").glob("*/train/runs/*"))) == 1  # the same run, continued


def test_many_clients_submitting_at_once_record_each_job_once(live_agent, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    agent = live_agent(tmp_path / "store")

    def client(k: int) -> list[str]:
        with httpx.Client(base_url=agent.url, timeout=30, headers=agent.auth) as http:
            out = []
            for i in range(k * 13, min(100, (k + 1) * 13)):
                body = {
                    "command": ["true"],
                    "name": f"job{i}",
                    "workdir": str(tmp_path),
                    "requires": ["gate"],
                }
                answer = http.post("/api/jobs", json=body)
                assert answer.status_code == 201, answer.text
                out.append(answer.json()["id"])
            return out

    with ThreadPoolExecutor(8) as pool:
        ids = [i for chunk in pool.map(client, range(8)) for i in chunk]
    listed = agent.http.get("/api/jobs", params={"limit": 1000}).json()
    assert listed["total"] == 100 == len(set(ids))
    assert sorted(j["name"] for j in listed["jobs"]) == sorted(f"job{i}" for i in range(100))
    assert {j["status"] for j in listed["jobs"]} == {"pending"}  # waiting for "gate" to exist
    assert agent.http.get("/api/stats").json()["counts"]["pending"] == 100
    wait_for(
        lambda: (
            {j["waiting_for"] for j in agent.http.get("/api/jobs", params={"limit": 1000}).json()["jobs"]}
            == {"requires gate"}
        ),
        what="every job to say what it waits for",
    )


def test_bad_jobs_are_refused_with_what_is_wrong(live_agent, tmp_path: Path) -> None:
    agent = live_agent(tmp_path / "store")
    http = agent.http
    unknown = http.post("/api/jobs", json={"command": ["true"], "workdir": str(tmp_path), "gpu": 1})
    assert unknown.status_code == 422 and "gpu" in unknown.json()["error"]
    escaping = http.post(
        "/api/jobs", json={"command": ["true"], "workdir": str(tmp_path), "requires": ["../x"]}
    )
    assert escaping.status_code == 400 and "outside the workdir" in escaping.json()["error"]
    too_many = http.post("/api/jobs", json={"command": ["true"], "workdir": str(tmp_path), "gpus": 1})
    assert too_many.status_code == 400 and "manages 0" in too_many.json()["error"]
    image = http.post(
        "/api/jobs",
        json={"command": ["true"], "workdir": str(tmp_path), "image": "alpine", "executor": "process"},
    )
    assert image.status_code == 400 and "a process job runs a command, not a container image" in image.text
    assert '"executor": "docker"' in image.json()["hint"]  # refused at submit, not when it starts
    project = {
        "name": "cls",
        "workdir": str(tmp_path),
        "dataset": "data/train",
        "training_config": "cfg.yaml",
    }
    assert http.post("/api/projects", json=project).status_code == 201
    assert http.post("/api/projects", json=project).status_code == 400  # names are unique
    (tmp_path / "cfg.yaml").write_text("lr: 0.1\n")
    missing = http.post("/api/projects/cls/runs", json={"start_command": "echo go"})
    assert missing.status_code == 400
    assert "dataset data/train" in missing.json()["error"] and "cfg.yaml" not in missing.json()["error"]
    (tmp_path / "data" / "train").mkdir(parents=True)
    started = http.post("/api/projects/cls/runs", json={"start_command": "echo go"})
    assert started.status_code == 201 and started.json()["project"] == "cls"
    assert agent.wait_status(started.json()["id"], "succeeded")["last_log_lines"]


def test_foreign_page_cannot_submit_and_token_is_required(live_agent, tmp_path: Path) -> None:
    agent = live_agent(tmp_path / "store", token="s3cret-token")
    body = {"command": ["true"], "workdir": str(tmp_path)}
    auth = {"Authorization": "Bearer s3cret-token"}
    with httpx.Client(base_url=agent.url, timeout=30) as anyone:
        assert anyone.get("/api/jobs").status_code == 401
        assert anyone.post("/api/jobs", json=body).status_code == 401
        assert anyone.get("/api/jobs", params={"token": "s3cret-token"}).status_code == 401  # Bearer only
        foreign = anyone.post("/api/jobs", json=body, headers={**auth, "Origin": "https://evil.example"})
        assert foreign.status_code == 403
        assert anyone.get("/api/jobs", headers=auth).json()["total"] == 0
        assert anyone.post("/api/jobs", json=body, headers=auth).status_code == 201


def test_the_agent_app_cannot_be_made_without_a_token(tmp_path: Path) -> None:
    from runicorn.agent.app import create_agent_app
    from runicorn.agent.service import Agent, AgentOptions
    from runicorn.errors import ConfigError

    agent = Agent.open(tmp_path / "store", AgentOptions(gpus="none"))
    try:
        with pytest.raises(TypeError):
            create_agent_app(agent)  # type: ignore[call-arg]
        with pytest.raises(ConfigError):
            create_agent_app(agent, token="")
    finally:
        agent.close()
