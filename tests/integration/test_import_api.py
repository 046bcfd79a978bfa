"""``POST /api/import`` of the real viewer (``live_viewer``, uvicorn on 127.0.0.1): docs/archives.md."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from archive_fixtures import make_archive, tree_hashes, write_run

from runicorn import archive
from runicorn import format as fmt

UPLOAD_CAP = 200_000


class ImportServer:
    """An HTTP client on the real viewer (``live_viewer``: create_app on uvicorn, 127.0.0.1)."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30)


@pytest.fixture
def storage(tmp_path: Path) -> Path:
    root = tmp_path / "storage"
    write_run(root, "p", "n", "20261123_090000_000000")
    return root


@pytest.fixture
def server(storage: Path, live_viewer: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[ImportServer]:
    monkeypatch.setenv("RUNICORN_MAX_UPLOAD_BYTES", str(UPLOAD_CAP))
    s = ImportServer(live_viewer(storage))
    try:
        yield s
    finally:
        s.http.close()


def _snapshot(root: Path) -> dict[str, str | None]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None
        for p in root.rglob("*")
    }


def _upload(server: ImportServer, path: Path) -> httpx.Response:
    with open(path, "rb") as f:
        return server.http.post("/api/import", files={"file": (path.name, f, "application/octet-stream")})


def test_upload_imports_every_run_then_skips_them(
    server: ImportServer, storage: Path, tmp_path: Path
) -> None:
    source = tmp_path / "source"
    runs = [write_run(source, "vision", "resnet", seed=i) for i in range(2)]
    out = archive.export_runs(source, tmp_path / "runs.tar.gz", archive.select_runs(source)).path

    response = _upload(server, out)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["archive"] == "runs.tar.gz"
    assert sorted((r["outcome"], r["run_id"], r["project"], r["name"]) for r in body["results"]) == sorted(
        ("imported", run.name, "vision", "resnet") for run in runs
    )
    assert tree_hashes(storage / "vision") == tree_hashes(source / "vision")
    assert not (storage / fmt.IMPORT_STAGING_DIR).exists()

    again = _upload(server, out).json()
    assert [r["outcome"] for r in again["results"]] == ["skipped", "skipped"]


def test_uploaded_runs_show_up_in_the_run_list(server: ImportServer, tmp_path: Path) -> None:
    source = tmp_path / "source"
    run = write_run(source, "vision", "resnet")
    out = archive.export_runs(source, tmp_path / "runs.zip", archive.select_runs(source)).path
    assert _upload(server, out).status_code == 200

    deadline = time.monotonic() + 20
    while True:
        listed = server.http.get("/api/runs", params={"project": "vision"}).json()
        if [r["id"] for r in listed["runs"]] == [run.name] or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert [(r["id"], r["name"], r["status"]) for r in listed["runs"]] == [(run.name, "resnet", "finished")]


def test_hostile_upload_is_refused_with_the_json_error_shape(
    server: ImportServer, storage: Path, tmp_path: Path
) -> None:
    before = _snapshot(storage)
    bad = make_archive(
        tmp_path / "evil.zip", [("p/n/runs/x/meta.json", b"{}"), ("../../escape", b"x")], "zip"
    )

    response = _upload(server, bad)

    assert response.status_code == 422
    body = response.json()
    assert body["status"] == 422 and "evil.zip" in body["error"] and "escapes" in body["error"]
    assert "nothing was written" in body["hint"]
    assert str(tmp_path) not in body["error"]
    assert _snapshot(storage) == before


def test_upload_over_the_cap_is_refused_and_nothing_is_kept(
    server: ImportServer, storage: Path, tmp_path: Path
) -> None:
    before = _snapshot(storage)
    big = tmp_path / "big.zip"
    big.write_bytes(os.urandom(UPLOAD_CAP * 3))

    response = _upload(server, big)

    assert response.status_code == 413
    assert response.json()["status"] == 413 and str(UPLOAD_CAP) in response.json()["error"]
    assert _snapshot(storage) == before


def test_streamed_upload_without_length_is_cut_at_the_cap(server: ImportServer, storage: Path) -> None:
    before = _snapshot(storage)
    boundary = uuid.uuid4().hex

    def body() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="s.zip"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        for _ in range(20):
            yield os.urandom(UPLOAD_CAP // 5)
        yield f"\r\n--{boundary}--\r\n".encode()

    response = server.http.post(
        "/api/import", content=body(), headers={"content-type": f"multipart/form-data; boundary={boundary}"}
    )

    assert response.status_code == 413 and response.json()["status"] == 413
    assert _snapshot(storage) == before


def test_a_body_that_is_not_a_form_is_a_400(server: ImportServer) -> None:
    response = server.http.post(
        "/api/import", content=b"PK\x03\x04", headers={"content-type": "application/zip"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "the upload is not multipart/form-data",
        "status": 400,
        "hint": "send the archive as form field 'file'",
    }


def test_an_upload_from_another_sites_page_is_refused(
    server: ImportServer, storage: Path, tmp_path: Path
) -> None:
    source = tmp_path / "source"
    write_run(source, "x", "y")
    out = archive.export_runs(source, tmp_path / "runs.zip", archive.select_runs(source)).path
    before = _snapshot(storage)

    with open(out, "rb") as f:
        response = server.http.post(
            "/api/import", files={"file": ("runs.zip", f)}, headers={"origin": "https://evil.example"}
        )

    assert response.status_code == 403 and response.json()["status"] == 403
    assert "evil.example" in response.json()["error"]
    assert _snapshot(storage) == before
    with open(out, "rb") as f:
        own_page = server.http.post(
            "/api/import",
            files={"file": ("runs.zip", f)},
            headers={"origin": str(server.http.base_url).rstrip("/")},
        )
    assert own_page.status_code == 200 and own_page.json()["results"][0]["outcome"] == "imported"
