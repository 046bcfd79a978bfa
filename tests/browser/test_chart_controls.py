"""The chart controls of the Run page in a real chromium: log scale, smoothing, zoom and reset,
hover values, the step / time axis, PNG and CSV downloads. uPlot's view state is read from the
chart element's test hook (``data-x-min`` ... ``data-shown``, see docs/web.md#test-hooks)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from page_screenshots import screenshot  # type: ignore[import-not-found]
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

STEPS = 40


def open_loss_chart(make_run: Any, open_ui: Any) -> tuple[Any, Any, Any]:
    """A finished canonical run of 40 steps; its page; the drawn ``train/loss`` chart."""
    run = make_run(steps=STEPS)
    page = open_ui(f"/runs/{run.id}")
    chart = page.get_by_test_id("chart-train/loss")
    expect(chart).to_have_attribute("data-points", str(STEPS))
    expect(chart).to_have_attribute("data-x-max", str(STEPS))
    return run, page, chart


def scale(chart: Any, name: str) -> float:
    return float(chart.get_attribute(f"data-{name}"))


def hover_middle(page: Any, chart: Any) -> list[str]:
    """Moves the pointer to the middle of the plot; returns the legend's values (x first)."""
    box = chart.locator(".u-over").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    values = chart.locator(".u-legend .u-series td.u-value")
    expect(values.first).to_have_text(re.compile(r"^\d+$"))
    return values.all_inner_texts()


def js_value(v: float) -> str:
    """The UI's formatValue for the plain numbers used here (five significant digits)."""
    return f"{v:.5g}"


def test_hover_shows_the_values_at_the_pointer(make_run: Any, open_ui: Any) -> None:
    _, page, chart = open_loss_chart(make_run, open_ui)
    step_text, loss_text = hover_middle(page, chart)
    step = int(step_text)
    assert 10 < step < 30, step
    assert loss_text == js_value(1.0 / step)


def test_smoothing_draws_a_smoothed_line_over_the_faint_raw_one(make_run: Any, open_ui: Any) -> None:
    run, page, chart = open_loss_chart(make_run, open_ui)
    legend = chart.locator(".u-legend .u-series")
    expect(legend).to_have_count(2)
    page.get_by_test_id("smoothing").fill("0.9")
    expect(legend).to_have_count(3)
    expect(legend.nth(1)).to_contain_text("exp1 (raw)")  # the run's name, not its id alone
    expect(chart).to_have_attribute("data-series", "1")
    step_text, raw_text, smooth_text = hover_middle(page, chart)
    assert raw_text == js_value(1.0 / int(step_text))
    # The loss falls, so its moving average lags above it.
    assert float(smooth_text) > float(raw_text) * 1.2, (raw_text, smooth_text)
    screenshot(page, "run-chart-smoothed")

    page.get_by_test_id("smoothing").fill("0")
    expect(legend).to_have_count(2)


def test_log_scale_switches_the_y_axis_distribution(make_run: Any, open_ui: Any) -> None:
    _, page, chart = open_loss_chart(make_run, open_ui)
    expect(chart).to_have_attribute("data-y-distr", "linear")
    linear_min = scale(chart, "y-min")
    assert linear_min <= 0.025  # the smallest loss is 1/40
    page.get_by_test_id("log-scale").check()
    expect(chart).to_have_attribute("data-y-distr", "log")
    log_min, log_max = scale(chart, "y-min"), scale(chart, "y-max")
    assert 0 < log_min <= 0.025 and log_max >= 1
    assert log_min != linear_min
    page.get_by_test_id("log-scale").uncheck()
    expect(chart).to_have_attribute("data-y-distr", "linear")


def test_drag_zooms_and_double_click_resets(make_run: Any, open_ui: Any) -> None:
    _, page, chart = open_loss_chart(make_run, open_ui)
    assert (scale(chart, "x-min"), scale(chart, "x-max")) == (1, STEPS)
    box = chart.locator(".u-over").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.25, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, y, steps=5)
    page.mouse.move(box["x"] + box["width"] * 0.6, y, steps=5)
    page.mouse.up()
    expect(chart).not_to_have_attribute("data-x-max", str(STEPS))
    lo, hi = scale(chart, "x-min"), scale(chart, "x-max")
    assert 5 < lo < hi < 30, (lo, hi)

    chart.locator(".u-over").dblclick(position={"x": box["width"] / 2, "y": box["height"] / 2})
    expect(chart).to_have_attribute("data-x-max", str(STEPS))
    expect(chart).to_have_attribute("data-x-min", "1")


def test_x_axis_switches_between_step_and_wall_time(make_run: Any, open_ui: Any) -> None:
    run, page, chart = open_loss_chart(make_run, open_ui)
    expect(chart).to_have_attribute("data-x", "step")
    page.get_by_test_id("x-time").click()
    expect(chart).to_have_attribute("data-x", "time")
    expect(chart).to_have_attribute("data-points", str(STEPS))
    started = run.dir.stat().st_mtime
    # the chart is rebuilt for the new axis: its scale range is exposed once uPlot has drawn it
    expect(chart).to_have_attribute("data-x-min", re.compile(r"^\d{9,}"))
    x_min = scale(chart, "x-min")
    assert abs(x_min - started) < 3600, (x_min, started)  # unix seconds, not steps
    page.get_by_test_id("x-step").click()
    expect(chart).to_have_attribute("data-x", "step")
    expect(chart).to_have_attribute("data-x-min", "1")


def download(page: Any, within: Any, button: str) -> tuple[str, Path]:
    """Click a download button (in a chart, or the page): the file name the browser got, and
    where it is."""
    with page.expect_download() as info:
        within.get_by_test_id(button).click()
    return info.value.suggested_filename, Path(info.value.path())


def test_png_download_is_a_picture_of_the_chart(make_run: Any, open_ui: Any) -> None:
    _, page, chart = open_loss_chart(make_run, open_ui)
    name, path = download(page, chart, "chart-png")
    assert name == "train_loss.png"
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 5_000, len(data)


def test_csv_download_holds_every_point_of_the_chart(make_run: Any, open_ui: Any) -> None:
    run, page, chart = open_loss_chart(make_run, open_ui)
    name, path = download(page, chart, "chart-csv")
    assert name == "train_loss.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "step,exp1"
    assert len(lines) == 1 + STEPS
    assert lines[1] == "1,1"
    assert lines[7] == "7,"  # the NaN loss at step 7 is an empty cell
    assert lines[20] == "20,0.05"


def test_csv_download_with_smoothing_keeps_the_raw_values_beside(make_run: Any, open_ui: Any) -> None:
    run, page, chart = open_loss_chart(make_run, open_ui)
    page.get_by_test_id("smoothing").fill("0.9")
    expect(chart.locator(".u-legend .u-series")).to_have_count(3)
    _, path = download(page, chart, "chart-csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "step,exp1,exp1 (raw)"
    assert len(lines) == 1 + STEPS
    step, smoothed, raw = lines[20].split(",")
    assert (step, raw) == ("20", "0.05")
    assert float(smoothed) > 1.2 * float(raw)  # the EMA still carries the larger early losses


def test_all_metrics_csv_downloads_every_record_of_the_run(make_run: Any, open_ui: Any) -> None:
    run, page, _ = open_loss_chart(make_run, open_ui)
    name, path = download(page, page, "metrics-csv")
    assert name == f"{run.id}-metrics.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "step,time,stage,train/acc,train/loss,val/loss"
    assert len(lines) == 1 + STEPS + STEPS // 10  # every train step and every val record
    assert sum(line.split(",")[2] == "val" for line in lines[1:]) == STEPS // 10
