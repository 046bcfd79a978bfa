"""A run's manifest in a bucket (runicorn/sync/manifest.py): read back checked, never misread."""

from __future__ import annotations

import orjson
import pytest

from runicorn import format as fmt
from runicorn.sync.bucket import BucketError
from runicorn.sync.manifest import decode_manifest, empty_manifest, encode_manifest


def test_a_manifest_reads_back_as_written() -> None:
    m = empty_manifest("demo/exp1/runs/r1", "r1")
    m["segments"][fmt.LOGS_FILE] = [fmt.BucketSegment(n=0, offset=0, size=3, sha256="a" * 64)]
    m["objects"]["media/x.png"] = fmt.BucketObject(size=1, sha256="b" * 64, mtime=2.0)
    back = decode_manifest(encode_manifest(m), "s3://b/p/manifest.json")
    assert back["segments"] == m["segments"] and back["objects"] == m["objects"]


def test_a_newer_format_is_refused_by_name() -> None:
    data = orjson.dumps(
        {**empty_manifest("a/b/runs/r", "r"), "format_version": fmt.BUCKET_FORMAT_VERSION + 1}
    )
    with pytest.raises(BucketError, match=r"s3://b/m.json is bucket format 2; .* up to 1") as info:
        decode_manifest(data, "s3://b/m.json")
    assert "upgrade Runicorn" in (info.value.hint or "")


@pytest.mark.parametrize(
    "change",
    [
        {"path": "../../etc"},
        {"objects": {"../x": {"size": 1, "sha256": "a" * 64, "mtime": 0}}},
        {"segments": {"other.txt": []}},
        {"segments": {"logs.txt": [{"n": 0, "offset": 5, "size": 1, "sha256": "a" * 64}]}},
    ],
)
def test_a_manifest_that_could_write_elsewhere_or_misread_is_refused(change: dict) -> None:
    data = orjson.dumps({**empty_manifest("a/b/runs/r", "r"), **change})
    with pytest.raises(BucketError, match="not a run manifest"):
        decode_manifest(data, "s3://b/m.json")


def test_only_runicorn_sync_imports_the_object_store_packages() -> None:
    from pathlib import Path

    import runicorn

    package = Path(runicorn.__file__).parent
    importers = {
        p.relative_to(package).as_posix()
        for p in package.rglob("*.py")
        if any(word in p.read_text() for word in ("import s3fs", "import fsspec", "from fsspec", "from s3fs"))
    }
    assert importers == {"sync/bucket.py"}


def test_a_json_file_s_inline_copy_reads_back_and_is_used_only_when_its_sha256_matches() -> None:
    import hashlib

    from runicorn.sync.manifest import inline_bytes, inline_copy

    content = b'{"status": "finished"}'
    text = inline_copy(fmt.STATUS_FILE, content)
    assert text is not None and inline_copy("media/x.png", b"{}") is None
    assert inline_copy(fmt.META_FILE, b"x" * (fmt.BUCKET_INLINE_MAX_BYTES + 1)) is None
    m = empty_manifest("a/b/runs/r", "r")
    m["objects"][fmt.STATUS_FILE] = fmt.BucketObject(
        size=len(content), sha256=hashlib.sha256(content).hexdigest(), mtime=1.0, inline=text
    )
    back = decode_manifest(encode_manifest(m), "s3://b/m.json")["objects"][fmt.STATUS_FILE]
    assert inline_bytes(back) == content
    assert inline_bytes({**back, "inline": '{"status": "running"}'}) is None  # not the bytes named
    assert inline_bytes(fmt.BucketObject(size=1, sha256="a" * 64, mtime=1.0)) is None  # an older manifest
