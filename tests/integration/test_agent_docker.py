"""Jobs with an image, end to end: submitted over the agent's HTTP API, run by the Docker
executor in a real container engine (Podman's Docker API, tests/container_engine.py), each an
ordinary run in the host's storage root."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("docker", reason="the docker package is not installed (pip install -e '.[dev]')")

from agent_server import wait_for  # noqa: E402
from container_engine import ContainerEngine, container_engine  # noqa: E402, F401

from runicorn import format as fmt  # noqa: E402
from runicorn.agent.executors.docker_engine import DockerExecutor  # noqa: E402
from runicorn.agent.executors.process import ProcessExecutor  # noqa: E402

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


def docker_agent(live_agent, engine: ContainerEngine, root: Path):  # type: ignore[no-untyped-def]
    executors = {
        "process": ProcessExecutor(),
        "docker": DockerExecutor(
            base_url=engine.url, runicorn_argv=engine.runicorn_argv(), volumes=engine.host_python_volumes()
        ),
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
    )
    done = agent.wait_status(job["id"], "succeeded", "failed", timeout_s=60)

    assert done["status"] == "succeeded", (done, container_engine.report())
    runs = list((tmp_path / "store" / "boxes" / "mlp" / "runs").iterdir())
    assert len(runs) == 1
    events = (runs[0] / fmt.EVENTS_FILE).read_text()
    assert events.count('"loss"') == 3
    assert "trained in a container" in (runs[0] / fmt.LOGS_FILE).read_text()
    assert (fmt.read_json(runs[0] / fmt.STATUS_FILE) or {})["status"] == fmt.FINISHED


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
