"""A run with 1,500 metrics: its page draws only the charts in or near the viewport, fetches only
their series, folds sections by prefix (remembered), and narrows to a "Filter metrics" box."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from page_screenshots import screenshot  # type: ignore[import-not-found]
from playwright.sync_api import expect

import runicorn

pytestmark = pytest.mark.browser

LAYERS = 30
PER_LAYER = 50  # 30 x 50 = 1,500 metrics, plus train/loss and val/acc
STEPS = 20
FEW_CANVASES = 100
BLOCK = 12  # charts laid out together


def layer_keys() -> list[str]:
    return [f"layer{i}/m{j}" for i in range(LAYERS) for j in range(PER_LAYER)]


def log_steps(run: runicorn.Run, first: int, last: int) -> None:
    keys = layer_keys()
    for step in range(first, last + 1):
        row = {k: (n + 1) / step for n, k in enumerate(keys)}
        row["train/loss"] = 1.0 / step
        row["val/acc"] = 1 - 1.0 / step
        run.log(row, step=step)
    run.flush()


def wide_run(storage_root: Path, finish: bool = True) -> runicorn.Run:
    run = runicorn.init(
        project="wide", name="mlp", storage=storage_root, capture_console=False, system_metrics=False
    )
    log_steps(run, 1, STEPS)
    if finish:
        run.finish()
    return run


def canvases(page: Any) -> int:
    return int(page.locator(".chart canvas").count())


def metric_requests(page: Any) -> list[list[str]]:
    """The keys each metrics request of the page asks for (an empty list: all keys)."""
    asked: list[list[str]] = []

    def on_request(request: Any) -> None:
        url = urlparse(request.url)
        if url.path.endswith("/metrics"):
            asked.append(
                ",".join(parse_qs(url.query).get("keys", [""])).split(",") if "keys=" in url.query else []
            )

    page.on("request", on_request)
    return asked


def test_a_wide_run_draws_and_fetches_only_the_charts_near_the_viewport(
    storage_root: Path, open_ui: Any
) -> None:
    run = wide_run(storage_root)
    page = open_ui("/")
    asked = metric_requests(page)
    page.goto(f"/runs/{run.id}")
    first = page.get_by_test_id("chart-layer0/m0")
    expect(first.locator("canvas")).to_have_count(1)
    expect(first).to_have_attribute("data-points", str(STEPS))
    blocks_per_layer = -(-PER_LAYER // BLOCK)
    expect(page.get_by_test_id("chart-block")).to_have_count(LAYERS * blocks_per_layer + 2)
    assert 0 < page.get_by_test_id("chart-slot").count() < FEW_CANVASES
    assert 0 < canvases(page) < FEW_CANVASES
    assert asked and all(keys for keys in asked), "every metrics request names its keys"
    assert len({k for keys in asked for k in keys}) < FEW_CANVASES
    placeholder = page.locator('[data-testid="chart-slot"][data-drawn="0"]').first  # laid out, not drawn
    expect(placeholder.locator("canvas")).to_have_count(0)
    expect(placeholder).to_contain_text(str(placeholder.get_attribute("data-key")))
    screenshot(page, "run-wide-top", full_page=False)

    page.get_by_test_id("chart-group-val").scroll_into_view_if_needed()
    far = page.get_by_test_id("chart-val/acc")
    expect(far.locator("canvas")).to_have_count(1)
    expect(far).to_have_attribute("data-points", str(STEPS))
    expect(page.get_by_test_id("chart-layer0/m0")).to_have_count(0)  # scrolled away: released
    expect(page.get_by_test_id("chart-group-layer0").get_by_test_id("chart-block").first).to_have_attribute(
        "data-shown", "0"
    )
    assert 0 < canvases(page) < FEW_CANVASES

    page.evaluate("window.scrollTo(0, 0)")  # back at the top: drawn again
    expect(page.get_by_test_id("chart-layer0/m0").locator("canvas")).to_have_count(1)
    expect(page.get_by_test_id("chart-val/acc")).to_have_count(0)


def test_a_section_folds_and_stays_folded_after_a_reload(storage_root: Path, open_ui: Any) -> None:
    run = wide_run(storage_root)
    page = open_ui(f"/runs/{run.id}")
    layer0 = page.get_by_test_id("chart-group-layer0").get_by_test_id("chart-block")
    expect(layer0).to_have_count(-(-PER_LAYER // BLOCK))
    expect(page.get_by_test_id("chart-layer0/m0").locator("canvas")).to_have_count(1)

    fold = page.get_by_test_id("chart-fold-layer0")
    expect(fold).to_have_attribute("aria-expanded", "true")
    fold.click()
    expect(layer0).to_have_count(0)
    expect(page.get_by_test_id("chart-layer0/m0")).to_have_count(0)
    expect(fold).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_test_id("chart-layer1/m0").locator("canvas")).to_have_count(1)  # moved up

    page.reload()
    expect(page.get_by_test_id("chart-layer1/m0").locator("canvas")).to_have_count(1)
    expect(page.get_by_test_id("chart-fold-layer0")).to_have_attribute("aria-expanded", "false")
    expect(layer0).to_have_count(0)

    page.get_by_test_id("chart-fold-layer0").click()
    expect(layer0).to_have_count(-(-PER_LAYER // BLOCK))
    expect(page.get_by_test_id("chart-layer0/m0").locator("canvas")).to_have_count(1)


def test_filter_metrics_leaves_only_the_matching_charts_with_their_full_keys(
    storage_root: Path, open_ui: Any
) -> None:
    run = wide_run(storage_root)
    page = open_ui(f"/runs/{run.id}")
    expect(page.get_by_test_id("chart-layer0/m0").locator("canvas")).to_have_count(1)
    box = page.get_by_placeholder("Filter metrics")
    expect(box).to_be_visible()
    box.fill("layer7/")
    blocks = page.get_by_test_id("chart-block")
    expect(blocks).to_have_count(-(-PER_LAYER // BLOCK))
    expect(page.locator('section[data-testid^="chart-group-"]')).to_have_count(1)
    expect(page.get_by_test_id("chart-fold-layer7")).to_contain_text(f"layer7/{PER_LAYER}")
    titles: list[str] = []  # block by block down the page: every chart's title, its full key
    for i in range(blocks.count()):
        block = blocks.nth(i)
        block.scroll_into_view_if_needed()
        expect(block).to_have_attribute("data-shown", "1")
        titles += block.locator(".chart-title").all_text_contents()
    assert titles == [f"layer7/m{j}" for j in range(PER_LAYER)]
    page.evaluate("window.scrollTo(0, 0)")
    chart = page.get_by_test_id("chart-layer7/m0")
    expect(chart.locator("canvas")).to_have_count(1)
    expect(chart).to_have_attribute("data-points", str(STEPS))
    expect(page.get_by_test_id("metric-count")).to_have_text(f"{PER_LAYER} / {LAYERS * PER_LAYER + 2}")
    screenshot(page, "run-wide-filtered", full_page=False)

    slots = page.get_by_test_id("chart-slot")
    box.fill("/^(train|val)\\//")  # a regular expression between slashes
    expect(slots).to_have_count(2)
    box.fill("no such metric")
    expect(slots).to_have_count(0)
    expect(page.get_by_test_id("no-matching-metrics")).to_be_visible()
    box.fill("")
    expect(page.get_by_test_id("metric-count")).to_have_text(str(LAYERS * PER_LAYER + 2))
    expect(page.get_by_test_id("chart-layer0/m0").locator("canvas")).to_have_count(1)


def test_a_live_wide_run_updates_its_visible_charts(storage_root: Path, open_ui: Any) -> None:
    run = wide_run(storage_root, finish=False)
    try:
        page = open_ui(f"/runs/{run.id}")
        chart = page.get_by_test_id("chart-layer0/m0")
        expect(chart).to_have_attribute("data-points", str(STEPS))
        log_steps(run, STEPS + 1, STEPS + 5)
        expect(chart).to_have_attribute("data-points", str(STEPS + 5))
        expect(page.get_by_test_id("chart-layer0/m1")).to_have_attribute("data-points", str(STEPS + 5))
        page.get_by_test_id("chart-group-val").scroll_into_view_if_needed()  # never drawn before
        expect(page.get_by_test_id("chart-val/acc")).to_have_attribute("data-points", str(STEPS + 5))
    finally:
        run.finish()
