"""The Compare page: a config diff with the differing keys marked, the summaries side by side,
a choice of metrics, and any x axis (step, time, elapsed, a shared metric)."""

from __future__ import annotations

from typing import Any

import pytest
from page_screenshots import screenshot
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_compare_shows_a_config_diff_summaries_and_the_picked_metrics(make_run: Any, open_ui: Any) -> None:
    a = make_run(name="small", steps=20, config={"lr": 0.1, "batch_size": 32, "model": {"depth": 18}})
    b = make_run(
        name="big", steps=30, config={"lr": 0.01, "batch_size": 32, "model": {"depth": 18}, "seed": 3}
    )
    page = open_ui(f"/compare?ids={a.id},{b.id}")
    diff = page.get_by_test_id("config-diff")
    row = diff.locator('[data-testid="config-diff-row"]')
    expect(row).to_have_count(4)
    differs = {"lr": "true", "batch_size": "false", "model.depth": "false", "seed": "true"}
    for key, flag in differs.items():
        expect(diff.locator(f'[data-key="{key}"]')).to_have_attribute("data-differs", flag)
    expect(diff.locator('[data-key="seed"]')).to_contain_text("–")
    page.get_by_test_id("config-only-differs").check()
    expect(row).to_have_count(2)
    expect(page.get_by_test_id("summary-compare").locator('[data-key="best_acc"]')).to_have_attribute(
        "data-differs", "true"
    )
    expect(page.get_by_test_id("compare-run")).to_have_count(2)

    expect(page.get_by_test_id("compare-chart-val/loss")).to_have_attribute("data-series", "2")
    page.get_by_test_id("compare-metrics").click()
    page.locator('[data-testid="compare-metric"][data-key="val/loss"] input').uncheck()
    expect(page.get_by_test_id("compare-chart-val/loss")).to_have_count(0)
    expect(page.get_by_test_id("compare-chart-train/loss")).to_be_visible()

    page.get_by_test_id("x-select").select_option("elapsed")
    expect(page.get_by_test_id("compare-chart-train/loss")).to_have_attribute("data-x", "elapsed")
    page.get_by_test_id("x-select").select_option("train/acc")
    expect(page.get_by_test_id("compare-chart-train/acc")).to_have_count(0)  # not charted against itself
    expect(page.get_by_test_id("compare-chart-train/loss")).to_have_attribute("data-x", "train/acc")
    screenshot(page, "compare-diff")
