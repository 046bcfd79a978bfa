"""The run index of a bucket prefix (runicorn/sync/index.py): read back checked, a hint only."""

from __future__ import annotations

import gzip
import hashlib

import orjson
import pytest

from runicorn import format as fmt
from runicorn.sync.bucket import BucketError
from runicorn.sync.index import decode_index, encode_index
from runicorn.sync.manifest import empty_manifest, has_ended

WHERE = "s3://b/p/.runs-index.json.gz"


def ended_manifest(path: str, status: str = fmt.FINISHED) -> fmt.BucketManifest:
    m = empty_manifest(path, path.rsplit("/", 1)[-1])
    text = orjson.dumps({"status": status}).decode()
    m["objects"][fmt.STATUS_FILE] = fmt.BucketObject(
        size=len(text), sha256=hashlib.sha256(text.encode()).hexdigest(), mtime=1.0, inline=text
    )
    return m


def test_an_index_reads_back_as_written_and_is_compressed() -> None:
    copies = {f"p/e/runs/r{i}": (f"{i:032x}", ended_manifest(f"p/e/runs/r{i}")) for i in range(200)}
    data = encode_index(copies)
    assert data[:2] == b"\x1f\x8b"  # gzip
    assert len(data) * 5 < len(gzip.decompress(data))
    assert decode_index(data, WHERE) == copies


def test_only_a_manifest_copy_of_an_ended_run_counts_as_ended() -> None:
    assert has_ended(ended_manifest("p/e/runs/r", fmt.FAILED))
    assert not has_ended(ended_manifest("p/e/runs/r", fmt.RUNNING))
    assert not has_ended(empty_manifest("p/e/runs/r", "r"))  # a live run's manifest carries no copies
    broken = ended_manifest("p/e/runs/r")
    broken["objects"][fmt.STATUS_FILE]["sha256"] = "0" * 64  # a copy that does not match is not read
    assert not has_ended(broken)


def _index(runs: dict, version: int = fmt.BUCKET_INDEX_VERSION) -> bytes:
    return gzip.compress(orjson.dumps({"format_version": version, "written_at": 0.0, "runs": runs}))


def test_a_copy_that_does_not_check_out_is_left_out_and_the_rest_are_kept() -> None:
    good = ended_manifest("p/e/runs/good")
    elsewhere = ended_manifest("p/e/runs/other")  # filed under another run's path
    escaping = {**ended_manifest("p/e/runs/x"), "path": "../../etc"}
    data = _index(
        {
            "p/e/runs/good": {"etag": "a" * 32, "manifest": good},
            "p/e/runs/stolen": {"etag": "b" * 32, "manifest": elsewhere},
            "p/e/runs/x": {"etag": "c" * 32, "manifest": escaping},
            "p/e/runs/y": {"etag": 5, "manifest": good},
            "p/e/runs/z": "not an entry",
        }
    )
    assert decode_index(data, WHERE) == {"p/e/runs/good": ("a" * 32, good)}


def test_an_index_of_a_newer_version_is_ignored_whole() -> None:
    data = _index({"p/e/runs/r": {"etag": "a" * 32, "manifest": ended_manifest("p/e/runs/r")}}, 2)
    assert decode_index(data, WHERE) == {}


@pytest.mark.parametrize(
    "data",
    [b"not gzip at all", gzip.compress(b"not json"), gzip.compress(b"[1, 2]"), gzip.compress(b'{"runs": 3}')],
)
def test_something_that_is_not_an_index_is_a_clear_error(data: bytes) -> None:
    with pytest.raises(BucketError, match=r"s3://b/p/.runs-index.json.gz is not a run index") as info:
        decode_index(data, WHERE)
    assert "read from their manifests" in (info.value.hint or "")


def test_an_index_that_inflates_past_the_limit_is_refused_without_inflating_it_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fmt, "BUCKET_INDEX_MAX_BYTES", 1024 * 1024)
    bomb = gzip.compress(b" " * (64 * 1024 * 1024))  # 64 MiB of spaces in about 64 KiB
    assert len(bomb) < 100_000
    with pytest.raises(BucketError, match="holds more than 1048576 bytes of index"):
        decode_index(bomb, WHERE)
