"""What a chart draws in a real chromium, read from its canvas: a metric logged once shows as a dot,
and tick labels of tiny values (a learning rate of 1e-5) fit beside the plot, not cut off."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from page_screenshots import screenshot  # type: ignore[import-not-found]
from playwright.sync_api import expect

import runicorn

pytestmark = pytest.mark.browser

SERIES_RGB = (99, 102, 241)  # the first series colour (#6366f1)
TICK_PX, GAP_PX = 10, 5  # uPlot's tick length and tick-to-label gap


def log_run(storage_root: Path) -> runicorn.Run:
    """A learning rate decaying from 1e-4 past 1e-5 over 12 million steps, and a test accuracy
    logged once at the end."""
    run = runicorn.init(
        project="demo", name="lr", storage=storage_root, capture_console=False, system_metrics=False
    )
    for k in range(1, 49):
        run.log({"train/lr": 1e-4 * 0.95**k}, step=k * 250_000)
    run.log({"test/acc": 0.93}, step=48 * 250_000)
    run.finish()
    return run


# Counts pixels of the series colour within `radius` CSS pixels of the chart's only value, placed
# on the canvas by the chart's own scales (data-x-min ... test hooks).
COUNT_POINT_PIXELS = """(el, [x, y, rgb, radius]) => {
    const over = el.querySelector(".u-over").getBoundingClientRect();
    const canvas = el.querySelector("canvas");
    const box = canvas.getBoundingClientRect();
    const d = el.dataset;
    const px = over.left + (x - d.xMin) / (d.xMax - d.xMin) * over.width;
    const py = over.top + (1 - (y - d.yMin) / (d.yMax - d.yMin)) * over.height;
    const k = canvas.width / box.width;
    const r = Math.ceil(radius * k);
    const cx = Math.round((px - box.left) * k), cy = Math.round((py - box.top) * k);
    const pixels = canvas.getContext("2d").getImageData(cx - r, cy - r, 2 * r + 1, 2 * r + 1).data;
    let n = 0;
    for (let i = 0; i < pixels.length; i += 4) {
        const near = Math.abs(pixels[i] - rgb[0]) + Math.abs(pixels[i + 1] - rgb[1])
            + Math.abs(pixels[i + 2] - rgb[2]);
        if (pixels[i + 3] > 200 && near < 40) n++;
    }
    return n;
}"""

# The y axis' width as uPlot laid it out, and each drawn y label's width measured in the font the
# chart's canvas draws text in.
Y_AXIS_ROOM = """el => {
    const canvas = el.querySelector("canvas");
    const k = canvas.width / canvas.getBoundingClientRect().width;
    const ctx = document.createElement("canvas").getContext("2d");
    ctx.font = canvas.getContext("2d").font;
    const labels = el.dataset.yLabels.split("|").filter(Boolean);
    return {
        font: ctx.font,
        axis: el.querySelectorAll(".u-axis")[1].getBoundingClientRect().width,
        labels: labels.map(text => ({text, width: ctx.measureText(text).width / k})),
    };
}"""


def test_a_metric_logged_once_is_drawn_as_a_point(storage_root: Path, open_ui: Any) -> None:
    run = log_run(storage_root)
    page = open_ui(f"/runs/{run.id}")
    chart = page.get_by_test_id("chart-test/acc")
    expect(chart).to_have_attribute("data-points", "1")
    expect(chart).to_have_attribute("data-y-max", re.compile(r"^\d"))  # drawn: the scales are set

    drawn = chart.evaluate(COUNT_POINT_PIXELS, [12_000_000, 0.93, list(SERIES_RGB), 6])

    screenshot(page, "chart-single-point")
    assert drawn >= 12, f"only {drawn} pixels of the series colour where the single value lies"


def test_tiny_values_leave_their_tick_labels_whole(storage_root: Path, open_ui: Any) -> None:
    run = log_run(storage_root)
    page = open_ui(f"/runs/{run.id}")
    chart = page.get_by_test_id("chart-train/lr")
    expect(chart).to_have_attribute("data-points", "48")
    expect(chart).to_have_attribute("data-y-labels", re.compile("e-"))

    room = chart.evaluate(Y_AXIS_ROOM)

    screenshot(page, "chart-tiny-values")
    assert "px" in room["font"] and len(room["labels"]) >= 3
    for label in room["labels"]:
        assert label["width"] + GAP_PX + TICK_PX <= room["axis"], (
            f"y label {label['text']!r} ({label['width']:.1f} px) does not fit an axis of {room['axis']} px"
        )
