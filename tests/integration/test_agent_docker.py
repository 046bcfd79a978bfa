"""Jobs with an image, end to end: submitted over the agent's HTTP API, run by the Docker
executor in a real container engine (Podman's Docker API, tests/container_engine.py), each an
ordinary run in the host's storage root."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

pytest.importorskip("docker", reason="the docker package is not installed (pip install -e '.[dev]')")

from agent_server import wait_for  # noqa: E402
from bucket_cli import cli  # noqa: E402
from container_engine import ContainerEngine, container_engine  # noqa: E402, F401
from s3_server import S3Server  # noqa: E402

from runicorn import format as fmt  # noqa: E402
from runicorn.agent.executors.docker_engine import DockerExecutor  # noqa: E402
from runicorn.agent.executors.process import ProcessExecutor  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SDK_IN_IMAGE = {"PYTHONPATH": str(REPO)}  # the test image's runicorn, for a script calling rn.init
TRAIN = """\
import sys, time
import runicorn as rn
rn.init(config={"lr": 0.1})
for step in range(1, 4):
    rn.log({"loss": 1.0 / step})
print("trained in a container", flush=True)
if len(sys.argv) > 1:
    time.sleep(float(sys.argv[1]))
"""


def docker_agent(live_agent, engine: ContainerEngine, root: Path, **options):  # type: ignore[no-untyped-def]
    """An agent whose Docker executor runs the runicorn under test in running containers (its
    new containers get this Python, unless ``volumes`` says otherwise) and may mount the folders
    of the test (``root``'s parent)."""
    options.setdefault("allowed_workdirs", [str(root.parent)])
    options.setdefault("volumes", engine.host_python_volumes())
    executors = {
        "process": ProcessExecutor(),
        "docker": DockerExecutor(base_url=engine.url, runicorn_argv=engine.runicorn_argv(), **options),
    }
    return live_agent(root, executors=executors)


def test_an_image_job_submitted_over_http_becomes_an_ordinary_run(
    live_agent,
    container_engine: ContainerEngine,  # noqa: F811
    tmp_path: Path,
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "train.py").write_text(TRAIN)
    agent = docker_agent(live_agent, container_engine, tmp_path / "store")

    job = agent.submit(
        command=[sys.executable, "train.py"],
        project="boxes",
        name="mlp",
        workdir=str(work),
        image=container_engine.image,
        env=SDK_IN_IMAGE,
    )
    done = agent.wait_status(job["id"], "succeeded", "failed", timeout_s=60)

    assert done["status"] == "succeeded", (done, container_engine.report())
    runs = list((tmp_path / "store" / "boxes" / "mlp" / "runs").iterdir())
    assert len(runs) == 1
    events = (runs[0] / fmt.EVENTS_FILE).read_text()
    assert events.count('"loss"') == 3
    assert "trained in a container" in (runs[0] / fmt.LOGS_FILE).read_text()
    assert (fmt.read_json(runs[0] / fmt.STATUS_FILE) or {})["status"] == fmt.FINISHED


def test_a_job_in_a_plain_image_is_recorded_by_the_agent_through_the_engine(
    live_agent,
    container_engine: ContainerEngine,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Nothing of Python or Runicorn in the image, nothing of the host mounted in: the console,
    exit code, timeout and status are recorded on the agent's side."""
    work = tmp_path / "work"
    work.mkdir()
    agent = docker_agent(live_agent, container_engine, tmp_path / "store", volumes=[])
    plain = {"project": "plain", "workdir": str(work), "image": container_engine.plain_image}
    said = agent.submit(
        command=["sh", "-c", "echo hello from a plain image; ls /usr/bin/python3 || echo no python; exit 3"],
        name="hello",
        **plain,
    )
    slow = agent.submit(command=["sh", "-c", "echo waiting; sleep 60"], name="slow", timeout=2, **plain)

    done = agent.wait_status(said["id"], "failed", "succeeded", timeout_s=60)
    timed_out = agent.wait_status(slow["id"], "failed", "succeeded", timeout_s=60)

    assert (done["status"], done["exit_code"]) == ("failed", 3), (done, container_engine.report())
    (run,) = (tmp_path / "store" / "plain" / "hello" / "runs").iterdir()
    logs = (run / fmt.LOGS_FILE).read_text()
    assert "hello from a plain image" in logs and "no python" in logs
    status = fmt.read_json(run / fmt.STATUS_FILE) or {}
    assert (status["status"], status["exit_code"]) == (fmt.FAILED, 3)
    assert (fmt.read_json(run / fmt.META_FILE) or {})["command"][0] == "sh"  # the job's, not a wrapper's
    assert (timed_out["status"], timed_out["exit_code"]) == ("failed", 124), timed_out
    (slow_run,) = (tmp_path / "store" / "plain" / "slow" / "runs").iterdir()
    assert "waiting" in (slow_run / fmt.LOGS_FILE).read_text()
    assert (fmt.read_json(slow_run / fmt.STATUS_FILE) or {})["reason"] == fmt.TIMEOUT_REASON
    assert container_engine.podman("ps", "-aq", "--filter", "label=runicorn.agent").strip() == ""


def test_cancelling_a_running_image_job_stops_its_container_and_ends_the_run_interrupted(
    live_agent,
    container_engine: ContainerEngine,  # noqa: F811
    tmp_path: Path,
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "train.py").write_text(TRAIN)
    agent = docker_agent(live_agent, container_engine, tmp_path / "store")
    job = agent.submit(
        command=[sys.executable, "train.py", "600"],
        project="boxes",
        name="long",
        workdir=str(work),
        image=container_engine.image,
        env=SDK_IN_IMAGE,
    )
    runs = tmp_path / "store" / "boxes" / "long" / "runs"
    wait_for(
        lambda: any("trained in a container" in p.read_text() for p in runs.glob("*/" + fmt.LOGS_FILE)),
        timeout_s=60,
        what="the job to be training in its container",
    )

    running = agent.job(job["id"])
    assert running["status"] == "running" and running["container_id"], running  # the job view names it

    answer = agent.http.post(f"/api/jobs/{job['id']}/cancel")
    assert answer.status_code == 202, answer.text  # accepted: the container is being stopped
    done = agent.wait_status(job["id"], "cancelled", timeout_s=60)

    assert done["status"] == "cancelled"
    run = next(runs.iterdir())
    assert (fmt.read_json(run / fmt.STATUS_FILE) or {})["status"] == fmt.INTERRUPTED
    assert container_engine.podman("ps", "-q", "--filter", f"label=runicorn.job={job['id']}").strip() == ""


DUMP_ENV = (
    "import json, os; json.dump(dict(os.environ), open('env.json', 'w')); print('trained in a container')"
)


@pytest.mark.s3
def test_an_image_job_has_no_credentials_and_its_run_still_lands_in_the_bucket(
    live_agent,
    container_engine: ContainerEngine,  # noqa: F811
    s3_env: S3Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bucket = s3_env.new_bucket()
    monkeypatch.setenv("RUNICORN_SYNC_URL", f"s3://{bucket}/boxes")  # the agent's: every job syncs
    monkeypatch.setenv("RUNICORN_NOTIFY_SMTP_PASSWORD", "agent-smtp-password")
    monkeypatch.setenv("RUNICORN_AGENT_TOKEN", "agent-token-secret")
    for name, value in list(os.environ.items()):  # CA files of this machine (AWS_CA_BUNDLE...): the
        if value.startswith("/etc/"):  # test image's /etc is empty, and the recorder would not find them
            monkeypatch.delenv(name)
    work = tmp_path / "work"
    work.mkdir()
    # the host's network: the container reaches the S3 server on this machine's loopback
    agent = docker_agent(live_agent, container_engine, tmp_path / "store", network="host")

    job = agent.submit(
        command=[sys.executable, "-c", DUMP_ENV],
        project="boxes",
        name="synced",
        workdir=str(work),
        image=container_engine.image,
        env={"MY_SETTING": "on"},
    )
    done = agent.wait_status(job["id"], "succeeded", "failed", timeout_s=60)

    assert done["status"] == "succeeded", (done, container_engine.report())
    seen = json.loads((work / "env.json").read_text())
    secrets = [s3_env.env()["AWS_SECRET_ACCESS_KEY"], "agent-smtp-password", "agent-token-secret"]
    assert [k for k, v in seen.items() if any(s in v for s in secrets)] == []
    assert not [
        k for k in seen if k.startswith(("AWS_", "RUNICORN_NOTIFY_", "RUNICORN_SYNC_", "RUNICORN_RECORDER"))
    ]
    assert (seen["MY_SETTING"], seen["RUNICORN_AGENT_JOB"]) == ("on", job["id"])
    assert seen["HOME"] != os.environ["HOME"] or seen["PATH"] != os.environ["PATH"]  # the image's own
    pulled = cli("pull", f"s3://{bucket}/boxes", str(tmp_path / "pulled"))
    assert pulled.returncode == 0, pulled.stderr
    (run_dir,) = (tmp_path / "pulled").glob("boxes/synced/runs/*")
    assert fmt.read_json(run_dir / fmt.STATUS_FILE)["status"] == fmt.FINISHED
    assert not list((tmp_path / "store" / fmt.AGENT_DIR).rglob("*.recorder-env"))


def test_a_workdir_outside_the_allowed_folders_is_refused_at_submit(
    live_agent,
    container_engine: ContainerEngine,  # noqa: F811
    tmp_path: Path,
) -> None:
    allowed, elsewhere = tmp_path / "allowed", tmp_path / "elsewhere"
    (allowed / "code").mkdir(parents=True)
    elsewhere.mkdir()
    (allowed / "link").symlink_to(elsewhere)  # inside by its name, outside where it leads
    agent = docker_agent(live_agent, container_engine, tmp_path / "store", allowed_workdirs=[str(allowed)])

    for workdir in (elsewhere, allowed / "link", Path("/etc")):
        job = {"command": ["true"], "workdir": str(workdir), "image": container_engine.image}
        answer = agent.http.post("/api/jobs", json=job)
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"].startswith(
            f"workdir {workdir} lies outside the folders a container may mount"
        )
        assert "--allow-workdir" in answer.json()["hint"]
    assert agent.http.get("/api/jobs").json()["total"] == 0

    inside = agent.submit(command=["true"], workdir=str(allowed / "code"), image=container_engine.image)
    ended = agent.wait_status(inside["id"], "succeeded", "failed", timeout_s=60)
    assert ended["status"] == "succeeded", ended


def test_jobs_exec_only_in_containers_the_owner_allowed(
    live_agent,
    container_engine: ContainerEngine,  # noqa: F811
    tmp_path: Path,
) -> None:
    store, work = tmp_path / "store", tmp_path / "work"
    store.mkdir()
    work.mkdir()
    volumes = [*container_engine.host_python_volumes(), f"{store}:{store}", f"{work}:{work}"]
    client = container_engine.client
    plain = client.containers.run(container_engine.image, ["sleep", "600"], volumes=volumes, detach=True)
    labelled = client.containers.run(
        container_engine.image,
        ["sleep", "600"],
        volumes=volumes,
        detach=True,
        labels={"runicorn.agent": str(os.getuid())},
    )
    try:
        agent = docker_agent(live_agent, container_engine, store)
        job = {"command": ["sh", "-c", "echo hi > ran"], "workdir": str(work)}

        refused = agent.http.post("/api/jobs", json={**job, "container": plain.name})
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"] == f"container {plain.name} is not one this agent may exec jobs in"
        assert f"--label runicorn.agent={os.getuid()}" in refused.json()["hint"]
        assert f"--allow-container {plain.name}" in refused.json()["hint"]
        assert not (work / "ran").exists()

        accepted = agent.submit(**job, container=labelled.name)
        ended = agent.wait_status(accepted["id"], "succeeded", "failed", timeout_s=60)
        assert ended["status"] == "succeeded", ended
        assert (work / "ran").read_text() == "hi\n"
        agent.stop()

        listing = docker_agent(live_agent, container_engine, store, allowed_containers=[plain.name])
        listed = listing.submit(**job, container=plain.name)
        ended = listing.wait_status(listed["id"], "succeeded", "failed", timeout_s=60)
        assert ended["status"] == "succeeded", ended
    finally:
        plain.remove(force=True)
        labelled.remove(force=True)
