"""The run page shows why a run failed and what code it ran (the uncommitted diff)."""

from __future__ import annotations

from typing import Any

import pytest
from page_screenshots import screenshot  # type: ignore[import-not-found]
from playwright.sync_api import expect

from runicorn import format as fmt

pytestmark = pytest.mark.browser


def test_failed_run_shows_its_traceback_and_diff(make_run: Any, open_ui: Any) -> None:
    run = make_run(steps=5, finish=False)
    (run.dir / fmt.GIT_DIFF_FILE).write_text("--- a/train.py\n+++ b/train.py\n-lr = 0.1\n+lr = 0.3\n")
    try:
        raise RuntimeError("loss diverged")
    except RuntimeError as exc:
        run._fail(type(exc), exc, exc.__traceback__)
    page = open_ui(f"/runs/{run.id}")
    page.get_by_test_id("tab-overview").click()
    page.get_by_test_id("run-traceback").locator("summary").click()
    expect(page.get_by_test_id("run-traceback-text")).to_contain_text("RuntimeError: loss diverged")
    page.get_by_test_id("run-git-diff").locator("summary").click()
    expect(page.get_by_test_id("run-git-diff-text")).to_contain_text("+lr = 0.3")
    screenshot(page, "run-traceback-diff")
