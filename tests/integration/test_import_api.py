"""``POST /api/import`` through a real uvicorn server on 127.0.0.1 (docs/archives.md#upload)."""

from __future__ import annotations

import hashlib
import os
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from runicorn import archive
from runicorn import format as fmt
from runicorn.settings import resolve
from runicorn.viewer import routes_import

sys.path.insert(0, str(Path(__file__).parents[1] / "unit" / "archive"))
from archive_fixtures import make_archive, tree_hashes, write_run  # noqa: E402

UPLOAD_CAP = 200_000


class ImportServer:
    """The import route served by a real uvicorn on an ephemeral port."""

    def __init__(self, storage: Path) -> None:
        app = FastAPI()
        app.include_router(routes_import.router(resolve(storage=str(storage), max_upload_bytes=UPLOAD_CAP)))
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start (see its log above)")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)

    def close(self) -> None:
        self.http.close()
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def storage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RUNICORN_CONFIG_FILE", str(tmp_path / "no-config.json"))
    root = tmp_path / "storage"
    write_run(root, "p", "n", "20261123_090000_000000")
    return root


@pytest.fixture
def server(storage: Path) -> Iterator[ImportServer]:
    s = ImportServer(storage)
    try:
        yield s
    finally:
        s.close()


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
