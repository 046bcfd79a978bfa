"""``runicorn viewer`` as its owner meets it in a browser (docs/viewer.md#security-model): the
printed URL opens the runs page and leaves the address bar; a browser without the cookie gets a
page asking for the token, and the token pasted there opens the viewer."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def viewer_process(storage_root: Path, tmp_path: Path, web_dist: Path) -> Iterator[str]:
    """A real ``runicorn viewer`` (the built UI); yields the URL it printed."""
    out_path = tmp_path / "viewer.out"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "RUNICORN_CONFIG_FILE": str(tmp_path / "cfg" / "config.json"),
        "PYTHONUNBUFFERED": "1",
    }
    with open(out_path, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "runicorn.cli", "viewer", "--storage", str(storage_root), "--port", "0"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while not (found := re.search(r"Runicorn viewer: (http://\S+)", out_path.read_text())):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the viewer printed no URL:\n{out_path.read_text()}")
            time.sleep(0.05)
        yield found.group(1)
    finally:
        proc.kill()
        proc.wait(10)


def test_the_printed_url_opens_the_runs_page_and_leaves_the_address_bar(
    browser: Any, make_run: Any, viewer_process: str
) -> None:
    make_run(steps=3)
    assert "?token=" in viewer_process
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(viewer_process)
        expect(page.get_by_test_id("run-row")).to_have_count(1)
        assert "token" not in page.url
        cookies = context.cookies()
        token = viewer_process.split("?token=", 1)[1]
        assert [c["name"] for c in cookies] == [f"runicorn_{page.url.split(':')[2].split('/')[0]}"]
        assert token not in cookies[0]["value"] and cookies[0]["httpOnly"]
        page.reload()  # the cookie carries on
        expect(page.get_by_test_id("run-row")).to_have_count(1)
    finally:
        context.close()


def test_a_browser_without_the_cookie_is_asked_for_the_token(
    browser: Any, make_run: Any, viewer_process: str
) -> None:
    make_run(steps=3)
    base, token = viewer_process.split("?token=", 1)
    context = browser.new_context()
    try:
        page = context.new_page()
        answer = page.goto(base + "runs")
        assert answer is not None and answer.status == 401
        expect(page.get_by_role("heading", name="Token needed")).to_be_visible()
        page.get_by_test_id("login-token").fill("not-the-token")
        page.get_by_test_id("login-open").click()
        expect(page.get_by_role("heading", name="Token needed")).to_be_visible()
        page.get_by_test_id("login-token").fill(token)
        page.get_by_test_id("login-open").click()
        expect(page.get_by_test_id("run-row")).to_have_count(1)
        assert "token" not in page.url
    finally:
        context.close()
