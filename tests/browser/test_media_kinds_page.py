"""The Run page's Distributions and Tables tabs and the audio/video/HTML players of its Media tab,
in a real Chromium against a real viewer, over a run written by the SDK."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from media_runs import media_run  # type: ignore[import-not-found]
from page_screenshots import screenshot  # type: ignore[import-not-found]
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Pixels of a canvas that are not transparent background.
PAINTED_PIXELS = """(canvas) => {
  const px = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
  return [n, canvas.width, canvas.height];
}"""


def test_histograms_over_50_steps_are_drawn_as_a_heat_map(storage_root: Path, open_ui: Any) -> None:
    run = media_run(storage_root)
    page = open_ui(f"/runs/{run.id}")
    page.get_by_test_id("tab-distributions").click()
    card = page.get_by_test_id("histogram-weights")
    expect(card).to_have_attribute("data-steps", "50")
    canvas = page.get_by_test_id("heatmap-weights")
    page.wait_for_function("(c) => c.width === 50", arg=canvas.element_handle())
    painted, width, height = page.evaluate(PAINTED_PIXELS, canvas.element_handle())
    assert width == 50 and 0 < painted < width * height, (painted, width, height)
    screenshot(page, "run-distributions")


def test_a_100_row_table_pages_and_sorts_by_a_clicked_header(storage_root: Path, open_ui: Any) -> None:
    run = media_run(storage_root)
    page = open_ui(f"/runs/{run.id}")
    page.get_by_test_id("tab-tables").click()
    rows = page.get_by_test_id("table-row")
    expect(rows).to_have_count(20)
    expect(page.get_by_test_id("table-page")).to_contain_text("1–20 / 100")
    expect(rows.first.locator("td").first).to_have_text("0")
    page.get_by_test_id("table-next").click()
    expect(page.get_by_test_id("table-page")).to_contain_text("21–40 / 100")
    expect(rows.first.locator("td").first).to_have_text("20")
    page.get_by_test_id("table-header-score").click()  # ascending, back to the first page
    expect(page.get_by_test_id("table-page")).to_contain_text("1–20 / 100")
    expect(rows.first.locator("td").nth(2)).to_have_text("0")
    page.get_by_test_id("table-header-score").click()  # descending
    expect(rows.first.locator("td").nth(2)).to_have_text("9.9")
    screenshot(page, "run-tables")


def test_audio_and_gif_video_load_and_html_is_shown_in_a_sandboxed_frame(
    storage_root: Path, open_ui: Any
) -> None:
    run = media_run(storage_root)
    page = open_ui(f"/runs/{run.id}")
    page.get_by_test_id("tab-media").click()
    audio = page.get_by_test_id("audio-tone")
    video = page.get_by_test_id("video-rollout")
    expect(audio).to_be_attached()
    page.wait_for_function("(a) => a.readyState >= 1 && a.duration > 0.9", arg=audio.element_handle())
    page.wait_for_function("(v) => v.complete && v.naturalWidth === 32", arg=video.element_handle())
    frame = page.get_by_test_id("html-report")
    expect(frame).to_have_attribute("sandbox", "")
    expect(page.frame_locator('[data-testid="html-report"]').locator("#title")).to_have_text("Report")
    screenshot(page, "run-media-players")
