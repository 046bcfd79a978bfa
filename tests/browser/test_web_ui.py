"""The web UI in a real headless chromium against a real viewer, with runs written by the SDK."""

from __future__ import annotations

import re
import socket
from typing import Any

import pytest
from fake_nvml import FakeNvml  # type: ignore[import-not-found]
from page_screenshots import screenshot  # type: ignore[import-not-found]
from playwright.sync_api import expect

from runicorn import format as fmt

pytestmark = pytest.mark.browser


def test_runs_table_lists_runs_and_filters_work(make_run: Any, open_ui: Any) -> None:
    make_run(project="vision", name="resnet", steps=20, tags=["baseline"])
    make_run(project="vision", name="vit", steps=20, tags=["big"])
    make_run(project="nlp", name="bert", steps=20, finish=False)
    page = open_ui("/")
    rows = page.get_by_test_id("run-row")
    expect(rows).to_have_count(3)
    expect(page.get_by_test_id("runs-table")).to_contain_text("resnet")
    screenshot(page, "runs")

    page.get_by_test_id("filter-project").select_option("nlp")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("bert")
    expect(rows.first.get_by_test_id("status-badge")).to_have_attribute("data-status", "running")

    page.get_by_test_id("filter-project").select_option("")
    expect(rows).to_have_count(3)
    page.get_by_test_id("filter-status").select_option("finished")
    expect(rows).to_have_count(2)
    page.get_by_test_id("filter-search").fill("vit")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("vit")


def test_run_page_draws_one_chart_per_metric(make_run: Any, open_ui: Any) -> None:
    run = make_run(steps=40)
    page = open_ui("/")
    page.get_by_test_id("run-link").first.click()
    expect(page.get_by_test_id("run-title")).to_contain_text(run.id)
    for key in ("train/loss", "train/acc", "val/loss"):
        chart = page.get_by_test_id(f"chart-{key}")
        expect(chart).to_have_attribute("data-series", "1")
        expect(chart.locator("canvas")).to_have_count(1)
    expect(page.locator(".chart canvas")).to_have_count(3)
    expect(page.get_by_test_id("chart-group-train")).to_be_visible()
    expect(page.get_by_test_id("chart-train/loss")).to_have_attribute("data-points", "40")
    screenshot(page, "run-charts")

    page.get_by_test_id("tab-overview").click()
    expect(page.get_by_test_id("config-table")).to_contain_text("batch_size")
    expect(page.get_by_test_id("summary-table")).to_contain_text("best_acc")
    expect(page.get_by_test_id("meta-table")).to_contain_text(socket.gethostname())
    expect(page.get_by_test_id("meta-command")).to_contain_text("pytest")
    screenshot(page, "run-overview")


def test_appended_steps_and_log_lines_appear_without_reload(make_run: Any, open_ui: Any) -> None:
    run = make_run(steps=30, finish=False)
    page = open_ui(f"/runs/{run.id}")
    chart = page.get_by_test_id("chart-train/loss")
    expect(chart).to_have_attribute("data-points", "30")

    for step in range(31, 46):
        run.log({"train/loss": 1.0 / step, "train/acc": 0.9}, step=step, stage="train")
    run.flush()
    expect(chart).to_have_attribute("data-points", "45", timeout=10_000)

    page.get_by_test_id("tab-logs").click()
    expect(page.get_by_test_id("log-view")).to_contain_text("trained 30 steps")
    with open(run.dir / fmt.LOGS_FILE, "a", encoding="utf-8") as f:
        f.write("[12:00:00] \x1b[31mepoch 2 finished\x1b[0m\n")
    line = page.get_by_test_id("log-line").filter(has_text="epoch 2 finished")
    expect(line).to_be_visible(timeout=10_000)
    expect(line.locator(".fg-red")).to_have_text("epoch 2 finished")
    screenshot(page, "run-logs")

    page.get_by_test_id("log-search").fill("trained")
    expect(page.get_by_test_id("log-line")).to_have_count(1)


