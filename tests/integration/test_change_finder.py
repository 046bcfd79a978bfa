"""What the bucket viewer's cycles cost between full listings (runicorn/sync/change_finder.py),
against a real S3 server: a live run's new lines still land every cycle, new runs at the next full
listing, and an idle cycle reads only the live runs' manifests."""

from __future__ import annotations

import pytest
from bucket_cli import cli
from s3_server import S3Server

from runicorn import format as fmt
from runicorn.sync.bucket import Bucket, parse_bucket_url
from runicorn.sync.change_finder import ChangeFinder
from runicorn.sync.materialiser import Materialiser

pytestmark = pytest.mark.s3


@pytest.fixture
def bucket(s3_env: S3Server) -> str:
    return s3_env.new_bucket()


def test_between_full_listings_a_cycle_reads_only_the_live_runs_manifests(
    make_run, storage_root, bucket, s3_env, tmp_path
):
    for i in range(5):
        make_run(name=f"done{i}")
    live = make_run(name="live", finish=False)
    url = f"s3://{bucket}/p"
    assert cli("sync", str(storage_root), url).returncode == 0
    reader = Bucket(parse_bucket_url(url))
    cache = tmp_path / "cache"
    now = [1000.0]  # the finder's clock, moved by hand
    finder = ChangeFinder(reader, full_every_s=10.0, clock=lambda: now[0])
    materialiser = Materialiser(reader, cache, rebuild=True, finder=finder)
    first = materialiser.sync_once()
    assert first.errors == [] and first.runs == 6

    before = reader.requests
    idle = materialiser.sync_once()
    assert reader.requests - before == 1  # the live run's manifest, no listing
    assert idle.runs == 6 and idle.runs_updated == 0

    live.log_text("a line from the live run")
    live.flush()
    late = make_run(name="late")  # a run that appears after the viewer started
    assert cli("sync", str(storage_root), url).returncode == 0
    materialiser.sync_once()
    live_logs = cache / live.dir.relative_to(storage_root) / fmt.LOGS_FILE
    assert "a line from the live run" in live_logs.read_text()  # live runs stay fresh every cycle
    late_meta = cache / late.dir.relative_to(storage_root) / fmt.META_FILE
    assert not late_meta.exists()  # between full listings a new run is not looked for

    now[0] += 10.0
    assert materialiser.sync_once().runs == 7  # the next full listing finds it
    assert late_meta.is_file()
