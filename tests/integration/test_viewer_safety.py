"""The viewer stays read-only and safe by default (docs/viewer.md#security): paths that try to
leave the storage root, the token, the loopback Host check, CORS, and the read-only promise."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

sys.path.insert(0, str(Path(__file__).parent))
from viewer_runs import OUTSIDE_BYTES, copy_pypi_runs, hostile_run, sdk_run  # noqa: E402

TOKEN = "s3cret-token-for-tests"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "storage"
    r.mkdir()
    return r


def raw_get(base: str, raw_path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """GET with the path sent byte for byte (no client-side normalising of ``..`` or ``%2e``)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("GET", raw_path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_paths_leaving_the_root_are_404_in_the_error_shape(root: Path, live_viewer, tmp_path: Path) -> None:
    run = sdk_run(root)
    hostile_run(root)  # holds media/escape.png -> a file outside the root, media/up -> the root's parent
    web_dist = tmp_path / "web_dist"
    web_dist.mkdir()
    (web_dist / "index.html").write_text("<html>ui</html>")
    base = live_viewer(root, web_dist=web_dist)
    bad = "20261123_000000_bad000"
    attempts = [
        "/api/runs/..%2F..%2Fetc/metrics",
        "/api/runs/%2e%2e/metrics",
        "/api/runs/..%252f..%252fetc",
        "/api/runs/%2Fetc%2Fpasswd",
        "/api/runs/C:%5Cwindows",
        f"/api/runs/{run.id}/media/../meta.json",
        f"/api/runs/{run.id}/media/%2e%2e/meta.json",
        f"/api/runs/{run.id}/media/%2e%2e%2fmeta.json",
        f"/api/runs/{run.id}/media/media/..%2f..%2f..%2f..%2f..%2f..%2foutside-secret.txt",
        f"/api/runs/{run.id}/media//etc/passwd",
        f"/api/runs/{run.id}/media/%2Fetc%2Fpasswd",
        f"/api/runs/{run.id}/media/..%5c..%5cmeta.json",
        f"/api/runs/{bad}/media/escape.png",
        f"/api/runs/{bad}/media/media/escape.png",
        f"/api/runs/{bad}/media/up/outside-secret.txt",
        "/api/../../outside-secret.txt",
        "/..%2f..%2foutside-secret.txt",
        "/%2e%2e/%2e%2e/outside-secret.txt",
    ]
    for path in attempts:
        status, body = raw_get(base, path)
        assert OUTSIDE_BYTES.encode() not in body, path
        assert b'"id"' not in body, path  # no meta.json either
        if path.startswith("/api"):
            assert status == 404, path
            answer = json.loads(body)
            assert (
                answer["status"] == 404 and answer["error"] and set(answer) <= {"error", "status", "hint"}
            ), path


def test_run_folders_linked_from_outside_the_root_are_not_served(
    root: Path, live_viewer, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    outside_run = sdk_run(elsewhere, "secret", "exp")
    (root / "evil" / "exp" / "runs").mkdir(parents=True)
    os.symlink(outside_run.dir, root / "evil" / "exp" / "runs" / outside_run.id)
    os.symlink(elsewhere / "secret", root / "linked-project")
    base = live_viewer(root)
    assert httpx.get(f"{base}/api/runs").json()["total"] == 0
    for suffix in ["", "/metrics", "/logs", "/media", "/metrics.csv"]:
        assert httpx.get(f"{base}/api/runs/{outside_run.id}{suffix}").status_code == 404, suffix


def test_token_is_required_on_every_request_and_websocket(root: Path, live_viewer) -> None:
    run = sdk_run(root)
    base = live_viewer(root, token=TOKEN)
    refused = httpx.get(f"{base}/api/runs")
    assert refused.status_code == 401 and refused.json() == {
        "error": "missing or wrong token",
        "status": 401,
        "hint": "send the token the viewer printed at start: as 'Authorization: Bearer <token>', "
        "or open the printed URL ending in ?token=<token> (`runicorn viewer token` prints it)",
    }
    assert httpx.get(f"{base}/api/health", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert httpx.get(f"{base}/api/runs", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200

    page = httpx.get(f"{base}/", params={"token": TOKEN})  # the URL printed at start
    assert page.status_code == 200 and f"runicorn_{httpx.URL(base).port}=" in page.headers["set-cookie"]
    with httpx.Client(base_url=base, cookies=page.cookies) as browser:  # later requests carry the cookie
        assert browser.get("/api/runs").json()["total"] == 1

    ws_url = base.replace("http", "ws") + f"/api/runs/{run.id}/logs/ws"
    with pytest.raises(InvalidStatus):
        connect(ws_url, open_timeout=10).close()
    with connect(f"{ws_url}?token={TOKEN}", open_timeout=10) as ws:
        assert json.loads(ws.recv(timeout=10))["lines"]


def test_loopback_viewer_refuses_foreign_host_headers(root: Path, live_viewer) -> None:
    base = live_viewer(root)
    status, body = raw_get(base, "/api/runs", headers={"Host": "evil.example:8000"})
    assert status == 403 and json.loads(body)["status"] == 403
    assert "without --no-token" in json.loads(body)["hint"]
    assert raw_get(base, "/api/runs", headers={"Host": "localhost:8000"})[0] == 200


def test_cors_is_closed_unless_an_origin_is_given(root: Path, live_viewer) -> None:
    closed = live_viewer(root)
    answer = httpx.get(f"{closed}/api/runs", headers={"Origin": "http://other.example"})
    assert "access-control-allow-origin" not in answer.headers
    opened = live_viewer(root, cors_origins=["http://ui.example"])
    answer = httpx.get(f"{opened}/api/runs", headers={"Origin": "http://ui.example"})
    assert answer.headers["access-control-allow-origin"] == "http://ui.example"
    answer = httpx.get(f"{opened}/api/runs", headers={"Origin": "http://other.example"})
    assert "access-control-allow-origin" not in answer.headers


def tree_state(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` (symlinks as their target) with a hash of its bytes."""
    state: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                state[rel] = "link:" + os.readlink(path)
            elif path.is_dir():
                state[rel] = "dir"
            else:
                state[rel] = hashlib.sha256(path.read_bytes()).hexdigest() + f":{path.stat().st_mtime_ns}"
    return state


def test_every_read_endpoint_leaves_the_storage_root_untouched(root: Path, live_viewer) -> None:
    runs = [sdk_run(root, "vision", "resnet"), sdk_run(root, "nlp", "bert", status="failed")]
    keys = [r.id for r in runs] + copy_pypi_runs(root) + [hostile_run(root).name]
    before = tree_state(root)
    base = live_viewer(root)
    with httpx.Client(base_url=base, timeout=30) as http:
        for path in [
            "/",
            "/api/health",
            "/api/config",
            "/api/projects",
            "/api/gpu",
            "/api/runs",
            "/api/runs?q=res&sort=summary.best_acc",
            "/api/projects/vision/names",
            "/api/projects/vision/names/resnet/runs",
            "/api/nope",
            "/openapi.json",
            f"/api/compare?ids={','.join(keys)}&keys=loss,acc&x=elapsed",
        ]:
            assert http.get(path).status_code in (200, 404), path
        for key in keys:
            for suffix in [
                "",
                "/metrics",
                "/metrics?x=time&max_points=5",
                "/metrics?since=10",
                "/system",
                "/metrics.csv",
                "/logs",
                "/logs?offset=3&limit=1",
                "/media",
            ]:
                assert http.get(f"/api/runs/{key}{suffix}").status_code == 200, (key, suffix)
            for file in http.get(f"/api/runs/{key}/media").json()["files"]:
                http.get(f"/api/runs/{key}/media/{file}")
            with connect(base.replace("http", "ws") + f"/api/runs/{key}/logs/ws", open_timeout=10) as ws:
                try:
                    ws.recv(timeout=0.5)
                except TimeoutError:
                    pass  # a run without log lines sends nothing
    assert tree_state(root) == before
