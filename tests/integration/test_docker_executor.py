"""The Docker executor against a real container engine (Podman's Docker API, see
tests/container_engine.py), driven through the executor protocol as the job service drives it:
each attempt is a real ``runicorn run`` inside a container, recording an ordinary run into the
host's storage root (docs/agent.md#executors-docker)."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("docker", reason="the docker package is not installed (pip install -e '.[dev]')")

from container_engine import ContainerEngine, container_engine  # noqa: E402, F401

from runicorn import format as fmt  # noqa: E402
from runicorn.agent.executor import AttemptSpec, Handle, Poll  # noqa: E402
from runicorn.agent.executors.docker_engine import DockerExecutor  # noqa: E402
from runicorn.errors import RunicornError  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
TRAIN = """\
import runicorn as rn
run = rn.init(config={"lr": 0.1})
for step in range(1, 6):
    rn.log({"train/loss": 1.0 / step}, step=step)
print("trained in a container")
rn.finish()
"""


@pytest.fixture
def engine(container_engine: ContainerEngine) -> ContainerEngine:  # noqa: F811
    return container_engine


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    (work / "train.py").write_text(TRAIN)
    return work


@pytest.fixture
def executor(engine: ContainerEngine, tmp_path: Path) -> Iterator[Callable[..., DockerExecutor]]:
    """``executor(**options)``: a DockerExecutor of the test engine, its image starting the
    runicorn under test, allowed to mount the test's folders; a new one stands for an agent
    restarted with the handles it stored."""
    made: list[DockerExecutor] = []

    def make(**options: Any) -> DockerExecutor:
        options.setdefault("allowed_workdirs", [str(tmp_path)])
        made.append(
            DockerExecutor(
                base_url=engine.url,
                runicorn_argv=engine.runicorn_argv(),
                volumes=engine.host_python_volumes(),
                **options,
            )
        )
        return made[-1]

    yield make
    for ex in made:
        ex.close()


def attempt(
    storage: Path, workdir: Path, name: str, *command: str, job_id: str = "job1", **where: str
) -> AttemptSpec:
    """A `runicorn run` line as the job service writes it: the host's Python starts runicorn."""
    argv = [sys.executable, "-m", "runicorn.cli", "run", "--storage", str(storage), "--project", "jobs"]
    return AttemptSpec(
        job_id=job_id,
        attempt=1,
        argv=[*argv, "--name", name, "--", *command],
        workdir=str(workdir),
        env={
            "RUNICORN_SYSTEM_INTERVAL_S": "60",
            "PYTHONUNBUFFERED": "1",
            "RUNICORN_RUN_GRACE_S": "30",
            "PYTHONPATH": str(REPO),  # the image's runicorn, for a script calling rn.init
        },
        storage=str(storage),
        recorder_start_env={"PYTHONPATH": str(REPO)},  # the agent's: this tree's runicorn
        image=where.get("image"),
        container=where.get("container"),
    )


