"""The job spec: stored with the job as JSON, and read back as the scheduler needs it, also
from a job an earlier agent queued (docs/agent.md#jobs)."""

from __future__ import annotations

from pathlib import Path

import orjson

from runicorn.agent.job_spec import JobSpec
from runicorn.agent.queue import JobQueue


def test_a_spec_comes_back_from_the_queue_as_it_went_in(tmp_path: Path) -> None:
    queue = JobQueue(tmp_path)
    spec = JobSpec(
        command=("python", "train.py"),
        project="vision",
        name="resnet",
        tags=("best",),
        workdir=str(tmp_path),
        env={"HF_HOME": "/cache"},
        gpus=(1, 0),
        executor="process",
        timeout=90.0,
        retry_delay=5.0,
        requires=("data/train",),
    )
    job_id = queue.submit(spec, 2, None)
    queued = queue.one(job_id)
    assert queued is not None and queued.spec == spec and queued.gpus_wanted == 2
    shown = queue.job(job_id)
    assert shown is not None
    assert (shown["command"], shown["gpus"], shown["executor"], shown["requires"]) == (
        ["python", "train.py"],
        2,
        "process",
        ["data/train"],
    )
    queue.close()


def test_a_spec_stored_by_an_earlier_agent_takes_the_defaults() -> None:
    old = JobSpec.from_json(orjson.loads('{"command": ["true"], "image": "ubuntu"}'), "p", "n")
    assert old == JobSpec(("true",), "p", "n", image="ubuntu", executor="docker")
    assert JobSpec.from_json({"command": ["true"]}, "p", "n").executor == "process"
