"""Language and theme: the header toggles switch them and the browser remembers both across a
reload (``localStorage``)."""

from __future__ import annotations

from typing import Any

import pytest
from page_screenshots import screenshot  # type: ignore[import-not-found]
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_language_toggle_switches_labels_and_is_remembered(make_run: Any, open_ui: Any) -> None:
    run = make_run(steps=20)
    page = open_ui("/")
    expect(page.get_by_test_id("nav-runs")).to_have_text("Runs")
    page.get_by_test_id("lang-toggle").click()
    expect(page.get_by_test_id("nav-runs")).to_have_text("实验运行")
    expect(page.get_by_test_id("page-title")).to_have_text("实验运行")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.reload()
    expect(page.get_by_test_id("nav-runs")).to_have_text("实验运行")
    screenshot(page, "runs-zh")

    page.goto(f"/runs/{run.id}")
    expect(page.get_by_test_id("tab-charts")).to_have_text("图表")
    expect(page.get_by_test_id("chart-train/loss")).to_have_attribute("data-points", "20")
    screenshot(page, "run-zh")

    page.get_by_test_id("lang-toggle").click()
    expect(page.get_by_test_id("tab-charts")).to_have_text("Charts")
    page.reload()
    expect(page.get_by_test_id("tab-charts")).to_have_text("Charts")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_choice_is_remembered_by_a_reload_right_after_the_click(make_run: Any, open_ui: Any) -> None:
    make_run(steps=5)
    page = open_ui("/")
    expect(page.get_by_test_id("nav-runs")).to_have_text("Runs")
    expect(page.locator("html")).to_have_attribute("data-theme", "light")

    # The reload starts in the same task as the click, before the page has even redrawn: the
    # click itself must have saved the choice.
    click_then_reload = """id => {
        document.querySelector(`[data-testid="${id}"]`).click();
        location.reload();
    }"""
    with page.expect_navigation():
        page.evaluate(click_then_reload, "lang-toggle")
    expect(page.get_by_test_id("nav-runs")).to_have_text("实验运行")

    with page.expect_navigation():
        page.evaluate(click_then_reload, "theme-toggle")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")


def test_theme_toggle_is_remembered_across_reloads(make_run: Any, open_ui: Any) -> None:
    make_run(steps=5)
    page = open_ui("/")
    html = page.locator("html")
    expect(html).to_have_attribute("data-theme", "light")  # headless chromium prefers light
    light_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")

    page.get_by_test_id("theme-toggle").click()
    expect(html).to_have_attribute("data-theme", "dark")
    dark_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark_bg != light_bg
    page.reload()
    expect(html).to_have_attribute("data-theme", "dark")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == dark_bg
    screenshot(page, "runs-dark")

    page.get_by_test_id("theme-toggle").click()
    expect(html).to_have_attribute("data-theme", "light")
    page.reload()
    expect(html).to_have_attribute("data-theme", "light")
