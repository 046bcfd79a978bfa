"""More of the Run page: stage phases shaded on the charts, the log tail's follow mode, the run's
own system history."""

from __future__ import annotations

import time
from typing import Any

import pytest
from page_screenshots import screenshot  # type: ignore[import-not-found]
from playwright.sync_api import expect

from runicorn import format as fmt

pytestmark = pytest.mark.browser

# The summed colour channels of a small patch of a chart's canvas, at a fraction of the plot's
# width and height (the plot area is uPlot's `.u-over`; the canvas also holds the axes).
PATCH_RGB = """([chart, fx, fy]) => {
  const canvas = chart.querySelector("canvas");
  const over = chart.querySelector(".u-over").getBoundingClientRect();
  const box = canvas.getBoundingClientRect();
  const scale = canvas.width / box.width;
  const x = Math.round((over.left - box.left + over.width * fx) * scale);
  const y = Math.round((over.top - box.top + over.height * fy) * scale);
  const px = canvas.getContext("2d").getImageData(x - 2, y - 2, 5, 5).data;
  const sum = [0, 0, 0];
  for (let i = 0; i < px.length; i += 4) for (let c = 0; c < 3; c++) sum[c] += px[i + c] * px[i + 3];
  return sum;
}"""


def test_stage_phases_are_shaded_and_interleaved_stages_are_not(make_run: Any, open_ui: Any) -> None:
    interleaved = make_run(name="canonical", steps=20)  # a val point every 10 train steps
    run = make_run(name="phased", steps=0, finish=False)
    for step in range(1, 31):
        run.log({"loss": 1.0 / step}, step=step, stage="warmup" if step <= 10 else "train")
    run.finish()

    page = open_ui(f"/runs/{run.id}")
    chart = page.get_by_test_id("chart-loss")
    expect(chart).to_have_attribute("data-points", "30")
    expect(chart).to_have_attribute("data-phases", "2")
    # The first phase (steps 1-10) is tinted with the first colour (indigo), the second (11-30)
    # with the second (orange); the curve stays in the lower part of the plot.
    r1, _, b1 = page.evaluate(PATCH_RGB, [chart.element_handle(), 0.15, 0.2])
    r2, _, b2 = page.evaluate(PATCH_RGB, [chart.element_handle(), 0.75, 0.2])
    assert b1 > r1 > 0, (r1, b1)
    assert r2 > b2 > 0, (r2, b2)
    r3, _, b3 = page.evaluate(PATCH_RGB, [chart.element_handle(), (10.6 - 1) / 29, 0.2])
    assert b3 > r3 > 0, (r3, b3)  # a phase is shaded up to where the next one starts
    screenshot(page, "run-stage-phases")

    page.goto(f"/runs/{interleaved.id}")
    expect(page.get_by_test_id("chart-train/loss")).to_have_attribute("data-points", "20")
    expect(page.get_by_test_id("chart-train/loss")).to_have_attribute("data-phases", "0")


def test_log_follow_pauses_when_scrolled_up_and_resumes(open_log_tab: Any) -> None:
    run, page = open_log_tab(f"line {i}\n" for i in range(2_000))
    view = page.get_by_test_id("log-view")
    follow = page.get_by_test_id("log-follow")
    lines = page.get_by_test_id("log-line")
    expect(lines.filter(has_text="line 1999")).to_be_visible()
    expect(follow).to_be_checked()

    view.evaluate("el => el.scrollTo(0, 0)")
    expect(follow).not_to_be_checked()
    expect(lines.filter(has_text="line 0")).to_be_visible()
    with open(run.dir / fmt.LOGS_FILE, "a", encoding="utf-8") as f:
        f.write("after the pause\n")
    expect(page.get_by_test_id("log-count")).to_contain_text("2,002", timeout=10_000)
    expect(lines.filter(has_text="line 0")).to_be_visible()  # the view did not jump
    expect(lines.filter(has_text="after the pause")).to_have_count(0)

    follow.check()
    expect(lines.filter(has_text="after the pause")).to_be_visible()
    with open(run.dir / fmt.LOGS_FILE, "a", encoding="utf-8") as f:
        f.write("while following\n")
    expect(lines.filter(has_text="while following")).to_be_visible(timeout=10_000)


def test_system_tab_draws_the_runs_own_cpu_and_memory_history(
    make_run: Any, open_ui: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNICORN_SYSTEM_INTERVAL_S", "0.05")
    run = make_run(steps=5, finish=False, system_metrics=True)
    time.sleep(0.6)
    run.finish()
    page = open_ui(f"/runs/{run.id}")
    page.get_by_test_id("tab-system").click()
    ram = page.get_by_test_id("system-chart-ram/used_bytes")
    expect(ram.locator("canvas")).to_have_count(1)
    assert int(ram.get_attribute("data-points")) >= 3
    expect(ram).to_have_attribute("data-x", "time")
    expect(page.get_by_test_id("chart-group-ram")).to_be_visible()
    screenshot(page, "run-system")
