"""A W&B run's custom x axis through the real viewer: ``x=<metric key>`` pairs each value with the
x metric of its row, or the latest one before it."""

from __future__ import annotations

from pathlib import Path

import httpx

import runicorn.wandb as wandb
from runicorn.wandb import session

QUIET = wandb.Settings(console="off", x_disable_stats=True)


def test_metrics_against_another_metric_as_x(tmp_path: Path, live_viewer) -> None:
    root = tmp_path / "storage"
    run = wandb.init(project="x", name="axes", dir=root, settings=QUIET)
    try:
        wandb.define_metric("val/acc", step_metric="epoch")
        for epoch in range(3):
            for _ in range(2):
                wandb.log({"train/loss": 1.0 / (epoch + 1)})
            wandb.log({"val/acc": 0.5 + epoch / 10, "epoch": epoch * 10})
        wandb.log({"train/loss": 0.1})  # after the last epoch: paired with epoch 20
    finally:
        wandb.finish()
        session.current = None
    base = live_viewer(root)
    answer = httpx.get(f"{base}/api/runs/{run.id}/metrics", params={"x": "epoch"}, timeout=30).json()
    assert answer["x"] == "epoch"
    assert answer["series"]["val/acc"]["x"] == [0, 10, 20]
    assert answer["series"]["val/acc"]["y"] == [0.5, 0.6, 0.7]
    loss = answer["series"]["train/loss"]  # the first two rows come before any epoch: left out
    assert loss["x"] == [0, 0, 10, 10, 20] and loss["y"] == [0.5, 0.5, 1 / 3, 1 / 3, 0.1]
    unknown = httpx.get(f"{base}/api/runs/{run.id}/metrics", params={"x": "nope"}, timeout=30)
    assert unknown.status_code == 400 and "a metric key of the run" in unknown.json()["error"]
    detail = httpx.get(f"{base}/api/runs/{run.id}", timeout=30).json()
    assert detail["meta"]["metrics"]["val/acc"]["step_metric"] == "epoch"
