"""Helpers for the runicorn.wandb tests: a clean W&B session per test, readers of what a run wrote."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import runicorn.wandb as wandb
from runicorn import format as fmt
from runicorn.wandb import session

QUIET = wandb.Settings(console="off", x_disable_stats=True)


@pytest.fixture(autouse=True)
def clean_session(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("PROJECT", "NAME", "RUN_ID", "NOTES", "TAGS", "RUN_GROUP", "JOB_TYPE", "DIR", "MODE"):
        monkeypatch.delenv(f"WANDB_{name}", raising=False)
        monkeypatch.delenv("WANDB_RESUME", raising=False)
    yield
    if session.current is not None:
        session.current.finish()


def rows(run: Any) -> list[dict[str, Any]]:
    """The metrics rows of a run's events.jsonl, each with its step under ``_step``."""
    out = []
    for line in (Path(run.sync_dir) / fmt.EVENTS_FILE).read_bytes().splitlines():
        record = fmt.decode_event(line)
        if record is not None and record.get("type") == fmt.METRICS:
            data = dict(record["data"])
            data["_step"] = data.pop(fmt.STEP_KEY)
            data.pop(fmt.TIME_KEY, None)
            out.append(data)
    return out


def events(run: Any) -> list[dict[str, Any]]:
    """Every record of a run's events.jsonl."""
    lines = (Path(run.sync_dir) / fmt.EVENTS_FILE).read_bytes().splitlines()
    return [r for r in map(fmt.decode_event, lines) if r is not None]


def read(run: Any, file_name: str) -> Any:
    """A JSON file of the run (summary.json: its values, the writer's note left out)."""
    value = json.loads((Path(run.sync_dir) / file_name).read_text())
    return fmt.split_summary(value)[0] if file_name == fmt.SUMMARY_FILE else value
