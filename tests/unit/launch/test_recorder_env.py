"""The agent's settings for a job's recorder, handed over in a 0600 file that the command never
sees (docs/agent.md#job-environment)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from runicorn.launch.recorder_env import RECORDER_ENV, take_recorder_env, write_recorder_env


def test_the_recorder_takes_the_file_and_the_command_gets_what_the_recorder_was_started_with(
    tmp_path: Path,
) -> None:
    handed = tmp_path / "job.1.recorder-env"
    agent = {"AWS_SECRET_ACCESS_KEY": "k", "RUNICORN_SYNC_URL": "s3://agent/x", "PYTHONPATH": "/agent"}
    old = os.umask(0)
    try:
        write_recorder_env(handed, agent, recorder_only=["PYTHONPATH"])
    finally:
        os.umask(old)
    assert stat.S_IMODE(handed.stat().st_mode) == 0o600
    started = {
        "PATH": "/usr/bin",
        "RUNICORN_SYNC_URL": "s3://job/y",
        "PYTHONPATH": "/agent",
        RECORDER_ENV: str(handed),
    }

    taken = take_recorder_env(started)

    assert taken is not None and taken.problem is None
    assert taken.env == {"PATH": "/usr/bin", "RUNICORN_SYNC_URL": "s3://job/y"}  # the command's
    assert started == {  # the recorder's own: the file's, under what it was started with
        "PATH": "/usr/bin",
        "RUNICORN_SYNC_URL": "s3://job/y",
        "PYTHONPATH": "/agent",
        "AWS_SECRET_ACCESS_KEY": "k",
    }
    assert not handed.exists()


def test_without_the_variable_nothing_changes() -> None:
    environ = {"PATH": "/usr/bin"}
    assert take_recorder_env(environ) is None and environ == {"PATH": "/usr/bin"}


@pytest.mark.parametrize("kind", ["missing", "readable by others", "a link"])
def test_a_file_that_is_not_the_agents_own_is_neither_read_nor_deleted(tmp_path: Path, kind: str) -> None:
    real = tmp_path / "real"
    write_recorder_env(real, {"AWS_SECRET_ACCESS_KEY": "k"})
    named = tmp_path / "named"
    if kind == "readable by others":
        real.chmod(0o644)
        named = real
    elif kind == "a link":
        named.symlink_to(real)
    environ = {"PATH": "/usr/bin", RECORDER_ENV: str(named)}

    taken = take_recorder_env(environ)

    assert (
        taken is not None
        and taken.problem
        and taken.problem.startswith(f"cannot read the agent's settings from {named}")
    )
    assert environ == {"PATH": "/usr/bin"} and taken.env == {"PATH": "/usr/bin"}
    assert real.exists()
