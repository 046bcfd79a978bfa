"""The text values of a W&B run's history (``wandb.log({"phase": "warmup", ...})``) on the Run
page, by step and a page at a time, below a loss chart that still draws: in a real Chromium
against a real viewer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from page_screenshots import screenshot  # type: ignore[import-not-found]
from playwright.sync_api import expect

import runicorn.wandb as wandb

pytestmark = pytest.mark.browser


def test_the_phase_values_are_shown_by_step_while_the_loss_chart_draws(
    storage_root: Path, open_ui: Any
) -> None:
    settings = wandb.Settings(console="off", x_disable_stats=True, silent=True)
    run = wandb.init(project="text", name="phases", dir=str(storage_root), settings=settings)
    for step in range(25):
        wandb.log({"phase": "warmup" if step < 3 else "train", "loss": 1.0 / (step + 1)})
    wandb.finish()
    page = open_ui(f"/runs/{run.id}")
    expect(page.get_by_test_id("chart-loss")).to_have_attribute("data-points", "25")
    expect(page.get_by_test_id("chart-phase")).to_have_count(0)  # text is no chart
    card = page.get_by_test_id("text-values-phase")
    steps, values = card.get_by_test_id("text-value-step"), card.get_by_test_id("text-value")
    expect(steps).to_have_text([str(s) for s in range(15, 25)])  # the newest page, newest last
    expect(values).to_have_text(["train"] * 10)
    expect(card.get_by_test_id("text-values-page")).to_have_text("16–25 / 25")
    card.get_by_test_id("text-values-older").click()
    expect(steps).to_have_text([str(s) for s in range(5, 15)])
    card.get_by_test_id("text-values-older").click()
    expect(steps).to_have_text([str(s) for s in range(0, 10)])
    expect(values.nth(0)).to_have_text("warmup")
    expect(values.nth(2)).to_have_text("warmup")
    expect(values.nth(3)).to_have_text("train")
    expect(card.get_by_test_id("text-values-older")).to_be_disabled()
    screenshot(page, "run-wandb-text-values")
    card.get_by_test_id("text-values-newer").click()
    expect(steps).to_have_text([str(s) for s in range(10, 20)])
    card.get_by_test_id("text-values-newer").click()  # back to the newest page
    expect(steps).to_have_text([str(s) for s in range(15, 25)])
    expect(card.get_by_test_id("text-values-newer")).to_be_disabled()
    page.get_by_test_id("lang-toggle").click()  # the section in Chinese
    expect(page.get_by_test_id("text-values").get_by_role("heading", level=2)).to_have_text("文本值")
    expect(card.get_by_test_id("text-values-older")).to_have_text("更早")
