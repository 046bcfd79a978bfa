"""A missing or wrong S3 credential is named as such by `runicorn sync`, `pull` and the viewer
over a bucket, against the real S3 server of tests/s3_server.py: never "cannot reach" with a
network hint (docs/sync.md#failure-cases)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bucket_cli import cli
from s3_server import SECRET_KEY, S3Server

NO_CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")


@pytest.fixture
def nowhere_else(tmp_path: Path) -> dict[str, str]:
    """No credentials file or profile for botocore to fall back on."""
    return {
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "HOME": str(tmp_path),
    }


def test_missing_credentials_are_named_by_sync_pull_and_the_viewer(
    make_run, storage_root: Path, s3_env: S3Server, tmp_path: Path, nowhere_else: dict[str, str]
) -> None:
    make_run()
    url = f"s3://{s3_env.new_bucket()}/p"
    for args in (
        ("sync", str(storage_root), url),
        ("pull", url, str(tmp_path / "pulled")),
        ("viewer", "--storage", url, "--port", "0", "--no-token"),
    ):
        out = cli(*args, env=nowhere_else, without=NO_CREDENTIALS, timeout=60)
        assert out.returncode == 1, (args, out.stdout, out.stderr)
        assert f"no credentials for {url}" in out.stderr, (args, out.stderr)
        assert "hint: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in out.stderr
        assert "cannot reach" not in out.stderr and "network" not in out.stderr


def test_a_wrong_key_is_refused_credentials_not_an_unreachable_store(
    make_run, storage_root: Path, s3_env: S3Server, nowhere_else: dict[str, str]
) -> None:
    make_run()
    url = f"s3://{s3_env.new_bucket()}/p"
    for wrong in ({"AWS_SECRET_ACCESS_KEY": "not-the-secret-key"}, {"AWS_ACCESS_KEY_ID": "nobody-we-know"}):
        out = cli("sync", str(storage_root), url, env={**nowhere_else, **wrong}, timeout=60)
        assert out.returncode == 1 and f"refused the credentials for {url}" in out.stderr, out.stderr
        assert "cannot reach" not in out.stderr and SECRET_KEY not in out.stderr + out.stdout
