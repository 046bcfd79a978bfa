"""The run page as a researcher reads it: why the run ended (a timeout in words, the exit code,
the attempts, the error) apart from its command line, its tags and notes, folding alerts and
nested config, numbers and bytes formatted one way, and a finished run's page that stops
fetching while a live run's keeps updating."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from page_screenshots import screenshot  # type: ignore[import-not-found]
from playwright.sync_api import expect

from runicorn import format as fmt

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]


def runicorn_run(storage: Path, *args: str) -> Path:
    """Records a command with the real `runicorn run`; the run's folder."""
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "RUNICORN_RUN_GRACE_S": "1",
        "RUNICORN_SYSTEM_INTERVAL_S": "60",
    }
    subprocess.run(
        [sys.executable, "-m", "runicorn.cli", "run", "--storage", str(storage), *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        check=False,
    )
    found = sorted(storage.glob(f"*/*/{fmt.RUNS_DIR}/*"), key=lambda p: p.stat().st_mtime)
    assert found, "runicorn run recorded no run"
    return found[-1]


def test_a_timed_out_run_says_so_in_words_outside_its_command(storage_root: Path, open_ui: Any) -> None:
    run_dir = runicorn_run(
        storage_root, "--project", "demo", "--name", "slow", "--tag", "baseline",
        "--notes", "lr sweep, seed 3", "--timeout", "1",
        "--", sys.executable, "-c", "import time; time.sleep(60)",
    )  # fmt: skip
    page = open_ui(f"/runs/{run_dir.name}")
    end = page.get_by_test_id("run-end")
    expect(end).to_have_attribute("data-cause", "timeout")
    expect(page.get_by_test_id("run-end-cause")).to_contain_text("Timed out (timeout)")
    expect(page.get_by_test_id("run-end-exit-code")).to_have_text("exit code 124")
    expect(page.get_by_test_id("run-end-attempts")).to_have_text("attempts: 1")
    expect(page.get_by_test_id("run-tag")).to_have_text(["baseline"])
    expect(page.get_by_test_id("run-notes")).to_contain_text("lr sweep, seed 3")
    # the words are the page's, not the command line's (which is on the Meta card, not shown yet)
    expect(page.get_by_test_id("meta-command")).to_have_count(0)
    screenshot(page, "run-end-timeout")

    page.get_by_test_id("lang-toggle").click()
    expect(page.get_by_test_id("run-end-cause")).to_contain_text("超时")
    expect(page.get_by_test_id("run-end-exit-code")).to_contain_text("退出码 124")
    expect(page.get_by_test_id("run-end-exit-code")).to_contain_text("exit code 124")
    screenshot(page, "run-end-timeout-zh")
    page.get_by_test_id("lang-toggle").click()


def test_a_failed_run_shows_its_error_and_attempts(storage_root: Path, open_ui: Any, tmp_path: Path) -> None:
    failing = tmp_path / "failing.py"
    failing.write_text("print('epoch 1')\nraise ValueError('bad lr')\n")
    run_dir = runicorn_run(
        storage_root, "--project", "demo", "--name", "flaky", "--retries", "1", "--retry-delay", "0.1",
        "--", sys.executable, str(failing),
    )  # fmt: skip
    page = open_ui(f"/runs/{run_dir.name}")
    expect(page.get_by_test_id("run-end")).to_have_attribute("data-cause", "error")
    # the script's own exception (read from its console by the wrapper), the exit code beside it
    expect(page.get_by_test_id("run-end-exit-code")).to_have_text("exit code 1")
    expect(page.get_by_test_id("run-end-attempts")).to_have_text("attempts: 2")
    expect(page.get_by_test_id("run-end-error")).to_have_text("ValueError: bad lr")
    screenshot(page, "run-end-failed")


def test_alerts_fold_and_nested_config_is_a_tree_with_numbers_and_bytes_formatted(
    make_run: Any, open_ui: Any
) -> None:
    config = {
        "optimizer": {"name": "adamw", "lr": 0.0001, "betas": [0.9, 0.999]},
        "seed": 1234567,
        "dropout": 0.1,
    }
    run = make_run(steps=3, finish=False, config=config)
    run.summary({"checkpoint_bytes": 3 * 1024**3, "val/loss": 0.123456789, "tokens": 25_000_000})
    for i in range(7):
        run.alert(f"alert {i}", level="warning")
    run.finish()
    page = open_ui(f"/runs/{run.id}")

    alerts = page.get_by_test_id("run-alert")
    expect(alerts).to_have_count(5)  # the latest five, the rest behind "+ 2"
    page.get_by_test_id("alerts-fold").click()
    expect(alerts.first).to_be_hidden()
    page.get_by_test_id("alerts-fold").click()
    expect(alerts.first).to_be_visible()

    page.get_by_test_id("tab-overview").click()
    summary = page.get_by_test_id("summary-table")
    expect(summary.locator('[data-key="checkpoint_bytes"] td')).to_have_text("3.0 GiB")
    expect(summary.locator('[data-key="val/loss"] td')).to_have_text("0.12346")
    expect(summary.locator('[data-key="tokens"] td')).to_have_text("25,000,000")
    tree = page.get_by_test_id("config-table")
    lr = tree.locator('[data-key="optimizer.lr"] td')
    expect(lr).to_have_text("1e-4")
    expect(tree.locator('[data-key="optimizer.betas"] td')).to_have_text("[0.9, 0.999]")
    expect(tree.locator('[data-key="seed"] td')).to_have_text("1,234,567")
    node = page.locator('[data-testid="config-table-node"][data-key="optimizer"]')
    expect(node).to_contain_text("3 keys")
    screenshot(page, "run-config-tree")
    node.locator("summary").click()
    expect(lr).to_be_hidden()
    expect(tree.locator('[data-key="dropout"] td')).to_have_text("0.1")


def api_requests(seen: list[str]) -> list[str]:
    return [u for u in seen if "/api/" in u]


def test_a_finished_run_page_stops_fetching_while_a_live_one_keeps_updating(
    make_run: Any, open_ui: Any
) -> None:
    done = make_run(name="done", steps=20)
    live = make_run(name="live", steps=20, finish=False)
    page = open_ui("/")
    # the page's clock is Playwright's: `run_for` fires every timer due in that much page time at
    # once, so "nothing more in 30 s" is checked without waiting 30 s
    page.clock.install()
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))

    page.goto(f"/runs/{done.id}")
    expect(page.get_by_test_id("chart-train/loss")).to_have_attribute("data-points", "20")
    expect(page.get_by_test_id("status-badge")).to_have_attribute("data-status", "finished")
    page.wait_for_load_state("networkidle")
    seen.clear()
    for _ in range(3):
        page.clock.run_for("00:10")
        page.wait_for_load_state("networkidle")
    assert api_requests(seen) == [], seen

    page.goto(f"/runs/{live.id}")
    expect(page.get_by_test_id("chart-train/loss")).to_have_attribute("data-points", "20")
    seen.clear()
    page.clock.run_for("00:06")
    page.wait_for_load_state("networkidle")
    asked = api_requests(seen)
    assert any(u.endswith(f"/api/runs/{live.id}") for u in asked), asked  # the run, every 5 s
    assert any("/metrics?" in u for u in asked), asked  # its metrics, every 1.5 s

    for step in range(21, 26):
        live.log({"train/loss": 1.0 / step}, step=step)
    live.flush()
    chart = page.get_by_test_id("chart-train/loss")
    deadline = time.monotonic() + 20
    while chart.get_attribute("data-points") != "25":
        assert time.monotonic() < deadline, (
            f"the live chart did not update: {chart.get_attribute('data-points')}"
        )
        page.clock.run_for("00:02")
        page.wait_for_load_state("networkidle")
    screenshot(page, "run-live-updating", full_page=False)

    # once the live run ends, its page fetches what was left, then stops too
    live.log({"train/loss": 0.01}, step=26)
    live.finish()
    badge = page.get_by_test_id("status-badge")
    deadline = time.monotonic() + 20
    while badge.get_attribute("data-status") != "finished" or chart.get_attribute("data-points") != "26":
        assert time.monotonic() < deadline, "the page did not see the run end with its last point"
        page.clock.run_for("00:02")
        page.wait_for_load_state("networkidle")
    page.clock.run_for("00:02")
    page.wait_for_load_state("networkidle")
    seen.clear()
    for _ in range(3):
        page.clock.run_for("00:10")
        page.wait_for_load_state("networkidle")
    assert api_requests(seen) == [], seen
