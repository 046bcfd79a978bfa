"""What the Docker executor asks the engine for, for one attempt (docs/agent.md#executors-docker):
the command the image runs, its mounts, user and labels, and GPUs only when the job has some."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("docker", reason="the docker package is not installed (pip install -e '.[dev]')")

from runicorn.agent.executor import AttemptSpec  # noqa: E402
from runicorn.agent.executors.docker_engine import container_argv, container_options  # noqa: E402
from runicorn.errors import RunicornError  # noqa: E402
from runicorn.launch.container_command import create_options  # noqa: E402

RUN = ["run", "--storage", "/data/runs", "--", "python", "train.py", "run"]


def spec(gpus: tuple[int, ...] = (), workdir: str | None = "/home/ada/code") -> AttemptSpec:
    return AttemptSpec(
        job_id="7f3a",
        attempt=2,
        argv=["/opt/venv/bin/python", "-m", "runicorn.cli", *RUN],
        workdir=workdir,
        env={"CUDA_VISIBLE_DEVICES": ",".join(map(str, gpus)), "RUNICORN_RESUME_FROM": "abc"},
        storage="/data/runs",
        gpus=gpus,
        image="localhost/train:1",
    )


@pytest.mark.parametrize(
    "launcher",
    [
        ["/opt/venv/bin/python", "-m", "runicorn.cli"],
        ["python3", "-m", "runicorn"],
        ["/usr/local/bin/runicorn"],
    ],
)
def test_the_hosts_launcher_becomes_the_images_runicorn(launcher: list[str]) -> None:
    assert container_argv([*launcher, *RUN], ["runicorn"]) == ["runicorn", *RUN]


def test_a_line_that_is_not_runicorn_run_is_refused() -> None:
    with pytest.raises(RunicornError, match="not a `runicorn run` command line"):
        container_argv(["python", "train.py", "run"], ["runicorn"])


def test_storage_root_and_workdir_are_mounted_at_the_same_paths_and_labels_name_the_attempt() -> None:
    options = container_options(spec(), "1000:1000", ["/datasets:/datasets:ro"])

    assert options["command"] == ["python", "train.py", "run"]  # the job's own: nothing of runicorn
    assert (options["name"], options["tty"]) == ("runicorn-7f3a-2", True)
    assert options["volumes"] == [
        "/data/runs:/data/runs:rw",
        "/home/ada/code:/home/ada/code:rw",
        "/datasets:/datasets:ro",
    ]
    assert options["working_dir"] == "/home/ada/code"
    assert options["user"] == "1000:1000"
    assert options["labels"] == {
        "runicorn.job": "7f3a",
        "runicorn.attempt": "2",
        "runicorn.agent": str(os.getuid()),  # the agent's own: it may exec jobs in them
    }
    assert options["environment"]["RUNICORN_RESUME_FROM"] == "abc"


def test_a_workdir_inside_the_storage_root_is_not_mounted_twice() -> None:
    options = container_options(spec(workdir="/data/runs/code"), "0:0", [])
    assert options["volumes"] == ["/data/runs:/data/runs:rw"]


def test_without_gpus_nothing_gpu_related_is_requested() -> None:
    options = container_options(spec(), "0:0", [])
    assert "device_requests" not in create_options({"options": options, "gpus": []}, ["true"], {})
    assert options["environment"]["CUDA_VISIBLE_DEVICES"] == ""


def test_gpus_are_requested_by_id_and_numbered_from_zero_inside() -> None:
    options = container_options(spec(gpus=(2, 5)), "0:0", [])
    created = create_options({"options": options, "gpus": [2, 5]}, ["true"], options["environment"])

    [request] = created["device_requests"]
    assert request["DeviceIDs"] == ["2", "5"]
    assert request["Capabilities"] == [["gpu"]]
    assert options["environment"]["CUDA_VISIBLE_DEVICES"] == "0,1"
