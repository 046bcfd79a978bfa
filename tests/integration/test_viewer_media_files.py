"""GET /api/runs/{key}/media/{path} on a real viewer (docs/api.md): ranges as browsers ask
for audio and video, HEAD and If-Range; and the file sent is the file checked, whatever is swapped
in its place meanwhile (docs/viewer.md#security)."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import runicorn
from runicorn import format as fmt
from runicorn.store.reader import StoreReader

sys.path.insert(0, str(Path(__file__).parent))
from viewer_runs import sdk_run  # noqa: E402

SIZE = 300_000  # several 64 KB chunks
SECRET = b"SECRET-OUTSIDE-THE-RUN " * 20


@pytest.fixture
def clip(storage_root: Path) -> tuple[runicorn.Run, bytes, str]:
    """A run holding media/clips/clip.mp4 of SIZE known bytes, and its media URL path."""
    run = sdk_run(storage_root)
    data = bytes(range(256)) * (SIZE // 256) + b"end"
    folder = run.dir / fmt.MEDIA_DIR / "clips"
    folder.mkdir(parents=True)
    (folder / "clip.mp4").write_bytes(data)
    return run, data, f"/api/runs/{run.id}/media/clips/clip.mp4"


@pytest.fixture
def client(storage_root: Path, live_viewer: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_viewer(storage_root), timeout=30) as c:
        yield c


def test_the_whole_file_with_validators_and_the_media_headers(clip, client: httpx.Client) -> None:
    _, data, path = clip
    answer = client.get(path)
    assert answer.status_code == 200 and answer.content == data
    h = answer.headers
    assert h["content-type"] == "video/mp4" and h["accept-ranges"] == "bytes"
    assert h["content-length"] == str(len(data)) and h["etag"].startswith('"') and h["last-modified"]
    assert h["x-content-type-options"] == "nosniff" and "sandbox" in h["content-security-policy"]
    head = client.head(path)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(data)) and head.headers["etag"] == h["etag"]


@pytest.mark.parametrize(
    ("asked", "span"),
    [
        ("bytes=0-99", (0, 100)),
        ("bytes=1000-", (1000, None)),
        ("bytes=-500", (-500, None)),
        ("bytes=5-10000000", (5, None)),
    ],
)
def test_a_range_answers_206_with_its_bytes(clip, client: httpx.Client, asked: str, span: tuple) -> None:
    _, data, path = clip
    part = data[span[0] : span[1]]
    start = span[0] % len(data)
    answer = client.get(path, headers={"Range": asked})
    assert answer.status_code == 206 and answer.content == part
    assert answer.headers["content-range"] == f"bytes {start}-{start + len(part) - 1}/{len(data)}"
    assert answer.headers["content-length"] == str(len(part))
    head = client.head(path, headers={"Range": asked})
    assert head.status_code == 206 and head.content == b""
    assert head.headers["content-range"] == answer.headers["content-range"]


def test_a_range_past_the_end_answers_416_and_odd_ranges_the_whole_file(clip, client: httpx.Client) -> None:
    _, data, path = clip
    for asked in (f"bytes={len(data)}-", f"bytes={len(data) + 10}-{len(data) + 20}", "bytes=-0"):
        answer = client.get(path, headers={"Range": asked})
        assert answer.status_code == 416, asked
        assert answer.headers["content-range"] == f"bytes */{len(data)}"
    for asked in ("bytes=0-1,5-6", "items=0-5", "bytes=9-3", "bytes=x-y"):
        answer = client.get(path, headers={"Range": asked})
        assert answer.status_code == 200 and answer.content == data, asked


def test_if_range_keeps_the_range_only_for_the_same_file(clip, client: httpx.Client) -> None:
    run, data, path = clip
    first = client.get(path, headers={"Range": "bytes=0-9"})
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert client.get(path, headers={"Range": "bytes=10-19", "If-Range": etag}).content == data[10:20]
    assert client.get(path, headers={"Range": "bytes=10-19", "If-Range": modified}).status_code == 206
    changed = client.get(path, headers={"Range": "bytes=10-19", "If-Range": '"another"'})
    assert changed.status_code == 200 and changed.content == data


# --- the file checked is the file sent ------------------------------------------------------------
def swap_for_link(target: Path, secret: Path) -> None:
    """Put a link to ``secret`` where ``target`` was (the file moves aside, as a rename would)."""
    os.rename(target, target.with_name(target.name + ".moved"))
    os.symlink(secret, target)


def swap_folder_for_link(folder: Path, secret_folder: Path) -> None:
    os.rename(folder, folder.with_name(folder.name + ".moved"))
    os.symlink(secret_folder, folder)


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "clip.mp4").write_bytes(SECRET)
    return folder


def opener_name() -> str:
    return "open_media_file" if hasattr(StoreReader, "open_media_file") else "media_file"


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_swap_after_the_check_never_sends_what_the_link_points_at(
    clip, client: httpx.Client, secret: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    run, data, path = clip
    name = opener_name()
    checked = getattr(StoreReader, name)

    def check_then_swap(self: StoreReader, key: str, relpath: str) -> Any:
        found = checked(self, key, relpath)  # checked (and, where the store opens it, opened)
        target = run.dir / fmt.MEDIA_DIR / "clips"
        if what == "file":
            swap_for_link(target / "clip.mp4", secret / "clip.mp4")
        else:
            swap_folder_for_link(target, secret)
        return found

    monkeypatch.setattr(StoreReader, name, check_then_swap)
    answer = client.get(path)
    assert SECRET not in answer.content
    assert answer.status_code == 200 and answer.content == data  # the file it checked


def test_a_swap_between_the_check_and_the_open_is_refused(
    clip, client: httpx.Client, secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run, _, path = clip
    from runicorn.store.records import media

    checked = media.media_path

    def check_then_swap(run_dir: Path, relpath: str) -> Path | None:
        found = checked(run_dir, relpath)
        swap_for_link(run.dir / fmt.MEDIA_DIR / "clips" / "clip.mp4", secret / "clip.mp4")
        return found

    monkeypatch.setattr(media, "media_path", check_then_swap)
    answer = client.get(path)
    assert answer.status_code == 404 and SECRET not in answer.content


def test_a_file_flipping_between_itself_and_a_link_never_serves_the_link(
    clip, client: httpx.Client, secret: Path
) -> None:
    run, data, path = clip
    target = run.dir / fmt.MEDIA_DIR / "clips" / "clip.mp4"
    real, link = target.with_name("real.mp4"), target.with_name("link.mp4")
    real.write_bytes(data)
    os.symlink(secret / "clip.mp4", link)
    stop = threading.Event()

    def flip() -> None:
        while not stop.is_set():
            os.link(real, target.with_name("next.mp4"))
            os.replace(target.with_name("next.mp4"), target)  # the real file...
            os.symlink(secret / "clip.mp4", target.with_name("next.mp4"))
            os.replace(target.with_name("next.mp4"), target)  # ...then a link out of the run

    flipper = threading.Thread(target=flip, name="flipper")
    flipper.start()
    try:
        answers = [client.get(path) for _ in range(150)]
    finally:
        stop.set()
        flipper.join()
    assert all(SECRET not in a.content for a in answers)
    assert {a.status_code for a in answers} <= {200, 404}
    assert all(a.content == data for a in answers if a.status_code == 200)
