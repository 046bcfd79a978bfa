"""Job input the agent cannot run is refused when it is submitted, with a 400 saying what is wrong
(never accepted to sit in the queue); a job that cannot start ends failed with the reason
(docs/agent.md#a-refused-submit)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from agent_server import wait_for


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"env": {"1ST": "x"}}, "env '1ST': not an environment variable name"),
        ({"env": {"A-B": "x"}}, "env 'A-B': not an environment variable name"),
        ({"env": {"A=B": "x"}}, "env 'A=B': not an environment variable name"),
        ({"env": {"A;touch x": "x"}}, "not an environment variable name"),
        ({"env": {"": "x"}}, "env '': not an environment variable name"),
        ({"env": {"RUNICORN_RECORDER_ENV": "/etc/passwd"}}, "env RUNICORN_RECORDER_ENV: set by the agent"),
        ({"command": ["echo", "a\x00b"]}, "command[1]: holds a NUL byte"),
        ({"command": "echo a\x00b", "shell": True}, "command: holds a NUL byte"),
        ({"env": {"A": "x\x00y"}}, "env['A']: holds a NUL byte"),
        ({"env": {"A\x00B": "x"}}, "holds a NUL byte"),
        ({"name": "exp\x001"}, "name: holds a NUL byte"),
        ({"project": "p\x00"}, "project: holds a NUL byte"),
        ({"tags": ["ok", "t\x00"]}, "tags[1]: holds a NUL byte"),
        ({"requires": ["data\x00"]}, "requires[0]: holds a NUL byte"),
        ({"resume_from": "ckpt\x00.pt"}, "resume_from: holds a NUL byte"),
        ({"executor": "kubernetes"}, "unknown executor 'kubernetes'"),
        ({"name": "exp\n"}, "name 'exp\\n' cannot name a folder"),
    ],
)
def test_bad_job_input_is_refused_at_submit_with_what_is_wrong(
    live_agent, tmp_path: Path, change: dict[str, object], said: str
) -> None:
    agent = live_agent(tmp_path / "store")
    job = {"command": ["true"], "workdir": str(tmp_path), **change}

    answer = agent.http.post("/api/jobs", json=job)

    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert said in body["error"] and body["hint"], body
    assert agent.http.get("/api/jobs").json()["total"] == 0  # nothing was queued


def test_a_nul_byte_in_a_workdir_or_a_project_is_refused(live_agent, tmp_path: Path) -> None:
    agent = live_agent(tmp_path / "store")
    job = agent.http.post("/api/jobs", json={"command": ["true"], "workdir": f"{tmp_path}\x00/x"})
    assert job.status_code == 400 and job.json()["error"] == "workdir: holds a NUL byte", job.text
    project = agent.http.post(
        "/api/projects", json={"name": "cls", "workdir": str(tmp_path), "owner": "a\x00"}
    )
    assert project.status_code == 400 and project.json()["error"] == "owner: holds a NUL byte", project.text
    agent.http.post("/api/projects", json={"name": "cls", "workdir": str(tmp_path)}).raise_for_status()
    run = agent.http.post("/api/projects/cls/runs", json={"start_command": "true", "env": {"B\x00": "1"}})
    assert run.status_code == 400 and "holds a NUL byte" in run.json()["error"], run.text


def test_gpu_indices_the_agent_does_not_manage_are_refused(live_agent, tmp_path: Path) -> None:
    from fake_nvml import FakeGpu, FakeNvml

    agent = live_agent(tmp_path / "store", nvml=FakeNvml(FakeGpu(), FakeGpu()))
    answer = agent.http.post(
        "/api/jobs", json={"command": ["true"], "workdir": str(tmp_path), "gpus": [1, 7]}
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "gpus [1, 7]: [7] are not GPUs this agent manages (0, 1)"
    twice = agent.http.post("/api/jobs", json={"command": ["true"], "workdir": str(tmp_path), "gpus": [0, 0]})
    assert twice.status_code == 400 and "an index is named twice" in twice.json()["error"], twice.text


def test_a_job_whose_program_does_not_exist_fails_with_the_reason(live_agent, tmp_path: Path) -> None:
    agent = live_agent(tmp_path / "store")
    job = agent.submit(command=["no-such-program-3f9", "--fast"], workdir=str(tmp_path))

    done = agent.wait_status(job["id"], "failed", "succeeded", "cancelled")

    assert done["status"] == "failed"
    assert "command not found: no-such-program-3f9" in done["error"], done["error"]


def test_a_job_whose_workdir_is_gone_when_it_starts_fails_with_the_reason(live_agent, tmp_path: Path) -> None:
    agent = live_agent(tmp_path / "store", max_parallel=1)
    blocker = agent.submit(
        command=["sh", "-c", "while [ ! -e release ]; do sleep 0.05; done"], workdir=str(tmp_path)
    )
    doomed = tmp_path / "doomed"
    doomed.mkdir()
    job = agent.submit(command=["true"], workdir=str(doomed))
    wait_for(lambda: agent.job(blocker["id"])["status"] == "running", what="the first job to run")
    shutil.rmtree(doomed)
    (tmp_path / "release").touch()

    done = agent.wait_status(job["id"], "failed", "succeeded", "cancelled")

    assert done["status"] == "failed"
    assert f"cannot start job {job['id']} in {doomed}: No such file or directory" in done["error"], done