def test_compare_overlays_two_picked_runs(make_run: Any, open_ui: Any) -> None:
    make_run(name="exp1", steps=30)
    make_run(name="exp2", steps=50)
    page = open_ui("/")
    expect(page.get_by_test_id("run-row")).to_have_count(2)
    for pick in page.get_by_test_id("run-pick").all():
        pick.check()
    page.get_by_test_id("compare-selected").click()
    expect(page).to_have_url(re.compile(r"/compare\?ids="))
    for key in ("train/loss", "train/acc", "val/loss"):
        expect(page.get_by_test_id(f"compare-chart-{key}")).to_have_attribute("data-series", "2")
    chart = page.get_by_test_id("compare-chart-train/loss")
    expect(chart.locator(".u-legend")).to_contain_text("exp2")
    screenshot(page, "compare")

    # A click on a legend entry hides that run's line; another shows it again.
    entry = chart.locator(".u-legend .u-series").filter(has_text="exp2")
    expect(chart).to_have_attribute("data-shown", "2")
    entry.click()
    expect(chart).to_have_attribute("data-shown", "1")
    expect(entry).to_have_class(re.compile(r"\bu-off\b"))
    entry.click()
    expect(chart).to_have_attribute("data-shown", "2")


REFRESH_MS = 5_000  # the Runs page's auto-refresh period


def refresh_ticks(page: Any, rows: Any, want: int, ticks: int = 8) -> int:
    """Moves the page's clock one refresh period at a time (and lets real time pass for the
    viewer's own re-scan, at most once a second) until the table has ``want`` rows or ``ticks``
    periods went by; returns the row count."""
    for _ in range(ticks):
        page.clock.run_for(REFRESH_MS)
        page.wait_for_timeout(400)
        if rows.count() == want:
            break
    return rows.count()


def test_runs_table_refreshes_itself_unless_auto_refresh_is_off(make_run: Any, open_ui: Any) -> None:
    make_run(name="first", steps=5)
    page = open_ui("/")
    page.clock.install()  # the table's refresh timer runs on a clock the test moves
    page.reload()
    rows = page.get_by_test_id("run-row")
    expect(rows).to_have_count(1)

    make_run(name="second", steps=5)
    assert refresh_ticks(page, rows, 2) == 2
    expect(page.get_by_test_id("runs-table")).to_contain_text("second")

    page.get_by_test_id("auto-refresh").uncheck()
    make_run(name="third", steps=5)
    assert refresh_ticks(page, rows, 3, ticks=4) == 2

    page.get_by_test_id("auto-refresh").check()
    assert refresh_ticks(page, rows, 3) == 3


def test_gpu_page_shows_live_gpu_state(open_ui: Any) -> None:
    page = open_ui("/gpu", nvml=FakeNvml())
    card = page.get_by_test_id("gpu-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Fake A100")
    expect(card.get_by_test_id("gpu-util")).to_contain_text("87 %")
    expect(card.get_by_test_id("gpu-power")).to_contain_text("250 W")
    screenshot(page, "gpu")


def test_log_tail_of_100k_lines_keeps_only_visible_rows_in_the_page(open_log_tab: Any) -> None:
    run, page = open_log_tab(f"[10:00:00] batch {i} loss 0.{i % 1000:03d}\n" for i in range(100_000))
    expect(page.get_by_test_id("log-count")).to_contain_text("100,001", timeout=20_000)
    expect(page.get_by_test_id("log-line").filter(has_text="batch 99999 ")).to_be_visible()
    assert page.get_by_test_id("log-line").count() < 200
    page.get_by_test_id("log-search").fill("batch 4242 loss")
    expect(page.get_by_test_id("log-line")).to_have_count(1)


def test_media_gallery_shows_logged_images_with_a_step_slider(make_run: Any, open_ui: Any) -> None:
    np = pytest.importorskip("numpy")
    run = make_run(steps=5, finish=False)
    for step in (1, 2, 3):
        img = np.zeros((32, 32, 3), dtype=np.uint8)
        img[:, : step * 10] = (255, 80 * step, 40)
        run.log_image("samples", img, step=step, caption=f"epoch {step}")
    run.flush()
    page = open_ui(f"/runs/{run.id}")
    page.get_by_test_id("tab-media").click()
    card = page.get_by_test_id("media-samples")
    expect(card.locator("figcaption")).to_have_text("epoch 3")
    expect(card.locator("img")).to_have_js_property("complete", True)
    assert card.locator("img").evaluate("img => img.naturalWidth") == 32
    card.get_by_test_id("media-step").fill("0")
    expect(card.locator("figcaption")).to_have_text("epoch 1")
    screenshot(page, "run-media")
