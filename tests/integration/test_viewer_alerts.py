"""A run's alerts (``rn.alert``) as the viewer serves them: ``GET /api/runs/{key}/alerts`` on the
real viewer (docs/api.md#alerts); alert records are no malformed lines for the metric readers."""

from __future__ import annotations

from pathlib import Path

import httpx

from runicorn import format as fmt


def test_alerts_are_served_oldest_first_and_new_ones_appear(
    make_run, storage_root: Path, live_viewer
) -> None:
    run = make_run(steps=20, finish=False)
    run.alert("loss spiked", "loss 3.2 at step 20", level="warning")
    run.log({"train/loss": 0.1}, step=21)
    run.alert("diverged", level="ERROR")
    run.finish()

    base = live_viewer(storage_root)
    alerts = httpx.get(f"{base}/api/runs/{run.id}/alerts", timeout=30).json()
    assert [(a["title"], a["text"], a["level"], a["step"]) for a in alerts] == [
        ("loss spiked", "loss 3.2 at step 20", "warning", 20),
        ("diverged", "", "error", 21),
    ]
    assert all(isinstance(a["ts"], float) for a in alerts)
    detail = httpx.get(f"{base}/api/runs/{run.id}", timeout=30).json()
    assert detail["malformed_lines"] == 0 and "train/loss" in detail["metric_keys"]
    metrics = httpx.get(f"{base}/api/runs/{run.id}/metrics", params={"keys": "train/loss"}, timeout=30).json()
    assert metrics["malformed"] == 0

    with open(run.dir / fmt.EVENTS_FILE, "ab") as f:  # another writer's alert, appended later
        f.write(fmt.encode_event(fmt.ALERT, {"title": "later", "text": "", "level": "info", "step": 22}, 1.0))
    later = httpx.get(f"{base}/api/runs/{run.id}/alerts", timeout=30).json()
    assert [a["title"] for a in later] == ["loss spiked", "diverged", "later"]

    missing = httpx.get(f"{base}/api/runs/no_such_run/alerts", timeout=30)
    assert missing.status_code == 404 and missing.json()["status"] == 404
