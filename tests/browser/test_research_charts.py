"""The Charts view of the Runs page in a real chromium: without "group by", one chart per logged
metric (the most common first) with a line per run named by the config keys that differ; the
metric picker offers the logged history keys; each chart on its own define_metric axis; log scale,
smoothing and outlier clipping on a grouped chart, whose bands say how many runs they average where
that changes; the same run names in the overlay picker and the compare page. Screenshots land in
test-artifacts/screenshots/research-charts-*.png."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from page_screenshots import screenshot
from playwright.sync_api import expect

import runicorn
import runicorn.wandb as wandb
from runicorn.wandb import session

pytestmark = pytest.mark.browser


def test_charts_without_group_by_draw_every_logged_metric_with_a_line_per_run(
    make_run: Any, open_ui: Any
) -> None:
    make_run(name="mlp", steps=20, config={"lr": 0.01, "bs": 32})
    make_run(name="mlp", steps=20, config={"lr": 0.1, "bs": 32})
    make_run(name="mlp", steps=5, config={"lr": 0.1, "bs": 64})  # too short to log val/loss
    page = open_ui("/?view=charts")
    cards = page.get_by_test_id("board-chart")
    # every logged metric, the most common first (the summary-only best_acc has no chart)
    expect(cards).to_have_count(3)
    assert [c.get_attribute("data-key") for c in cards.all()] == ["train/acc", "train/loss", "val/loss"]
    expect(page.get_by_test_id("grouped-chart-train/loss")).to_have_attribute("data-series", "3")
    expect(page.get_by_test_id("grouped-chart-val/loss")).to_have_attribute("data-series", "2")
    expect(page.get_by_test_id("grouped-chart-train/loss")).to_have_attribute("data-bands", "0")
    expect(page.get_by_test_id("grouped-error")).to_have_count(0)
    legend = page.get_by_test_id("grouped-chart-train/loss").locator(".u-legend")
    for name in ("mlp bs=32 lr=0.01", "mlp bs=32 lr=0.1", "mlp bs=64 lr=0.1"):
        expect(legend).to_contain_text(name)

    page.get_by_test_id("charts-picker").click()
    offered = page.get_by_test_id("chart-metric")
    expect(offered).to_have_count(3)
    expect(page.locator('[data-testid="chart-metric"][data-key="val/loss"]')).to_have_count(1)
    expect(page.locator('[data-testid="chart-metric"][data-key="best_acc"]')).to_have_count(0)
    page.get_by_test_id("charts-picker").click()
    screenshot(page, "research-charts-ungrouped")


def test_each_chart_takes_its_metrics_define_metric_axis(storage_root: Path, open_ui: Any) -> None:
    for lr in (0.1, 0.01):
        wandb.init(
            project="x",
            name="axes",
            dir=storage_root,
            config={"lr": lr},
            settings=wandb.Settings(console="off", x_disable_stats=True),
        )
        try:
            wandb.define_metric("epoch")
            wandb.define_metric("val/*", step_metric="epoch")
            for epoch in range(4):
                for _ in range(5):
                    wandb.log({"train/loss": lr / (epoch + 1)})
                wandb.log({"val/acc": 0.5 + epoch / 10, "epoch": epoch * 10})
        finally:
            wandb.finish()
            session.current = None
    page = open_ui("/?view=charts&project=x")
    expect(page.get_by_test_id("grouped-chart-val/acc")).to_have_attribute("data-x", "epoch")
    expect(page.get_by_test_id("grouped-chart-val/acc")).to_have_attribute("data-series", "2")
    expect(page.get_by_test_id("grouped-chart-train/loss")).to_have_attribute("data-x", "step")
    screenshot(page, "research-charts-define-metric")
    page.get_by_test_id("grouped-x").select_option("step")  # one axis for all, on request
    expect(page.get_by_test_id("grouped-chart-val/acc")).to_have_attribute("data-x", "step")


def test_a_grouped_chart_has_log_smoothing_clipping_and_its_run_counts(make_run: Any, open_ui: Any) -> None:
    make_run(name="g", steps=20, config={"lr": 0.1})
    make_run(name="g", steps=10, config={"lr": 0.1})  # the lr=0.1 band averages 2 runs, then 1
    make_run(name="g", steps=20, config={"lr": 0.01})
    page = open_ui("/?view=charts&group=config.lr&charts=train/loss")
    wrapper = page.locator('[data-testid="grouped-chart"][data-metric="train/loss"]')
    chart = page.get_by_test_id("grouped-chart-train/loss")
    expect(chart).to_have_attribute("data-bands", "2")
    expect(wrapper).to_have_attribute("data-count-marks", "lr=0.1@1:2|lr=0.1@11:1")
    expect(page.get_by_test_id("band-counts")).to_have_text("lr=0.1: n=2 from 1, n=1 from 11")

    page.get_by_test_id("charts-clip").check()
    expect(chart).to_have_attribute("data-clipped", "1")
    # the first steps' spike cut off (the y range is set as the chart redraws: waited for)
    page.wait_for_function("el => Number(el.getAttribute('data-y-max')) < 1.0", arg=chart.element_handle())
    page.get_by_test_id("charts-clip").uncheck()
    expect(chart).to_have_attribute("data-clipped", "0")

    expect(page.locator("label", has=page.get_by_test_id("charts-log"))).to_have_text("log")
    page.get_by_test_id("charts-log").check()
    expect(chart).to_have_attribute("data-y-distr", "log")

    raw_end = float(wrapper.get_attribute("data-y-end") or "nan")
    page.get_by_test_id("charts-smoothing").fill("0.9")
    expect(wrapper).not_to_have_attribute("data-y-end", str(raw_end))
    assert float(wrapper.get_attribute("data-y-end") or "nan") > raw_end  # a falling loss, smoothed
    expect(chart).to_have_attribute("data-y-distr", "log")
    screenshot(page, "research-charts-grouped-log-smoothed")

    # the switches live in the address: a reload (or a shared link) keeps them
    page.get_by_test_id("charts-clip").check()
    expect(page).to_have_url(re.compile(r"log=1.*smooth=0\.9.*clip=1"))
    page.reload()
    expect(page.get_by_test_id("charts-log")).to_be_checked()
    expect(page.get_by_test_id("charts-clip")).to_be_checked()
    expect(page.get_by_test_id("charts-smoothing")).to_have_value("0.9")
    expect(chart).to_have_attribute("data-y-distr", "log")
    expect(wrapper).not_to_have_attribute("data-y-end", str(raw_end))  # still smoothed


def test_runs_are_named_by_differing_config_keys_alike_in_every_view(make_run: Any, open_ui: Any) -> None:
    a = make_run(name="mlp", steps=10, config={"lr": 0.01, "bs": 32, "seed": 1})
    b = make_run(name="mlp", steps=10, config={"lr": 0.1, "bs": 64, "seed": 1})
    page = open_ui("/?cols=")  # no columns (a first visit would show the differing keys, bs first)
    # the columns chosen (lr, then bs) lead the keys of every run name, in the order chosen
    page.get_by_test_id("columns-picker").click()
    for key in ("lr", "bs"):
        page.get_by_test_id("columns-search").fill(key)
        page.locator(f'[data-testid="column-option"][data-key="config.{key}"] input').check()
    page.get_by_test_id("columns-picker").click()
    expect(page).to_have_url(re.compile(r"cols=config\.lr%2Cconfig\.bs"))
    expect(page.get_by_test_id("run-label")).to_have_count(0)  # its keys have their own columns

    page.goto("/?view=charts")
    legend = page.get_by_test_id("grouped-chart-train/loss").locator(".u-legend")
    expect(legend).to_contain_text("mlp lr=0.01 bs=32")
    expect(legend).to_contain_text("mlp lr=0.1 bs=64")
    screenshot(page, "research-charts-run-names")

    page.goto(f"/runs/{a.id}")
    page.get_by_test_id("overlay-picker").click()
    expect(page.get_by_test_id("overlay-run")).to_have_count(1)
    expect(page.get_by_test_id("overlay-run")).to_contain_text("mlp lr=0.1 bs=64")
    page.get_by_test_id("overlay-run").locator("input").check()
    legend = page.get_by_test_id("chart-train/loss").locator(".u-legend")
    expect(legend).to_contain_text("mlp lr=0.01 bs=32")
    expect(legend).to_contain_text("mlp lr=0.1 bs=64")

    page.goto(f"/compare?ids={a.id},{b.id}")
    expect(page.get_by_test_id("diff-run").first).to_have_text("mlp lr=0.01 bs=32")
    expect(page.get_by_test_id("compare-run")).to_have_text(["mlp lr=0.01 bs=32", "mlp lr=0.1 bs=64"])
    compare_legend = page.get_by_test_id("compare-chart-train/loss").locator(".u-legend")
    expect(compare_legend).to_contain_text("mlp lr=0.1 bs=64")
    screenshot(page, "research-charts-compare-names")


def test_many_metrics_draw_only_the_charts_near_the_viewport(storage_root: Path, open_ui: Any) -> None:
    keys = [f"layer{i:02d}/norm" for i in range(40)]
    for lr in (0.1, 0.01):
        run = runicorn.init(
            project="wide",
            name="m",
            storage=storage_root,
            config={"lr": lr},
            capture_console=False,
            system_metrics=False,
        )
        for step in range(1, 6):
            run.log({k: lr * step + i for i, k in enumerate(keys)}, step=step)
        run.finish()
    page = open_ui("/?view=charts&project=wide")
    slots = page.get_by_test_id("grouped-slot")
    expect(slots).to_have_count(40)
    expect(page.get_by_test_id("grouped-chart-layer00/norm")).to_have_attribute("data-series", "2")
    last = page.locator('[data-testid="grouped-slot"][data-key="layer39/norm"]')
    expect(last).to_have_attribute("data-drawn", "0")  # far below: neither fetched nor drawn
    assert page.locator('[data-testid="grouped-slot"][data-drawn="1"]').count() < 40
    last.scroll_into_view_if_needed()
    expect(last).to_have_attribute("data-drawn", "1")
    expect(page.get_by_test_id("grouped-chart-layer39/norm")).to_have_attribute("data-series", "2")
