"""An agent job that syncs as it goes (``sync_url``) against a real S3 server: the job's run ends
in the bucket, final status included, and in the prefix's run index. The object store's
credentials are the agent's: its recorder gets them, the job's command never does
(docs/agent.md#syncing-jobs-to-a-bucket)."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import orjson
import pytest
from bucket_cli import cli, tree
from s3_server import S3Server

from runicorn import format as fmt

pytestmark = pytest.mark.s3

# writes the command's whole environment to env.json in its workdir, then says something
DUMP_ENV = (
    "import json, os; json.dump(dict(os.environ), open('env.json', 'w')); print('training on the GPU box')"
)


def assert_no_credentials(env_file: Path, s3: S3Server) -> None:
    seen = json.loads(env_file.read_text())
    assert not [k for k in seen if k.startswith("AWS_")], seen
    assert s3.env()["AWS_SECRET_ACCESS_KEY"] not in json.dumps(seen)


def test_an_agent_job_with_a_sync_url_leaves_its_finished_run_in_the_bucket(
    live_agent, s3_env: S3Server, tmp_path: Path
) -> None:
    bucket = s3_env.new_bucket()
    url = f"s3://{bucket}/jobs"
    store = tmp_path / "store"
    agent = live_agent(store)
    job = agent.submit(
        command=[sys.executable, "-c", DUMP_ENV],
        workdir=str(tmp_path),
        name="synced",
        env={"RUNICORN_SYNC_URL": url},
    )

    done = agent.wait_status(job["id"], "succeeded", "failed")
    assert_no_credentials(tmp_path / "env.json", s3_env)

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


def test_the_agents_sync_url_and_keys_reach_the_recorder_not_the_command(
    live_agent, s3_env: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = s3_env.new_bucket()
    monkeypatch.setenv("RUNICORN_SYNC_URL", f"s3://{bucket}/agent")  # every job of this agent syncs
    agent = live_agent(tmp_path / "store")

    job = agent.submit(command=[sys.executable, "-c", DUMP_ENV], workdir=str(tmp_path), name="kept")
    done = agent.wait_status(job["id"], "succeeded", "failed")

    assert done["status"] == "succeeded", done
    assert_no_credentials(tmp_path / "env.json", s3_env)
    assert "RUNICORN_SYNC_URL" not in json.loads((tmp_path / "env.json").read_text())
    pulled = cli("pull", f"s3://{bucket}/agent", str(tmp_path / "pulled"))
    assert pulled.returncode == 0, pulled.stderr
    (run_dir,) = (tmp_path / "pulled").glob("*/kept/runs/*")
    assert fmt.read_json(run_dir / fmt.STATUS_FILE)["status"] == fmt.FINISHED
