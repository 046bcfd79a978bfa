"""Fixtures of the integration layer. SSH: ``ssh_env`` (a HOME and config folder of its own) and
``sshd`` (a real OpenSSH server on loopback whose host key ``ssh_env``'s known_hosts trusts).
Agent: ``live_agent``; Slurm: ``slurm_cluster`` (a real single-node cluster, once per session)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from agent_server import live_agent  # noqa: F401
from s3_server import s3_env, s3_server  # noqa: F401  (rclone serve s3: tests/s3_server.py)
from slurm_cluster import slurm_cluster  # noqa: F401
from sshd_server import SshServer, trusted_sshd


@pytest.fixture
def ssh_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    home, cfg = tmp_path / "home", tmp_path / "cfg"
    (home / ".ssh").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("RUNICORN_CONFIG_FILE", str(cfg / "config.json"))
    return {"home": home, "cfg": cfg, "remote": tmp_path / "remote", "local": tmp_path / "local"}


@pytest.fixture
def sshd(ssh_env: dict[str, Path], tmp_path: Path) -> Iterator[SshServer]:
    with trusted_sshd(tmp_path / "sshd", ssh_env["home"]) as srv:
        yield srv
