"""Other web pages against the viewer, as an attacker drives it (docs/viewer.md#security): a page
of another site may read nothing it is not allowed to and change nothing; the answers carry the
headers that keep the viewer out of other sites' frames; the token leaves the address bar; the
viewer connects nowhere until asked."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from archive_fixtures import tree_hashes, write_run
from connection_recorder import ConnectionRecorder
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from runicorn import archive as archives
from runicorn.errors import ConfigError
from runicorn.gate.access import cookie_name, cookie_value
from runicorn.remote.registry import MirrorEntry, Registry
from runicorn.settings import resolve
from runicorn.viewer import create_app

sys.path.insert(0, str(Path(__file__).parent))
from viewer_runs import sdk_run  # noqa: E402

HOSTILE = "http://localhost:9999"
TOKEN = "s3cret-token-for-tests"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "storage"
    r.mkdir()
    return r


def _archive(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    write_run(source, "vision", "resnet")
    return archives.export_runs(source, tmp_path / "runs.tar.gz", archives.select_runs(source)).path


def _changes(base: str, archive: Path, ssh_port: int, headers: dict[str, str]) -> list[httpx.Response]:
    """Every kind of request that changes something, sent with ``headers``."""
    with httpx.Client(base_url=base, timeout=30, headers=headers) as http:
        connect_body = {"host": "127.0.0.1", "port": ssh_port, "user": "me", "agent": False, "password": "x"}
        return [
            http.post("/api/import", files={"file": (archive.name, archive.read_bytes())}),
            http.post("/api/ssh/connect", json=connect_body),
            http.post("/api/ssh/connect", json={**connect_body, "trust": True, "fingerprint": "SHA256:x"}),
            http.post("/api/ssh/mirror/start", json={"session": "s", "path": "/data"}),
            http.post("/api/ssh/mirror/stop", json={"id": "m"}),
            http.put("/api/runs", content=b"{}"),
            http.delete("/api/runs"),
            http.patch("/api/ssh/mirror/stop", json={"id": "m"}),
        ]


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": HOSTILE},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # a sandboxed frame, a data: or file: page
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # another port of localhost is the same site
    ],
    ids=["localhost-other-port", "other-site", "null", "cross-site", "same-site"],
)
def test_a_foreign_page_changes_nothing_and_gets_403_with_a_hint(
    root: Path, tmp_path: Path, live_viewer: Any, connection_recorder: Any, headers: dict[str, str]
) -> None:
    ssh = connection_recorder()
    base = live_viewer(root)
    before = tree_hashes(root)

    answers = _changes(base, _archive(tmp_path), ssh.port, headers)

    for answer in answers:
        assert answer.status_code == 403, (answer.request.method, answer.request.url, answer.text)
        body = answer.json()
        assert set(body) == {"error", "status", "hint"} and body["status"] == 403
        assert "refused" in body["error"] and "--cors-origin" in body["hint"]
    assert "Origin" not in headers or headers["Origin"] in answers[0].json()["error"]
    assert tree_hashes(root) == before
    assert httpx.get(f"{base}/api/runs").json()["total"] == 0
    assert ssh.count == 0


def test_the_viewers_own_page_a_script_and_an_allowed_origin_may_change_things(
    root: Path, tmp_path: Path, live_viewer: Any
) -> None:
    base = live_viewer(root, cors_origins=["http://localhost:5173"])
    port = httpx.URL(base).port
    archive = _archive(tmp_path)
    for headers in [
        {},  # curl, a script, the CLI
        {"Origin": base},
        {"Origin": f"http://localhost:{port}", "Host": f"localhost:{port}"},
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},
        {"Origin": "http://localhost:5173"},
    ]:
        answer = httpx.post(
            f"{base}/api/import", files={"file": (archive.name, archive.read_bytes())}, headers=headers
        )
        assert answer.status_code == 200, (headers, answer.text)
        assert answer.json()["results"][0]["outcome"] in ("imported", "skipped")
    assert httpx.get(f"{base}/api/runs").json()["total"] == 1
    # a page on the viewer's port but another host name is another origin
    wrong_host = httpx.post(
        f"{base}/api/ssh/mirror/stop", json={"id": "m"}, headers={"Origin": f"http://localhost:{port}"}
    )
    assert wrong_host.status_code == 403


def test_json_endpoints_take_only_json_bodies(root: Path, live_viewer: Any, connection_recorder: Any) -> None:
    ssh = connection_recorder()
    base = live_viewer(root)
    body = json.dumps({"host": "127.0.0.1", "port": ssh.port, "user": "me", "password": "x"}).encode()
    # the bodies a page can send without a CORS preflight: text/plain, or no type at all (a Blob)
    for content_type in ["text/plain", "application/x-www-form-urlencoded", None]:
        headers = {"Content-Type": content_type} if content_type else {}
        answer = httpx.post(f"{base}/api/ssh/connect", content=body, headers=headers, timeout=30)
        assert "content-type" in answer.request.headers or content_type is None
        assert answer.status_code == 422, (content_type, answer.text)
        assert answer.json()["status"] == 422
    assert ssh.count == 0


def test_the_log_websocket_refuses_foreign_pages(root: Path, live_viewer: Any) -> None:
    run = sdk_run(root)
    base = live_viewer(root, cors_origins=["http://localhost:5173"])
    url = base.replace("http", "ws") + f"/api/runs/{run.id}/logs/ws"
    for origin in [HOSTILE, "https://evil.example", "null"]:
        with pytest.raises(InvalidStatus) as refused:
            connect(url, origin=origin, open_timeout=10).close()  # type: ignore[arg-type]
        assert refused.value.response.status_code == 403, origin
    for origin in [None, base, "http://localhost:5173"]:
        with connect(url, origin=origin, open_timeout=10) as ws:  # type: ignore[arg-type]
            assert json.loads(ws.recv(timeout=10))["lines"], origin


def test_a_wildcard_cors_origin_is_refused(root: Path) -> None:
    for origins in (["*"], ["http://ok.example", " * "]):
        with pytest.raises(ConfigError) as err:
            create_app(resolve(storage=str(root)), cors_origins=origins)
        assert "'*'" in err.value.message and "--cors-origin http://" in (err.value.hint or "")
    with pytest.raises(ConfigError) as err:
        create_app(resolve(storage=str(root)), cors_origins=["http://ok.example/path"])
    assert "not a web origin" in err.value.message


def test_every_answer_keeps_the_viewer_out_of_other_sites_frames(
    root: Path, live_viewer: Any, tmp_path: Path
) -> None:
    run = sdk_run(root)
    web_dist = tmp_path / "web_dist"
    web_dist.mkdir()
    (web_dist / "index.html").write_text("<html>ui</html>")
    base = live_viewer(root, web_dist=web_dist)
    secured = live_viewer(root, web_dist=web_dist, token=TOKEN)
    answers = [
        httpx.get(f"{base}/"),
        httpx.get(f"{base}/runs/{run.id}"),
        httpx.get(f"{base}/api/runs"),
        httpx.get(f"{base}/api/nope"),
        httpx.get(f"{base}/docs"),
        httpx.post(f"{base}/api/ssh/mirror/stop", json={"id": "m"}, headers={"Origin": HOSTILE}),
        httpx.get(f"{secured}/", headers={"Accept": "text/html"}),  # the token page
    ]
    for answer in answers:
        assert answer.headers["x-frame-options"] == "DENY", answer.url
        policy = answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy, answer.url


def test_opening_the_printed_url_takes_the_token_out_of_the_address_bar(root: Path, live_viewer: Any) -> None:
    base = live_viewer(root, token=TOKEN)
    page = {"Accept": "text/html,application/xhtml+xml"}
    opened = httpx.get(f"{base}/?token={TOKEN}", headers=page)
    assert opened.status_code == 303 and opened.headers["location"] == "/"
    port = httpx.URL(base).port
    assert opened.cookies[cookie_name(port)] == cookie_value(TOKEN, port)  # never the token itself
    assert TOKEN not in opened.headers["set-cookie"]
    deep = httpx.get(f"{base}/runs/abc?x=1&token={TOKEN}&y=", headers=page)
    assert deep.status_code == 303 and deep.headers["location"] == "/runs/abc?x=1&y="
    with httpx.Client(base_url=base, headers=page, cookies=opened.cookies, follow_redirects=True) as browser:
        landed = browser.get(f"/?token={TOKEN}")
        assert landed.status_code == 200 and "token" not in str(landed.url)
    # API calls and scripts keep using ?token= as before
    assert httpx.get(f"{base}/api/runs?token={TOKEN}").status_code == 200
    assert httpx.get(f"{base}/api/runs?token={TOKEN}", headers=page).status_code == 200
    assert httpx.get(f"{base}/?token=wrong", headers=page).status_code == 401


def test_a_cors_preflight_from_an_allowed_origin_needs_no_token(root: Path, live_viewer: Any) -> None:
    base = live_viewer(root, token=TOKEN, cors_origins=["http://localhost:5173"])
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    allowed = httpx.options(f"{base}/api/import", headers={**preflight, "Origin": "http://localhost:5173"})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:5173"
    other = httpx.options(f"{base}/api/import", headers={**preflight, "Origin": HOSTILE})
    assert "access-control-allow-origin" not in other.headers and other.status_code in (400, 401, 403)


def _saved_mirror(root: Path, port: int) -> None:
    Registry(root).add_mirror(
        MirrorEntry(
            id="m1", user="me", host="127.0.0.1", port=port, remote_path="/data", interval_s=1.0, auth="agent"
        )
    )


def test_the_viewer_resumes_saved_mirrors_only_when_asked(
    root: Path, live_viewer: Any, connection_recorder: Any
) -> None:
    ssh: ConnectionRecorder = connection_recorder()
    _saved_mirror(root, ssh.port)
    base = live_viewer(root)
    with httpx.Client(base_url=base, timeout=30) as http:
        for path in ["/api/health", "/api/runs", "/api/projects", "/api/ssh/mirror/list"]:
            assert http.get(path).status_code == 200
        assert http.get("/api/ssh/mirror/list").json() == {"mirrors": []}
    assert ssh.count == 0

    asked = connection_recorder()
    _saved_mirror(root, asked.port)
    live_viewer(root, resume_mirrors=True)
    assert asked.connected.wait(30), "the resumed mirror never connected"
