"""The UI in Chinese, complete: job statuses, a run's meta keys and the label of a group of runs
without the grouping key ("no optimizer") are in Chinese, not left in English."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from integration.agent_server import live_agent  # noqa: F401
from page_screenshots import screenshot  # type: ignore[import-not-found]
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _in_chinese(page: Any) -> None:
    page.get_by_test_id("lang-toggle").click()
    expect(page.get_by_test_id("nav-runs")).to_have_text("实验运行")


def test_the_jobs_page_in_chinese_names_every_job_status_in_chinese(
    live_agent: Any,  # noqa: F811
    open_ui: Any,
    storage_root: Path,
    tmp_path: Path,
) -> None:
    agent = live_agent(storage_root)
    done = agent.submit(command=["true"], workdir=str(tmp_path), project="vision", name="quick")
    agent.wait_status(done["id"], "succeeded")
    agent.submit(command=["true"], workdir=str(tmp_path), project="vision", name="waits", requires=["never"])
    page = open_ui("/jobs")
    _in_chinese(page)
    badges = page.get_by_test_id("job-row").get_by_test_id("status-badge")
    expect(badges).to_have_text(["排队中", "成功"])
    expect(page.get_by_test_id("jobs-status").locator("option")).to_have_text(
        ["全部状态", "排队中", "运行中", "成功", "失败", "已取消"]
    )
    page.locator(f'[data-job="{done["id"]}"]').get_by_test_id("job-open").click()
    expect(page.get_by_test_id("job-status")).to_have_text("成功")
    text = page.locator("main").inner_text()
    for english in ("pending", "succeeded", "Checkpoints", "Status", "Attempts"):
        assert english not in text, english
    screenshot(page, "zh-jobs")


def test_a_grouped_chart_and_the_run_meta_in_chinese(make_run: Any, open_ui: Any) -> None:
    make_run(name="g", steps=20, config={"optimizer": "adam", "lr": 0.1})
    make_run(name="g", steps=20, config={"lr": 0.01})
    run = make_run(name="g", steps=20, config={"optimizer": "adam", "lr": 0.01})
    page = open_ui("/?view=charts&group=config.optimizer&charts=train/loss")
    _in_chinese(page)
    chart = page.get_by_test_id("grouped-chart")
    expect(chart).to_have_attribute("data-groups", "2")
    expect(chart).to_contain_text("无 optimizer")
    expect(chart).to_contain_text("optimizer=adam")
    expect(chart).not_to_contain_text("no optimizer")
    screenshot(page, "zh-grouped-chart")

    page.goto(f"/runs/{run.id}")
    page.get_by_test_id("tab-overview").click()
    meta = page.get_by_test_id("meta-table")
    expect(meta).to_contain_text("工作目录")
    expect(meta).to_contain_text("平台")
    expect(meta).not_to_contain_text("cwd")
    expect(meta).not_to_contain_text("platform")


def test_with_no_agent_the_chinese_jobs_page_says_so_in_chinese_and_shows_the_command(open_ui: Any) -> None:
    page = open_ui("/jobs")
    _in_chinese(page)
    note = page.get_by_test_id("jobs-no-agent")
    expect(note).to_contain_text("还没有运行过 agent")
    expect(page.get_by_test_id("jobs-hint")).to_have_text("runicorn agent --storage ROOT")
    expect(note).not_to_contain_text("start one with")
