"""The run index of a bucket prefix (runicorn/sync/index.py, docs/sync.md#the-run-index) against a
real S3 server: written by ``runicorn sync`` and by a run synced on its own, read by a cold reader
instead of every manifest, and never trusted past what the listing shows."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest
from bucket_cli import cli, tree
from s3_server import S3Server

import runicorn
from runicorn import format as fmt
from runicorn.files import write_json_atomic
from runicorn.sync.bucket import Bucket, parse_bucket_url
from runicorn.sync.materialiser import INDEX_WORTH_READING, Materialiser

pytestmark = pytest.mark.s3
RUNS = INDEX_WORTH_READING + 4  # enough runs for a reader to take the index


@pytest.fixture
def bucket(s3_env: S3Server) -> str:
    return s3_env.new_bucket()


def finished_runs(root: Path, count: int, project: str = "demo") -> list[runicorn.Run]:
    runs = []
    for i in range(count):
        run = runicorn.init(
            project=project, name=f"exp{i % 2}", storage=root, capture_console=False, system_metrics=False
        )
        run.log({"loss": 1.0 / (i + 1)}, step=0)
        run.summary({"i": i})
        run.finish()
        runs.append(run)
    return runs


def index_in(s3_env: S3Server, bucket: str, prefix: str) -> dict:
    return orjson.loads(
        gzip.decompress((s3_env.folder / bucket / prefix / fmt.BUCKET_INDEX_FILE).read_bytes())
    )


def test_sync_indexes_the_ended_runs_and_a_cold_reader_takes_them_from_it(
    make_run, storage_root, bucket, s3_env, tmp_path
):
    ended = finished_runs(storage_root, RUNS)
    live = make_run(name="live", finish=False)
    url = f"s3://{bucket}/p"
    assert cli("sync", str(storage_root), url).returncode == 0

    index = index_in(s3_env, bucket, "p")
    path_of = {r.id: r.dir.relative_to(storage_root).as_posix() for r in [*ended, live]}
    assert set(index["runs"]) == {path_of[r.id] for r in ended}  # the live run is not in it
    client = s3_env.client()
    for run in ended[:3]:  # each copy is the manifest as the bucket holds it
        manifest = client.cat_file(f"{bucket}/p/{path_of[run.id]}/{fmt.BUCKET_MANIFEST_FILE}")
        assert orjson.loads(manifest) == index["runs"][path_of[run.id]]["manifest"]

    reader = Bucket(parse_bucket_url(url))
    report = Materialiser(reader, tmp_path / "pulled").sync_once()

    assert report.errors == [] and report.runs == RUNS + 1
    live_status = f"{path_of[live.id]}/{fmt.STATUS_FILE}"  # its heartbeat may have moved on since
    pulled, local = tree(tmp_path / "pulled"), tree(storage_root)
    assert live_status in pulled and live_status in local
    assert {k: v for k, v in pulled.items() if k != live_status} == {
        k: v for k, v in local.items() if k != live_status
    }
    fetched = 0
    for run_path in path_of.values():
        manifest = orjson.loads(client.cat_file(f"{bucket}/p/{run_path}/{fmt.BUCKET_MANIFEST_FILE}"))
        fetched += sum(len(s) for s in manifest["segments"].values())
        fetched += sum(fmt.BUCKET_INLINE_KEY not in o for o in manifest["objects"].values())
    # the listing, the index and the live run's manifest: not one request per run's manifest
    assert reader.requests == 3 + fetched


def test_an_index_copy_that_is_no_longer_current_is_not_used(storage_root, bucket, s3_env, tmp_path):
    runs = finished_runs(storage_root, RUNS)
    url = f"s3://{bucket}/p"
    assert cli("sync", str(storage_root), url).returncode == 0
    index_file = s3_env.folder / bucket / "p" / fmt.BUCKET_INDEX_FILE
    old_index = index_file.read_bytes()
    write_json_atomic(runs[0].dir / fmt.SUMMARY_FILE, {"i": 0, "note": "changed after the first sync"})
    assert cli("sync", str(storage_root), url).returncode == 0
    s3_env.client().pipe_file(f"{bucket}/p/{fmt.BUCKET_INDEX_FILE}", old_index)  # an index gone stale

    pulled = cli("pull", url, str(tmp_path / "pulled"))

    assert pulled.returncode == 0, pulled.stderr
    assert tree(tmp_path / "pulled") == tree(storage_root)  # the changed summary, not the copy's
    again = cli("sync", str(storage_root), url)  # and the next sync puts the index right
    assert again.returncode == 0
    assert "changed after" in str(index_in(s3_env, bucket, "p")["runs"])


def test_a_broken_index_costs_speed_only(storage_root, bucket, s3_env, tmp_path):
    finished_runs(storage_root, RUNS)
    url = f"s3://{bucket}/p"
    assert cli("sync", str(storage_root), url).returncode == 0
    s3_env.client().pipe_file(f"{bucket}/p/{fmt.BUCKET_INDEX_FILE}", b"\x1f\x8b not really gzip")

    pulled = cli("pull", url, str(tmp_path / "pulled"))

    assert pulled.returncode == 0, pulled.stderr
    assert tree(tmp_path / "pulled") == tree(storage_root)
    assert cli("sync", str(storage_root), url).returncode == 0  # rewritten whole
    assert len(index_in(s3_env, bucket, "p")["runs"]) == RUNS


def test_two_roots_syncing_into_one_prefix_keep_each_other_s_runs_in_the_index(
    storage_root, bucket, s3_env, tmp_path
):
    other_root = tmp_path / "other-box"
    finished_runs(storage_root, 3, project="laptop")
    finished_runs(other_root, 2, project="gpubox")
    url = f"s3://{bucket}/lab"

    assert cli("sync", str(storage_root), url).returncode == 0
    assert cli("sync", str(other_root), url).returncode == 0
    assert cli("sync", str(storage_root), url).returncode == 0

    projects = sorted(p.split("/")[0] for p in index_in(s3_env, bucket, "lab")["runs"])
    assert projects == ["gpubox"] * 2 + ["laptop"] * 3


def test_a_run_synced_on_its_own_adds_itself_to_the_index_when_it_ends(bucket, s3_env, tmp_path):
    url = f"s3://{bucket}/live"
    for i in range(2):
        result = cli(
            "run",
            "--storage",
            str(tmp_path / "storage"),
            "--project",
            "demo",
            "--name",
            "cmd",
            "--",
            "python",
            "-c",
            f"print('command {i}')",
            env={"RUNICORN_SYNC_URL": url},
        )
        assert result.returncode == 0, result.stderr
    runs = index_in(s3_env, bucket, "live")["runs"]
    assert len(runs) == 2 and all(p.startswith("demo/cmd/runs/") for p in runs)


def test_the_viewer_cache_drops_a_run_the_index_shows_but_the_bucket_no_longer_has(
    storage_root, bucket, s3_env, tmp_path
):
    runs = finished_runs(storage_root, RUNS)
    url = f"s3://{bucket}/p"
    assert cli("sync", str(storage_root), url).returncode == 0
    gone = runs[0].dir.relative_to(storage_root).as_posix()
    s3_env.client().rm(f"{bucket}/p/{gone}", recursive=True)  # removed by hand; the index still has it
    cache = tmp_path / "viewer-cache"
    materialiser = Materialiser(Bucket(parse_bucket_url(url)), cache, rebuild=True)

    shown = materialiser.show_index_first()  # what the viewer lists at once, before the listing
    assert len(shown) == RUNS and (cache / gone / fmt.META_FILE).is_file()
    report = materialiser.sync_once()

    assert report.errors == [] and report.runs == RUNS - 1
    assert not (cache / gone).exists()
    assert len(list(cache.rglob(fmt.META_FILE))) == RUNS - 1
