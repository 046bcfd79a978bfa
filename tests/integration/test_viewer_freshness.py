"""A run started while the viewer sat idle is in the very next run list (docs/viewer.md#caching)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from runicorn.store.reader import StoreReader

IDLE_S = 1.5  # longer than the re-scan interval


def listed_ids(client: httpx.Client) -> set[str]:
    return {r["id"] for r in client.get("/api/runs", params={"limit": 1000}).json()["runs"]}


@pytest.mark.parametrize(
    ("project", "name"),
    [("demo", "exp1"), ("demo", "another"), ("fresh-project", "exp1")],
    ids=["same-experiment", "new-experiment", "new-project"],
)
def test_a_run_started_while_the_viewer_sat_idle_is_in_the_next_answer(
    storage_root: Path, live_viewer, make_run, project: str, name: str
) -> None:
    first = make_run(steps=3)
    base = live_viewer(storage_root)
    with httpx.Client(base_url=base, timeout=30) as client:
        assert first.id in listed_ids(client)
        time.sleep(IDLE_S)  # the viewer sits idle: nobody asks
        assert first.id in listed_ids(client)
        time.sleep(IDLE_S)
        started = make_run(project=project, name=name, steps=3, finish=False)
        assert started.id in listed_ids(client)


def test_an_idle_index_is_fresh_for_the_first_reader(storage_root: Path, make_run) -> None:
    reader = StoreReader(storage_root, refresh_interval_s=0.5)
    try:
        assert reader.index.runs() == []
        reader.index.wait_for_refresh(10)
        time.sleep(0.6)
        run = make_run(steps=2)
        assert [r.id for r in reader.index.runs()] == [run.id]
    finally:
        reader.close()
