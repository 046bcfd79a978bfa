"""``runicorn pull`` and the bucket viewer's cache against a hostile bucket, on a real S3 server
(rclone serve s3), each command a real process (docs/sync.md#what-a-bucket-cannot-do): a manifest
with out-of-range values is refused by key while the other runs land, and an object larger than
its manifest says is refused without being read whole."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from bucket_cli import REPO, cli, tree, wait_for
from s3_server import S3Server

import runicorn
from runicorn import format as fmt
from runicorn.sync.manifest import MAX_OBJECTS

pytestmark = pytest.mark.s3

# run name -> how its manifest is spoiled, and what the refusal says
Spoil = Callable[[dict[str, Any]], Any]


def _first_object(m: dict[str, Any]) -> dict[str, Any]:
    return m["objects"][fmt.META_FILE]


SPOILED: dict[str, tuple[Spoil, str]] = {
    "mtime-1e300": (lambda m: _first_object(m).update(mtime=1e300), "the mtime of 'meta.json' is 1e+300"),
    "negative-size": (lambda m: _first_object(m).update(size=-5), "the size of 'meta.json' is -5"),
    "huge-size": (lambda m: _first_object(m).update(size=2**50), f"the size of 'meta.json' is {2**50}"),
    "huge-segment": (
        lambda m: m["segments"][fmt.EVENTS_FILE][0].update(size=2**40),
        f"a segment size of events.jsonl is {2**40}",
    ),
    "string-size": (lambda m: _first_object(m).update(size="10"), "the size of 'meta.json' is '10'"),
    "bool-offset": (
        lambda m: m["segments"][fmt.EVENTS_FILE][0].update(offset=False),
        "a segment offset of events.jsonl is False",
    ),
    "objects-a-list": (
        lambda m: m.update(objects=list(m["objects"].items())),
        "objects is not a JSON object",
    ),
    "segments-pairs": (
        lambda m: m.update(segments=[[k, v] for k, v in m["segments"].items()]),
        "segments is not a JSON object",
    ),
    "object-a-list": (
        lambda m: m["objects"].update({fmt.META_FILE: [1, 2]}),
        "meta.json is not a JSON object",
    ),
    "sha-not-hex": (lambda m: _first_object(m).update(sha256="../" * 21 + "x"), "bad sha256"),
    "too-many-files": (
        lambda m: m["objects"].update(
            {f"media/f{i}.png": {"size": 1, "sha256": "0" * 64, "mtime": 0} for i in range(MAX_OBJECTS + 1)}
        ),
        "it lists 2000",  # its own files and the 200,001 added
    ),
}


@pytest.fixture
def bucket(s3_env: S3Server) -> str:
    return s3_env.new_bucket()


def manifest_key(bucket: str, storage_root: Path, run: runicorn.Run) -> str:
    return f"{bucket}/p/{run.dir.relative_to(storage_root).as_posix()}/{fmt.BUCKET_MANIFEST_FILE}"


def spoil_all(
    s3_env: S3Server, bucket: str, storage_root: Path, runs: dict[str, runicorn.Run]
) -> dict[str, str]:
    """Rewrite each run's manifest as SPOILED says (NaN by hand: JSON has no NaN); name -> its key."""
    client = s3_env.client()
    keys = {}
    for name, run in runs.items():
        key = keys[name] = manifest_key(bucket, storage_root, run)
        manifest = orjson.loads(client.cat_file(key))
        if name == "nan-mtime":
            data = re.sub(rb'"mtime":[-0-9.e+]+', b'"mtime":NaN', orjson.dumps(manifest), count=1)
        else:
            SPOILED[name][0](manifest)
            data = orjson.dumps(manifest)
        client.pipe_file(key, data)
    return keys


@pytest.fixture
def hostile_bucket(make_run, storage_root: Path, bucket: str, s3_env: S3Server) -> Iterator[dict[str, Any]]:
    good = [make_run(name="good1", steps=20), make_run(name="good2", steps=20)]
    spoiled = {name: make_run(name=name, steps=5) for name in [*SPOILED, "nan-mtime"]}
    url = f"s3://{bucket}/p"
    synced = cli("sync", str(storage_root), url)
    assert synced.returncode == 0, synced.stderr
    keys = spoil_all(s3_env, bucket, storage_root, spoiled)
    yield {"url": url, "good": good, "keys": keys}


def assert_refused_by_key(output: str, keys: dict[str, str]) -> None:
    assert "Traceback" not in output, output
    for name, key in keys.items():
        why = "not JSON" if name == "nan-mtime" else SPOILED[name][1]
        expected = f"error: s3://{key} is not a run manifest Runicorn can read: {why}"
        assert expected in output, (name, output)
    assert f"files, more than {MAX_OBJECTS}\n" in output


