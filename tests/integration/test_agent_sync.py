"""An agent job that syncs as it goes (``sync_url`` in its environment) against a real S3 server:
the job's run ends in the bucket, final status included, and in the prefix's run index."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest
from bucket_cli import cli, tree
from s3_server import S3Server

from runicorn import format as fmt

pytestmark = pytest.mark.s3


def test_an_agent_job_with_a_sync_url_leaves_its_finished_run_in_the_bucket(
    live_agent, s3_env: S3Server, tmp_path: Path
) -> None:
    bucket = s3_env.new_bucket()
    url = f"s3://{bucket}/jobs"
    store = tmp_path / "store"
    agent = live_agent(store)
    job = agent.submit(
        command=["sh", "-c", "echo training on the GPU box"],
        workdir=str(tmp_path),
        name="synced",
        env={"RUNICORN_SYNC_URL": url},
    )

    done = agent.wait_status(job["id"], "succeeded", "failed")

    assert done["status"] == "succeeded", done
    pulled = cli("pull", url, str(tmp_path / "pulled"))
    assert pulled.returncode == 0, pulled.stderr
    (run_dir,) = (tmp_path / "pulled").glob("*/synced/runs/*")
    assert run_dir.name == job["run_id"]
    assert fmt.read_json(run_dir / fmt.STATUS_FILE)["status"] == fmt.FINISHED
    assert "training on the GPU box" in (run_dir / fmt.LOGS_FILE).read_text()
    run_path = run_dir.relative_to(tmp_path / "pulled")
    assert tree(run_dir) == tree(store / run_path)  # the whole run, byte for byte
    index = orjson.loads(
        gzip.decompress((s3_env.folder / bucket / "jobs" / fmt.BUCKET_INDEX_FILE).read_bytes())
    )
    assert list(index["runs"]) == [run_path.as_posix()]
