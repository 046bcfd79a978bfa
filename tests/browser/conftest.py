"""Browser fixtures: Debian's chromium driven by Playwright against a real viewer serving the
built UI. Every page records console errors; a test fails if its page logged any."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from runicorn import format as fmt

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]
WEB_DIST = REPO / "runicorn" / "web_dist"


@pytest.fixture(scope="session")
def web_dist() -> Path:
    """The built UI; built here (npm ci + build) when a source checkout has none yet."""
    if not (WEB_DIST / "index.html").is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("the web UI is not built and npm is missing (install Node.js 20+ with npm)")
        for args in ([npm, "ci", "--no-audit", "--no-fund"], [npm, "run", "build"]):
            done = subprocess.run(args, cwd=REPO / "web", capture_output=True, text=True, check=False)
            if done.returncode:
                pytest.fail(f"`npm {' '.join(args[1:])}` failed:\n{done.stdout}\n{done.stderr}")
    return WEB_DIST


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ConsoleLog:
    def __init__(self, expected_failed_urls: tuple[str, ...] = ()) -> None:
        self.errors: list[str] = []
        self.expected_failed_urls = expected_failed_urls  # URL endings a test makes fail on purpose

    def on_console(self, msg: Any) -> None:
        url = str((msg.location or {}).get("url", ""))
        if msg.text.startswith("Failed to load resource") and url.endswith(self.expected_failed_urls):
            return
        if msg.type == "error":
            self.errors.append(f"console: {msg.text} ({msg.location})")

    def on_page_error(self, err: Any) -> None:
        self.errors.append(f"page error: {err}")


@pytest.fixture
def open_ui(
    browser: Any, web_dist: Path, live_viewer: Any, storage_root: Path
) -> Iterator[Callable[..., Any]]:
    """``open_ui(path="/", expected_failed_urls=(), **viewer_kwargs) -> page`` on a real viewer over
    ``storage_root``; requests to URLs ending in ``expected_failed_urls`` may answer an error."""
    contexts: list[Any] = []
    logs: list[ConsoleLog] = []

    def open_page(path: str = "/", expected_failed_urls: tuple[str, ...] = (), **viewer_kwargs: Any) -> Any:
        base = live_viewer(storage_root, web_dist=web_dist, **viewer_kwargs)
        context = browser.new_context(base_url=base, viewport={"width": 1400, "height": 900})
        contexts.append(context)
        page = context.new_page()
        log = ConsoleLog(expected_failed_urls)
        logs.append(log)
        page.on("console", log.on_console)
        page.on("pageerror", log.on_page_error)
        page.goto(path)
        return page

    yield open_page
    errors = [e for log in logs for e in log.errors]
    for context in contexts:
        context.close()
    assert not errors, "the page logged errors:\n" + "\n".join(errors)


@pytest.fixture
def open_log_tab(make_run: Any, open_ui: Any) -> Callable[[Iterable[str]], tuple[Any, Any]]:
    """``open_log_tab(lines) -> (run, page)``: a running run whose logs.txt holds ``lines``
    (each ending with a newline), opened on its Logs tab."""

    def open_tab(lines: Iterable[str]) -> tuple[Any, Any]:
        run = make_run(steps=5, finish=False)
        with open(run.dir / fmt.LOGS_FILE, "a", encoding="utf-8") as f:
            f.writelines(lines)
        page = open_ui(f"/runs/{run.id}")
        page.get_by_test_id("tab-logs").click()
        return run, page

    return open_tab