def test_pull_refuses_manifests_with_out_of_range_values_by_key_and_lands_the_other_runs(
    hostile_bucket: dict[str, Any], storage_root: Path, tmp_path: Path
) -> None:
    pulled = cli("pull", hostile_bucket["url"], str(tmp_path / "pulled"))
    assert pulled.returncode == 1
    assert_refused_by_key(pulled.stderr, hostile_bucket["keys"])
    for run in hostile_bucket["good"]:
        rel = run.dir.relative_to(storage_root)
        assert tree(tmp_path / "pulled" / rel) == tree(run.dir)
    landed = {p.name for p in (tmp_path / "pulled" / "demo").iterdir()}
    assert landed == {"good1", "good2"}


def test_the_bucket_viewer_s_cache_refuses_them_too_and_shows_the_other_runs(
    hostile_bucket: dict[str, Any], storage_root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "viewer.out"
    with open(out, "wb") as f:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "runicorn.cli",
                "viewer",
                "--storage",
                hostile_bucket["url"],
                "--port",
                "0",
            ],
            cwd=REPO,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=f,
            stderr=subprocess.STDOUT,
        )
    try:
        cache = tmp_path / "cache"

        def landed() -> bool:
            names = {p.parent.parent.parent.name for p in cache.rglob(fmt.EVENTS_FILE)}
            text = out.read_text(errors="replace")
            return names == {"good1", "good2"} and all(k in text for k in hostile_bucket["keys"].values())

        wait_for(landed, "the good runs in the cache and the refusals printed", 30)
        assert_refused_by_key(out.read_text(errors="replace"), hostile_bucket["keys"])
        assert not any(
            p for p in cache.rglob(fmt.META_FILE) if p.parent.parent.parent.name not in ("good1", "good2")
        )
    finally:
        proc.kill()
        proc.wait(10)


def pull_peak_rss_kb(url: str, dest: Path) -> tuple[subprocess.CompletedProcess[str], int]:
    """``runicorn pull`` in a process that prints its own peak resident memory at the end (VmHWM:
    the peak of this program alone, not of the test process it was forked from)."""
    code = (
        "import re, sys\n"
        "from runicorn.cli import main\n"
        "try:\n    rc = main(sys.argv[1:])\n"
        "finally:\n"
        "    status = open('/proc/self/status').read()\n"
        "    print('peak', re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1), file=sys.stderr)\n"
        "sys.exit(rc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "pull", url, str(dest)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=50,
    )
    peak = re.search(r"^peak (\d+)$", result.stderr, re.M)
    assert peak, result.stderr
    return result, int(peak.group(1))


def test_an_object_larger_than_its_manifest_says_is_refused_without_being_read_whole(
    make_run, storage_root: Path, bucket: str, s3_env: S3Server, tmp_path: Path
) -> None:
    run = make_run(finish=False)
    run.log_image("small", b"\x89PNG\r\n\x1a\n" + b"0" * 2, step=1)  # 10 bytes
    run.log_image("large", b"\x89PNG\r\n\x1a\n" + b"1" * (9 * 1024 * 1024), step=2)  # streamed when pulled
    run.finish()
    url = f"s3://{bucket}/p"
    assert cli("sync", str(storage_root), url).returncode == 0
    prefix = f"{bucket}/p/{run.dir.relative_to(storage_root).as_posix()}"
    client = s3_env.client()
    objects = sorted(client.find(f"{prefix}/objects/media"))
    small = next(k for k in objects if k.endswith("_small.png"))
    large = next(k for k in objects if k.endswith("_large.png"))
    _, baseline = pull_peak_rss_kb(url, tmp_path / "baseline")  # the same run, as synced

    blob = os.urandom(1024 * 1024) * 64  # 64 MB where the manifest names 10 bytes, and 9 MB
    client.pipe_file(small, blob)
    client.pipe_file(large, blob)
    pulled, peak = pull_peak_rss_kb(url, tmp_path / "pulled")

    assert pulled.returncode == 1
    assert f"error: s3://{small} holds more than the 10 bytes its manifest names" in pulled.stderr
    assert f"error: s3://{large} holds more than the {9 * 1024 * 1024 + 8} bytes" in pulled.stderr
    assert "Traceback" not in pulled.stderr
    copy = tmp_path / "pulled" / run.dir.relative_to(storage_root)
    assert [p.name for p in copy.rglob("*") if p.is_file() and p.parent.name == fmt.MEDIA_DIR] == []
    assert not [p for p in copy.rglob("*") if fmt.TEMP_SUFFIX in p.name]  # no partial file either
    assert (copy / fmt.EVENTS_FILE).read_bytes() == (run.dir / fmt.EVENTS_FILE).read_bytes()
    assert peak < baseline + 32 * 1024, (peak, baseline)  # 64 MB was never held: what it read was bounded
