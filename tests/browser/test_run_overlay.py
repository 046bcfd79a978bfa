"""Other runs drawn over a run's charts: a run of the same experiment, any run found by search;
the picks live in the URL (``?overlay=``), so a reload or a shared link shows the same view."""

from __future__ import annotations

import re
from typing import Any

import pytest
from page_screenshots import screenshot  # type: ignore[import-not-found]
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_run_page_overlays_another_run_of_the_same_experiment(make_run: Any, open_ui: Any) -> None:
    first = make_run(steps=20)
    second = make_run(steps=25)
    page = open_ui(f"/runs/{first.id}")
    chart = page.get_by_test_id("chart-train/loss")
    expect(chart).to_have_attribute("data-series", "1")
    page.get_by_test_id("overlay-picker").click()
    # alike but for their id: named by the experiment and the end of the id, never the id alone
    page.get_by_test_id("overlay-run").filter(has_text=f"exp1 #{second.id[-6:]}").check()
    expect(chart).to_have_attribute("data-series", "2")
    expect(chart).to_have_attribute("data-points", "25")
    expect(chart.locator(".u-legend")).to_contain_text(f"exp1 #{second.id[-6:]}")


def test_run_page_overlays_a_searched_run_of_another_project_and_keeps_it_in_the_url(
    make_run: Any, open_ui: Any
) -> None:
    main = make_run(project="vision", name="resnet", steps=20)
    make_run(project="nlp", name="bert", steps=30)
    page = open_ui(f"/runs/{main.id}")
    chart = page.get_by_test_id("chart-train/loss")
    legend = chart.locator(".u-legend .u-series")
    expect(chart).to_have_attribute("data-series", "1")
    expect(legend).to_have_count(2)  # the x value and one run

    page.get_by_test_id("overlay-picker").click()
    expect(page.get_by_test_id("overlay-run")).to_have_count(0)  # no other run of vision/resnet
    page.get_by_test_id("overlay-search").fill("bert")
    found = page.get_by_test_id("overlay-run")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("nlp/bert")
    found.check()

    expect(chart).to_have_attribute("data-series", "2")
    expect(legend).to_have_count(3)
    expect(legend.nth(2)).to_contain_text("nlp/bert")
    expect(chart).to_have_attribute("data-points", "30")
    expect(page).to_have_url(re.compile(r"\?overlay=.+"))
    screenshot(page, "run-overlay")

    page.reload()
    expect(chart).to_have_attribute("data-series", "2")
    expect(legend.nth(2)).to_contain_text("nlp/bert")
    expect(page.get_by_test_id("overlay-picker")).to_contain_text("(1)")

    page.get_by_test_id("overlay-picker").click()
    page.get_by_test_id("overlay-run").filter(has_text="nlp/bert").uncheck()
    expect(chart).to_have_attribute("data-series", "1")
    expect(page).not_to_have_url(re.compile(r"overlay="))


def test_an_overlaid_run_that_is_gone_is_named_and_the_run_still_draws(make_run: Any, open_ui: Any) -> None:
    run = make_run(steps=10)
    page = open_ui(f"/runs/{run.id}?overlay=no_such_run", expected_failed_urls=("/no_such_run", "&x=step"))
    expect(page.get_by_test_id("chart-train/loss")).to_have_attribute("data-series", "1")
    expect(page.get_by_test_id("overlay-missing")).to_contain_text("no_such_run")
