"""The run page shows the alerts its script raised with rn.alert, newest first, by level."""

from __future__ import annotations

from typing import Any

import pytest
from page_screenshots import screenshot  # type: ignore[import-not-found]
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_run_page_shows_two_alerts_newest_first_coloured_by_level(make_run: Any, open_ui: Any) -> None:
    run = make_run(steps=5, finish=False)
    run.alert("loss spiked", "loss 3.2 at step 5", level="warning")
    run.log({"train/loss": 9.0}, step=6)
    run.alert("diverged", "loss 9.0", level="error")
    run.finish()
    page = open_ui(f"/runs/{run.id}")
    alerts = page.get_by_test_id("run-alert")
    expect(alerts).to_have_count(2)
    expect(alerts.nth(0)).to_have_attribute("data-level", "error")
    expect(alerts.nth(0)).to_contain_text("diverged")
    expect(alerts.nth(0)).to_contain_text("Step 6")
    expect(alerts.nth(1)).to_have_attribute("data-level", "warning")
    expect(alerts.nth(1)).to_contain_text("loss 3.2 at step 5")
    expect(page.get_by_test_id("run-alerts")).to_contain_text("Alerts (2)")
    screenshot(page, "run-alerts")


def test_a_run_without_alerts_shows_no_alert_list(make_run: Any, open_ui: Any) -> None:
    run = make_run(steps=3)
    page = open_ui(f"/runs/{run.id}")
    expect(page.get_by_test_id("run-title")).to_be_visible()
    expect(page.get_by_test_id("run-alerts")).to_have_count(0)
