"""A W&B run's charts in a real chromium: drawn against its define_metric step_metric by default,
and against step, time, elapsed or any logged metric on request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

import runicorn.wandb as wandb
from runicorn.wandb import session

pytestmark = pytest.mark.browser


def test_charts_default_to_the_step_metric_and_the_axis_can_be_changed(
    storage_root: Path, open_ui: Any
) -> None:
    run = wandb.init(
        project="x",
        name="axes",
        dir=storage_root,
        settings=wandb.Settings(console="off", x_disable_stats=True),
    )
    try:
        wandb.define_metric("epoch")
        wandb.define_metric("val/*", step_metric="epoch")
        for epoch in range(4):
            for _ in range(5):
                wandb.log({"train/loss": 1.0 / (epoch + 1)})
            wandb.log({"val/acc": 0.5 + epoch / 10, "val/loss": 1.0 - epoch / 10, "epoch": epoch * 10})
    finally:
        wandb.finish()
        session.current = None
    page = open_ui(f"/runs/{run.id}")
    chart = page.get_by_test_id("chart-val/acc")
    expect(chart).to_have_attribute("data-x", "epoch")
    expect(chart).to_have_attribute("data-points", "4")
    expect(chart).to_have_attribute("data-x-max", "30")
    expect(page.get_by_test_id("x-select")).to_have_value("epoch")
    expect(page.get_by_test_id("chart-epoch")).to_have_count(0)  # not drawn against itself
    page.get_by_test_id("x-select").select_option("step")
    expect(chart).to_have_attribute("data-x", "step")
    expect(chart).to_have_attribute("data-x-max", "23")
    expect(page.get_by_test_id("chart-epoch")).to_have_count(1)
    page.get_by_test_id("x-select").select_option("train/loss")
    expect(page.get_by_test_id("chart-val/loss")).to_have_attribute("data-x", "train/loss")
