"""Images over steps on the run page (a step slider, a click shows one full size) and across runs
on Compare: one media key of several runs side by side at one step, each summary row's best value
highlighted by the metric's goal, the charts before the tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from page_screenshots import screenshot  # type: ignore[import-not-found]
from playwright.sync_api import expect

import runicorn

pytestmark = pytest.mark.browser


def image_run(
    storage_root: Path, name: str, shade: int, steps: tuple[int, ...] = (10, 20, 30)
) -> runicorn.Run:
    """A run logging a 24x32 image of one grey per step under `samples`, and `val/loss`, `val/acc`."""
    run = runicorn.init(
        project="vision", name=name, storage=storage_root, capture_console=False, system_metrics=False,
        config={"lr": 0.01 * shade},
    )  # fmt: skip
    assert isinstance(run, runicorn.Run)
    for step in steps:
        run.log({"val/loss": shade / step, "val/acc": 1 - shade / step}, step=step)
        run.log_image("samples", np.full((24, 32, 3), min(255, shade * step), dtype=np.uint8), step=step,
                      caption=f"{name} at {step}")  # fmt: skip
    run.summary({"val/loss": shade / steps[-1], "val/acc": 1 - shade / steps[-1]})
    run.finish()
    return run


def test_the_image_step_slider_changes_the_step_and_a_click_shows_it_full_size(
    storage_root: Path, open_ui: Any
) -> None:
    run = image_run(storage_root, "cnn", 2)
    page = open_ui(f"/runs/{run.id}")
    page.get_by_test_id("tab-media").click()
    card = page.get_by_test_id("media-samples")
    expect(card).to_have_attribute("data-step", "30")  # the last step first
    expect(card.get_by_role("img")).to_have_attribute("alt", "cnn at 30")
    card.get_by_test_id("media-step").fill("0")
    expect(card).to_have_attribute("data-step", "10")
    expect(card.get_by_test_id("media-step-label")).to_contain_text("Step 10 (1/3)")
    expect(card.get_by_role("img")).to_have_attribute("alt", "cnn at 10")

    card.get_by_test_id("media-image").click()
    full = page.get_by_test_id("media-full-image")
    expect(full).to_be_visible()
    page.wait_for_function("(img) => img.complete && img.naturalWidth === 32", arg=full.element_handle())
    shown = full.bounding_box()
    assert shown is not None and shown["width"] >= 32 * 4, shown  # far larger than the thumbnail's cell
    screenshot(page, "media-full-size", full_page=False)
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("media-full")).to_have_count(0)


def test_compare_shows_one_media_key_of_two_runs_side_by_side_at_one_step(
    storage_root: Path, open_ui: Any
) -> None:
    a = image_run(storage_root, "small", 2)
    b = image_run(storage_root, "big", 5, steps=(10, 20))
    page = open_ui(f"/compare?ids={a.id},{b.id}&media=samples")
    expect(page.get_by_test_id("compare-media-key")).to_have_value("samples")
    columns = page.get_by_test_id("compare-media-run")
    expect(columns).to_have_count(2)
    card = page.get_by_test_id("compare-media-key-card")
    expect(card).to_have_attribute("data-step", "30")
    expect(columns.nth(0).get_by_role("img")).to_have_attribute("alt", "small at 30")
    expect(columns.nth(1)).to_have_attribute("data-count", "0")  # big has no step 30
    card.get_by_test_id("media-step").fill("1")
    expect(card).to_have_attribute("data-step", "20")
    expect(columns.nth(0).get_by_role("img")).to_have_attribute("alt", "small at 20")
    expect(columns.nth(1).get_by_role("img")).to_have_attribute("alt", "big at 20")
    page.get_by_test_id("compare-media").scroll_into_view_if_needed()
    screenshot(page, "compare-media")


def test_compare_highlights_the_best_value_per_row_by_goal_and_draws_charts_first(
    storage_root: Path, open_ui: Any
) -> None:
    a = image_run(storage_root, "small", 2)  # val/loss 2/30: lower, better; val/acc higher, better
    b = image_run(storage_root, "big", 5)
    page = open_ui(f"/compare?ids={a.id},{b.id}")
    summary = page.get_by_test_id("summary-compare")
    loss = summary.locator('[data-key="val/loss"] td')
    acc = summary.locator('[data-key="val/acc"] td')
    expect(loss.nth(1)).to_have_attribute("data-best", "true")  # the first cell is the key
    expect(loss.nth(2)).not_to_have_attribute("data-best", "true")
    expect(acc.nth(1)).to_have_attribute("data-best", "true")
    expect(acc.nth(2)).not_to_have_attribute("data-best", "true")
    chart = page.get_by_test_id("compare-chart-val/loss")
    expect(chart).to_be_visible()
    chart_top = chart.bounding_box()
    table_top = page.get_by_test_id("config-diff").bounding_box()
    assert chart_top and table_top and chart_top["y"] < table_top["y"], (chart_top, table_top)
    screenshot(page, "compare-best-values")
