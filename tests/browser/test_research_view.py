"""The research view of the Runs page: config columns sorted by the viewer, the column chooser and
its "differs" toggle, the query box and its error caret, the view kept in the address, grouped
charts with bands, the chart board (order, size, full screen), parallel coordinates with brushing,
and the scatter plot. Screenshots land in test-artifacts/screenshots/research-*.png."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote_plus

import pytest
from page_screenshots import screenshot
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LRS = (0.1, 0.001, 0.01)


def make_sweep(make_run: Any) -> list[Any]:
    """Three runs differing in lr (and steps, hence best_acc), sharing batch_size."""
    return [
        make_run(
            name=f"lr{i}", steps=10 + 10 * i, config={"lr": lr, "batch_size": 32, "opt": {"name": "adam"}}
        )
        for i, lr in enumerate(LRS)
    ]


def test_config_columns_sort_by_the_viewer_and_the_choice_is_remembered(make_run: Any, open_ui: Any) -> None:
    make_sweep(make_run)
    page = open_ui("/")
    expect(page.get_by_test_id("run-row")).to_have_count(3)
    page.get_by_test_id("columns-picker").click()
    page.get_by_test_id("columns-search").fill("lr")
    options = page.get_by_test_id("column-option")
    expect(options).to_have_count(1)
    options.locator("input").check()
    page.get_by_test_id("columns-search").fill("opt name")
    page.locator('[data-testid="column-option"][data-key="config.opt.name"] input').check()
    header = page.get_by_test_id("sort-config.lr")
    header.click()
    expect(page.get_by_test_id("cell-config.lr")).to_have_text(["0.1", "0.01", "0.001"])
    header.click()
    expect(page.get_by_test_id("cell-config.lr")).to_have_text(["0.001", "0.01", "0.1"])
    expect(page.get_by_test_id("cell-config.opt.name").first).to_have_text("adam")
    expect(page).to_have_url(re.compile(r"sort=config\.lr"))
    screenshot(page, "research-config-columns")

    page.goto("/")  # no columns in the address: the remembered choice
    expect(page.get_by_test_id("sort-config.lr")).to_be_visible()


def test_summary_columns_sort_numerically(make_run: Any, open_ui: Any) -> None:
    make_sweep(make_run)
    page = open_ui("/?cols=summary.best_acc")
    header = page.get_by_test_id("sort-summary.best_acc")
    header.click()
    expect(page.get_by_test_id("run-link")).to_have_text(["lr2", "lr1", "lr0"])
    expect(page.get_by_test_id("cell-summary.best_acc").first).to_have_text("0.96774")


def test_differs_toggle_shows_only_the_config_keys_that_differ(make_run: Any, open_ui: Any) -> None:
    make_sweep(make_run)
    page = open_ui("/?cols=config.batch_size")
    expect(page.get_by_test_id("sort-config.batch_size")).to_be_visible()
    page.get_by_test_id("differs-toggle").check()
    expect(page.get_by_test_id("sort-config.lr")).to_be_visible()
    expect(page.get_by_test_id("sort-config.batch_size")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"differs=1"))
    page.get_by_test_id("columns-picker").click()
    expect(page.locator('[data-testid="column-option"][data-key="config.batch_size"]')).to_have_count(0)
    expect(page.locator('[data-testid="column-option"][data-key="config.lr"]')).to_have_count(1)
    screenshot(page, "research-differs")


def test_query_filters_runs_and_a_mistake_points_at_its_column(make_run: Any, open_ui: Any) -> None:
    make_sweep(make_run)
    bad = "config.lr <"
    page = open_ui("/", expected_failed_urls=(f"q={quote_plus(bad)}",))
    rows = page.get_by_test_id("run-row")
    expect(rows).to_have_count(3)
    box = page.get_by_test_id("filter-search")
    box.fill("config.lr < 0.05 and summary.best_acc < 0.96")  # lr1 (0.952); lr2 has 0.968
    box.press("Enter")
    expect(page.get_by_test_id("run-link")).to_have_text(["lr1"])

    box.fill(bad)
    box.press("Enter")
    error = page.get_by_test_id("query-error")
    expect(error).to_be_visible()
    column = int(error.get_attribute("data-column") or "0")
    assert column >= 1
    expect(page.get_by_test_id("query-caret")).to_have_text(" " * (column - 1) + "^")
    screenshot(page, "research-query-error")

    box.fill("lr2")  # plain words: the text search
    box.press("Enter")
    expect(error).to_have_count(0)
    expect(page.get_by_test_id("run-link")).to_have_text(["lr2"])

    page.get_by_test_id("query-help").click()
    page.get_by_test_id("query-example").filter(has_text="config.lr < 0.01").click()
    expect(box).to_have_value("config.lr < 0.01")
    expect(page.get_by_test_id("run-link")).to_have_text(["lr1"])


def test_a_link_reproduces_the_view(make_run: Any, open_ui: Any) -> None:
    make_sweep(make_run)
    page = open_ui("/?q=config.batch_size+%3D%3D+32&cols=config.lr&sort=config.lr&order=asc")
    expect(page.get_by_test_id("filter-search")).to_have_value("config.batch_size == 32")
    expect(page.get_by_test_id("cell-config.lr")).to_have_text(["0.001", "0.01", "0.1"])
    expect(page.get_by_test_id("sort-config.lr")).to_contain_text("▲")


def test_grouped_charts_draw_a_mean_and_a_band_per_group(make_run: Any, open_ui: Any) -> None:
    for lr in (0.1, 0.1, 0.01):
        make_run(name="g", steps=20, config={"lr": lr})
    page = open_ui("/?view=charts&group=config.lr&charts=train/loss,train/acc")
    charts = page.get_by_test_id("grouped-chart")
    expect(charts).to_have_count(2)
    for chart in charts.all():
        expect(chart).to_have_attribute("data-groups", "2")
    plot = page.get_by_test_id("grouped-chart-train/loss")
    expect(plot).to_have_attribute("data-bands", "2")
    expect(plot.locator("canvas")).to_have_count(1)
    page.get_by_test_id("band-select").select_option("std")
    expect(page).to_have_url(re.compile(r"band=std"))
    page.get_by_test_id("grouped-x").select_option("elapsed")
    expect(plot).to_have_attribute("data-x", "elapsed")
    screenshot(page, "research-grouped-charts")


def test_chart_board_reorders_resizes_and_opens_full_screen(make_run: Any, open_ui: Any) -> None:
    for lr in (0.1, 0.01):
        make_run(name="g", steps=20, config={"lr": lr})
    page = open_ui("/?view=charts&group=config.lr&charts=train/loss,train/acc")
    cards = page.get_by_test_id("board-chart")
    expect(cards).to_have_count(2)
    cards.nth(1).get_by_test_id("chart-up").click()
    expect(cards.first).to_have_attribute("data-key", "train/acc")
    expect(page).to_have_url(re.compile(r"charts=train%2Facc%2Ctrain%2Floss"))
    cards.first.get_by_test_id("chart-size").select_option("l")
    expect(cards.first).to_have_attribute("data-span", "2")
    expect(cards.first).to_have_attribute("data-height", "420")

    corner = cards.nth(1).get_by_test_id("chart-resize").bounding_box()
    assert corner is not None
    page.mouse.move(corner["x"] + 5, corner["y"] + 5)
    page.mouse.down()
    page.mouse.move(corner["x"] + 5, corner["y"] + 105, steps=5)
    page.mouse.up()
    expect(cards.nth(1)).to_have_attribute("data-height", "380")

    cards.first.get_by_test_id("chart-fullscreen").click()
    full = page.get_by_test_id("fullscreen")
    expect(full).to_have_attribute("data-key", "train/acc")
    expect(full.locator("canvas")).to_have_count(1)
    screenshot(page, "research-fullscreen")
    page.keyboard.press("Escape")
    expect(full).to_have_count(0)

    page.goto("/?view=charts&group=config.lr")  # no charts in the address: the remembered layout
    expect(cards.first).to_have_attribute("data-key", "train/acc")
    expect(cards.first).to_have_attribute("data-span", "2")


def test_parallel_coordinates_brushing_filters_the_runs(make_run: Any, open_ui: Any) -> None:
    make_sweep(make_run)
    page = open_ui("/?view=parallel&metric=summary.best_acc")
    plot = page.get_by_test_id("parallel-plot")
    expect(plot).to_have_attribute("data-lines", "3")
    expect(plot).to_have_attribute("data-axes", "config.lr|summary.best_acc")
    expect(page.get_by_test_id("brushed-row")).to_have_count(3)
    box = plot.bounding_box()
    assert box is not None
    x = box["x"] + box["width"] - 70  # the metric's axis, the last one
    page.mouse.move(x, box["y"] + 25)
    page.mouse.down()
    page.mouse.move(x, box["y"] + 60, steps=5)  # the top of the axis: the best run
    page.mouse.up()
    expect(page).to_have_url(re.compile(r"brush=summary\.best_acc"))
    expect(page.get_by_test_id("brushed-row")).to_have_count(1)
    expect(page.get_by_test_id("brushed-row")).to_have_attribute("data-key", re.compile(".+"))
    expect(plot).to_have_attribute("data-selected", "1")
    screenshot(page, "research-parallel")

    page.get_by_test_id("view-table").click()
    note = page.get_by_test_id("brush-note")
    expect(note).to_have_attribute("data-count", "1")
    expect(note).to_have_attribute("data-total", "3")
    expect(page).to_have_url(re.compile(r"brush=summary\.best_acc"))
    expect(page.get_by_test_id("run-link")).to_have_text(["lr2"])
    page.get_by_test_id("brush-clear").click()
    expect(page.get_by_test_id("run-row")).to_have_count(3)


def test_scatter_plots_a_config_key_against_a_metric(make_run: Any, open_ui: Any) -> None:
    make_sweep(make_run)
    page = open_ui("/?view=scatter&sx=config.lr&sy=summary.best_acc")
    plot = page.get_by_test_id("scatter-plot")
    expect(plot).to_have_attribute("data-points", "3")
    page.get_by_test_id("scatter-x").select_option("config.opt.name")
    expect(page).to_have_url(re.compile(r"sx=config\.opt\.name"))
    expect(plot).to_have_attribute("data-points", "3")
    screenshot(page, "research-scatter")