def wait_poll(ex: DockerExecutor, handle: Handle, engine: ContainerEngine, timeout_s: float = 40) -> Poll:
    """The first poll that is not `running`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        poll = ex.poll(handle)
        if poll.state != "running":
            return poll
        time.sleep(0.1)
    raise AssertionError(f"the attempt still runs after {timeout_s} s\n{engine.report()}")


def run_dir(storage: Path, name: str, engine: ContainerEngine, timeout_s: float = 30) -> Path:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = sorted((storage / "jobs" / name / "runs").glob("*/status.json"))
        if found:
            return found[0].parent
        time.sleep(0.05)
    raise AssertionError(f"no run of {name} under {storage}\n{engine.report()}")


def wait_for_log(folder: Path, text: str, engine: ContainerEngine, timeout_s: float = 30) -> None:
    logs = folder / fmt.LOGS_FILE
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if logs.exists() and text in logs.read_text(errors="replace"):
            return
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never appeared in {logs}\n{engine.report()}")


def status(folder: Path) -> dict[str, object]:
    return json.loads((folder / fmt.STATUS_FILE).read_text())


def containers_of(engine: ContainerEngine, job_id: str) -> list[object]:
    return engine.client.containers.list(all=True, filters={"label": f"runicorn.job={job_id}"})


@pytest.fixture
def long_lived(engine: ContainerEngine, storage_root: Path, workdir: Path) -> Iterator[object]:
    """A container started by hand, as a user keeps one: it sees the storage root and the code,
    and is labelled for the agent of this user (``runicorn.agent=<uid>``)."""
    volumes = [*engine.host_python_volumes(), f"{storage_root}:{storage_root}", f"{workdir}:{workdir}"]
    container = engine.client.containers.run(
        engine.image,
        ["sleep", "600"],
        volumes=volumes,
        detach=True,
        labels={"runicorn.agent": str(os.getuid())},
    )
    yield container
    container.remove(force=True)


def test_job_in_a_new_container_records_an_ordinary_run(
    engine: ContainerEngine, executor: Callable[..., DockerExecutor], storage_root: Path, workdir: Path
) -> None:
    ex = executor()
    handle = ex.start(attempt(storage_root, workdir, "train", sys.executable, "train.py", image=engine.image))

    poll = wait_poll(ex, handle, engine)

    assert poll == Poll("exited", exit_code=0), engine.report()
    folder = run_dir(storage_root, "train", engine)
    assert status(folder)["status"] == fmt.FINISHED
    assert json.loads((folder / fmt.CONFIG_FILE).read_text())["lr"] == 0.1
    events = (folder / fmt.EVENTS_FILE).read_text()
    assert events.count('"train/loss"') == 5
    assert "trained in a container" in (folder / fmt.LOGS_FILE).read_text()
    assert {p.stat().st_uid for p in folder.iterdir()} == {os.getuid()}
    assert containers_of(engine, "job1") == [], "the container is removed once its exit is told"


def test_the_command_runs_as_the_jobs_user_and_the_run_is_recorded_by_ours(
    engine: ContainerEngine, executor: Callable[..., DockerExecutor], storage_root: Path, workdir: Path
) -> None:
    workdir.chmod(0o777)
    ex = executor(user="4242:4242")
    handle = ex.start(
        attempt(storage_root, workdir, "owned", "sh", "-c", "echo hello > made.txt", image=engine.image)
    )

    assert wait_poll(ex, handle, engine) == Poll("exited", exit_code=0), engine.report()
    made = (workdir / "made.txt").stat()
    assert (made.st_uid, made.st_gid) == (4242, 4242)
    folder = run_dir(storage_root, "owned", engine)
    assert {p.stat().st_uid for p in [folder, *folder.iterdir()]} == {os.getuid()}  # the recorder's


def test_exit_code_of_the_command_is_the_attempts(
    engine: ContainerEngine, executor: Callable[..., DockerExecutor], storage_root: Path, workdir: Path
) -> None:
    ex = executor()
    handle = ex.start(attempt(storage_root, workdir, "three", "sh", "-c", "exit 3", image=engine.image))

    poll = wait_poll(ex, handle, engine)

    assert (poll.state, poll.exit_code) == ("exited", 3), engine.report()
    assert status(run_dir(storage_root, "three", engine))["status"] == fmt.FAILED


@pytest.mark.parametrize(
    ("command", "signal_name"),
    [
        ("trap 'exit 143' TERM; echo started; sleep 600 & wait", None),
        ("trap '' TERM; echo started; sleep 600", "SIGKILL"),
    ],
    ids=["stops-on-sigterm", "deaf-to-sigterm"],
)
def test_cancel_stops_the_container_and_the_run_ends_interrupted(
    engine: ContainerEngine,
    executor: Callable[..., DockerExecutor],
    storage_root: Path,
    workdir: Path,
    command: str,
    signal_name: str | None,
) -> None:
    ex = executor()
    handle = ex.start(attempt(storage_root, workdir, "long", "sh", "-c", command, image=engine.image))
    folder = run_dir(storage_root, "long", engine)
    wait_for_log(folder, "started", engine)
    assert ex.poll(handle).state == "running"

    ex.cancel(handle, grace_s=1)

    poll = ex.poll(handle)
    assert poll.state == "lost" or (poll.state == "exited" and poll.exit_code in (143, 137)), poll
    ended = status(folder)
    assert ended["status"] == fmt.INTERRUPTED, ended
    assert ended.get("signal") == (signal_name or "SIGTERM")


def test_a_stored_handle_still_polls_and_cancels_after_a_restart(
    engine: ContainerEngine, executor: Callable[..., DockerExecutor], storage_root: Path, workdir: Path
) -> None:
    spec = attempt(
        storage_root, workdir, "kept", "sh", "-c", "echo started; exec sleep 600", image=engine.image
    )
    first = executor()
    stored = json.dumps(dataclasses.asdict(first.start(spec)))

    restarted = executor()
    handle = Handle(**json.loads(stored))
    folder = run_dir(storage_root, "kept", engine)
    wait_for_log(folder, "started", engine)
    found = restarted.find(spec.job_id, spec.attempt)
    assert found is not None and found.ref["container"] == handle.ref["container"], "its labels find it again"
    assert restarted.poll(handle).state == "running"

    restarted.cancel(handle, grace_s=5)

    assert restarted.poll(handle).state in ("exited", "lost")
    assert status(folder)["status"] == fmt.INTERRUPTED
    first.poll(handle)  # the first agent's child, reaped (an agent restarted for real is gone)


def test_exec_in_a_running_container_records_runs_and_cancel_keeps_the_container(
    engine: ContainerEngine,
    executor: Callable[..., DockerExecutor],
    storage_root: Path,
    workdir: Path,
    long_lived: object,
) -> None:
    name = long_lived.name  # type: ignore[attr-defined]
    ex = executor()
    trained = ex.start(
        attempt(storage_root, workdir, "train", sys.executable, "train.py", job_id="a", container=name)
    )
    long = ex.start(
        attempt(
            storage_root,
            workdir,
            "long",
            "sh",
            "-c",
            "echo started; exec sleep 600",
            job_id="b",
            container=name,
        )
    )
    handle = Handle(**json.loads(json.dumps(dataclasses.asdict(long))))  # as stored by the job service

    assert wait_poll(ex, trained, engine) == Poll("exited", exit_code=0)
    folder = run_dir(storage_root, "train", engine)
    assert status(folder)["status"] == fmt.FINISHED
    assert (folder / fmt.EVENTS_FILE).read_text().count('"train/loss"') == 5

    long_folder = run_dir(storage_root, "long", engine)
    wait_for_log(long_folder, "started", engine)
    assert executor().poll(handle).state == "running"
    executor().cancel(handle, grace_s=5)

    assert executor().poll(handle) == Poll("exited", exit_code=143)
    assert status(long_folder)["status"] == fmt.INTERRUPTED
    long_lived.reload()  # type: ignore[attr-defined]
    assert long_lived.status == "running", "only the job is stopped, not the container"  # type: ignore[attr-defined]


def test_an_image_that_is_not_there_is_refused_with_a_hint(
    engine: ContainerEngine, executor: Callable[..., DockerExecutor], storage_root: Path, workdir: Path
) -> None:
    ex = executor()
    with pytest.raises(RunicornError) as err:
        ex.start(attempt(storage_root, workdir, "none", "true", image="localhost/no-such-image:1"))
    assert "image localhost/no-such-image:1 not found locally" in err.value.message
    assert "pull or build it first" in (err.value.hint or "")
    assert not list(storage_root.iterdir()), "no run is recorded"


def test_an_engine_that_does_not_answer_is_named_with_a_hint(tmp_path: Path, workdir: Path) -> None:
    socket = tmp_path / "no-engine.sock"
    ex = DockerExecutor(base_url=f"unix://{socket}")
    try:
        with pytest.raises(RunicornError) as err:
            ex.start(attempt(tmp_path, workdir, "none", "true", image="localhost/any:1"))
        assert f"cannot reach the container engine at unix://{socket}" in err.value.message
        assert "DOCKER_HOST" in (err.value.hint or "")
        with pytest.raises(RunicornError, match="cannot reach the container engine"):
            ex.poll(Handle("docker", {"container": "0123456789ab"}))
    finally:
        ex.close()
