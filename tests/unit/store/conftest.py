"""Fixture runs for the store tests, written with the format contract's own functions."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from runicorn import format as fmt
from runicorn.files import write_json_atomic

RunWriter = Callable[..., Path]


@pytest.fixture
def storage(tmp_path: Path) -> Path:
    root = tmp_path / "storage"
    root.mkdir()
    return root


@pytest.fixture
def write_run(storage: Path) -> RunWriter:
    """``write_run(project, name, run_id, steps=3, status="finished", ...)`` -> the run folder."""

    def write(
        project: str = "p",
        name: str = "n",
        run_id: str | None = None,
        steps: int = 3,
        status: str | None = "finished",
        summary: dict[str, Any] | None = None,
        tags: list[str] | None = None,
        notes: str | None = None,
        created_at: float | None = None,
        heartbeat_at: float | None = None,
        folder: Path | None = None,
    ) -> Path:
        run_id = run_id or fmt.new_run_id()
        d = folder if folder is not None else fmt.run_dir(storage, project, name, run_id)
        d.mkdir(parents=True)
        now = time.time() if created_at is None else created_at
        meta: dict[str, Any] = {
            "id": run_id,
            "project": project,
            "name": name,
            "created_at": now,
            "hostname": "host-a",
            "tags": tags or [],
        }
        if notes is not None:
            meta["notes"] = notes
        write_json_atomic(d / fmt.META_FILE, meta)
        if status is not None:
            st: dict[str, Any] = {"status": status, "started_at": now}
            if status in fmt.FINAL_STATUSES:
                st["ended_at"] = now + 10
            if heartbeat_at is not None:
                st["heartbeat_at"] = heartbeat_at
            write_json_atomic(d / fmt.STATUS_FILE, st)
        if summary is not None:
            write_json_atomic(d / fmt.SUMMARY_FILE, summary)
        with open(d / fmt.EVENTS_FILE, "wb") as f:
            for s in range(steps):
                data = {"loss": 1.0 / (s + 1), fmt.STEP_KEY: s, fmt.TIME_KEY: now + s}
                f.write(fmt.encode_event(fmt.METRICS, data, now + s))
        return d

    return write
