"""Guest mode: ``rn.init`` in a command started by ``runicorn run`` (runicorn/sdk/guest.py,
docs/run.md#scripts-that-call-rninit)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

import runicorn
from runicorn import format as fmt
from runicorn import settings
from runicorn.sdk import guest
from runicorn.sdk.guest import GuestRun
from runicorn.sdk.guest_pipe import GUEST_EVENT_LINE, GUEST_LOG_LINE
from runicorn.sdk.run import Run
from runicorn.sdk.sink import RunRequest


@pytest.fixture
def owner(storage_root: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """The wrapper's run, and this process set up as the command it hands the run to."""
    run = Run(
        settings.resolve(storage=storage_root),
        RunRequest("p", "n", capture_console=False, system_metrics=False),
    )
    monkeypatch.setattr(guest, "_claimed", None)
    monkeypatch.setenv(fmt.RUN_DIR_ENV, str(run.dir))
    monkeypatch.setenv(fmt.RUN_ID_ENV, run.id)
    yield run
    run.finish()


def hand_off(monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    read_fd, write_fd = os.pipe()
    monkeypatch.setenv(fmt.EVENTS_FD_ENV, str(write_fd))
    return read_fd, write_fd


def test_a_guest_sends_its_lines_down_the_pipe_and_leaves_the_status_alone(
    owner: Run, storage_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_fd, write_fd = hand_off(monkeypatch)
    run = runicorn.init(project="x", name="y", storage=storage_root, config={"lr": 0.1})
    assert isinstance(run, GuestRun) and run.dir == owner.dir
    assert fmt.EVENTS_FD_ENV not in os.environ  # programs it starts record runs of their own
    run.log({"loss": 0.5})
    run.log_text("note")
    run.finish()
    sent = os.read(read_fd, 65536).splitlines()
    os.close(read_fd)
    os.close(write_fd)
    assert [line[:1] for line in sent] == [GUEST_EVENT_LINE, GUEST_LOG_LINE]
    assert (fmt.decode_event(sent[0][1:]) or {})["data"]["loss"] == 0.5
    assert (fmt.read_json(owner.dir / fmt.STATUS_FILE) or {})["status"] == fmt.RUNNING
    assert (fmt.read_json(owner.dir / fmt.CONFIG_FILE) or {}) == {"lr": 0.1}
    assert sorted(storage_root.glob(f"*/*/{fmt.RUNS_DIR}/*")) == [owner.dir]


def test_a_guest_whose_wrapper_is_gone_warns_once_and_keeps_training(
    owner: Run, storage_root: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    read_fd, write_fd = hand_off(monkeypatch)
    os.close(read_fd)  # the wrapper died
    run = runicorn.init(project="x", name="y", storage=storage_root)
    with caplog.at_level(logging.WARNING, logger="runicorn"):
        for step in range(3):
            run.log({"loss": 1.0 / (step + 1)})
            run.flush()
        run.finish()
    os.close(write_fd)
    assert len([r for r in caplog.records if "cannot send events" in r.getMessage()]) == 1
