"""A hostile web page in a real Chromium, served from another loopback port while the viewer runs
(docs/viewer.md#security): it cannot import runs, make the viewer connect anywhere, read the log
WebSocket or show the viewer in a frame. And the printed ``?token=`` URL leaves the address bar."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from archive_fixtures import tree_hashes, write_run
from playwright.sync_api import expect

from runicorn import archive as archives

pytestmark = pytest.mark.browser
TOKEN = "s3cret-token-for-tests"


@pytest.fixture
def hostile_site() -> Iterator[Callable[[str], str]]:
    """``hostile_site(html) -> "http://localhost:PORT/"``: a page on another origin than the viewer."""
    pages: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            body = pages.get(self.path.split("?")[0], b"not found")
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def serve(html: str) -> str:
        path = f"/page{len(pages)}.html"
        pages[path] = html.encode()
        return f"http://localhost:{server.server_address[1]}{path}"

    yield serve
    server.shutdown()
    server.server_close()


def _archive(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    write_run(source, "vision", "resnet")
    return archives.export_runs(source, tmp_path / "runs.tar.gz", archives.select_runs(source)).path


def test_a_hostile_page_imports_nothing_and_opens_no_ssh_connection(
    browser: Any,
    live_viewer: Any,
    storage_root: Path,
    tmp_path: Path,
    hostile_site: Any,
    connection_recorder: Any,
) -> None:
    ssh = connection_recorder()
    viewer = live_viewer(storage_root)
    archive = _archive(tmp_path)
    before = tree_hashes(storage_root)
    connect_json = f'{{"host": "127.0.0.1", "port": {ssh.port}, "user": "me", "agent": false, "x": "'
    page_url = hostile_site(
        f"""<!doctype html><body>
<form id="ssh" method="post" enctype="text/plain" action="{viewer}/api/ssh/connect">
  <input type="hidden" name='{connect_json}' value='"}}'></form>
<script>
async function attack(archiveBytes) {{
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(archiveBytes)]), "runs.tar.gz");
  await fetch("{viewer}/api/import", {{method: "POST", body: form, mode: "no-cors"}});
  const json = new Blob([JSON.stringify({{host: "127.0.0.1", port: {ssh.port}, user: "me", agent: false}})]);
  await fetch("{viewer}/api/ssh/connect", {{method: "POST", body: json, mode: "no-cors"}});
  await fetch("{viewer}/api/ssh/connect", {{method: "POST", body: await json.text(), mode: "no-cors"}});
  return "sent";
}}
</script></body>"""
    )
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(page_url)
        assert page.evaluate("bytes => attack(bytes)", list(archive.read_bytes())) == "sent"
        assert tree_hashes(storage_root) == before, "the page imported runs"
        with page.expect_navigation():
            page.evaluate("document.getElementById('ssh').submit()")
        assert page.url.startswith(viewer)  # the form was sent and answered
        assert '"status":403' in page.content().replace(" ", "")
    finally:
        context.close()

    assert tree_hashes(storage_root) == before
    assert ssh.count == 0


def test_a_hostile_page_cannot_read_the_log_websocket(
    browser: Any, live_viewer: Any, make_run: Any, storage_root: Path, hostile_site: Any
) -> None:
    run = make_run(steps=3, finish=False)
    (run.dir / "logs.txt").write_text("secret line\n")
    viewer = live_viewer(storage_root)
    ws_url = viewer.replace("http", "ws") + f"/api/runs/{run.id}/logs/ws"
    page_url = hostile_site(
        f"""<!doctype html><script>
function listen() {{
  return new Promise(resolve => {{
    const ws = new WebSocket("{ws_url}");
    ws.onmessage = event => resolve("read: " + event.data);
    ws.onclose = () => resolve("refused");
  }});
}}
</script>"""
    )
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(page_url)
        assert page.evaluate("listen()") == "refused"
    finally:
        context.close()


def test_a_hostile_page_cannot_frame_the_viewer(
    browser: Any, live_viewer: Any, web_dist: Path, storage_root: Path, make_run: Any, hostile_site: Any
) -> None:
    make_run(steps=3)
    viewer = live_viewer(storage_root, web_dist=web_dist)
    page_url = hostile_site(
        f'<!doctype html><iframe id="v" src="{viewer}/" onload="window.framed = true"'
        ' width="800" height="600"></iframe>'
    )
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(page_url)
        page.wait_for_function("window.framed === true")  # the frame finished, shown or refused
        (frame,) = [f for f in page.frames if f != page.main_frame]
        assert not frame.url.startswith(viewer), frame.url  # Chromium shows its error page instead
        expect(page.frame_locator("#v").get_by_test_id("run-row")).to_have_count(0)
        # the same page opened directly works: the viewer was up, only the frame was refused
        direct = context.new_page()
        direct.goto(viewer + "/")
        expect(direct.get_by_test_id("run-row")).to_have_count(1)
    finally:
        context.close()


def test_the_printed_token_url_leaves_the_address_bar_and_the_ui_works(make_run: Any, open_ui: Any) -> None:
    make_run(steps=3)
    page = open_ui(f"/?token={TOKEN}", token=TOKEN)
    expect(page.get_by_test_id("run-row")).to_have_count(1)
    assert "token" not in page.url
    page.reload()  # the cookie carries on
    expect(page.get_by_test_id("run-row")).to_have_count(1)
