"""The SSH mirror against a real sshd: changes that size and mtime alone could hide, and what
finished runs cost per cycle (docs/remote.md#incremental-transfer)."""

from __future__ import annotations

import os
import posixpath
import sys
import time
from pathlib import Path
from typing import Any

import paramiko
import pytest

import runicorn
from runicorn import format as fmt
from runicorn.remote.connect import Credentials, Target
from runicorn.remote.mirror import FINISHED_CHECK_EVERY, Mirror

sys.path.insert(0, str(Path(__file__).parent))
from remote_run import RemoteRun, lines, wait_for  # noqa: E402
from sshd_server import SSHD, SshServer  # noqa: E402

pytestmark = [
    pytest.mark.ssh,
    pytest.mark.skipif(not os.path.exists(SSHD), reason=f"OpenSSH sshd not installed ({SSHD} missing)"),
]


def make_mirror(sshd: SshServer, path: Path, local: Path) -> Mirror:
    target = Target(sshd.user, "127.0.0.1", sshd.port, str(path))
    return Mirror(target, Credentials(key_path=str(sshd.client_key)), local, interval_s=0.1)


def test_finished_run_resumed_on_the_server_is_mirrored_again_without_a_restart(
    sshd: SshServer, ssh_env: dict[str, Path]
) -> None:
    opts: dict[str, Any] = {
        "project": "proj",
        "name": "exp",
        "capture_console": False,
        "system_metrics": False,
    }
    first = runicorn.init(storage=ssh_env["remote"], **opts)
    for step in range(5):
        first.log({"loss": 1.0 / (step + 1)}, step=step)
    first.finish()
    mirror = make_mirror(sshd, ssh_env["remote"], ssh_env["local"])
    mirror.start()
    local = fmt.run_dir(ssh_env["local"], "proj", "exp", first.id)
    events, status = local / fmt.EVENTS_FILE, local / fmt.STATUS_FILE
    resumed = None
    try:
        wait_for(lambda: mirror.stats.runs == 1 and mirror.stats.active_runs == 0, what="the run to finish")
        assert len(lines(events)) == 5

        resumed = runicorn.init(storage=ssh_env["remote"], run_id=first.id, **opts)
        for step in range(5, 12):
            resumed.log({"loss": 1.0 / (step + 1)}, step=step)
        resumed.flush()
        wait_for(
            lambda: (
                len(lines(events)) == 12
                and (fmt.read_json(status) or {}).get(fmt.STATUS_KEY) == fmt.RUNNING
                and mirror.stats.active_runs == 1
            ),
            what="the resumed run back in the cycle with its new lines",
        )

        resumed.finish()
        wait_for(
            lambda: (
                mirror.stats.active_runs == 0
                and (fmt.read_json(status) or {}).get(fmt.STATUS_KEY) == fmt.FINISHED
            ),
            what="the resumed run to finish again",
        )
        for name in (fmt.EVENTS_FILE, fmt.STATUS_FILE, fmt.META_FILE, fmt.CONFIG_FILE):
            assert (local / name).read_bytes() == (first.dir / name).read_bytes(), name
    finally:
        if resumed is not None:
            resumed.finish()
        mirror.stop()


def _start_of_a_second() -> bool:
    return time.time() % 1.0 < 0.2


@pytest.mark.parametrize("restart", [False, True], ids=["same-mirror", "restarted-mirror"])
def test_same_size_status_rewrites_within_one_second_both_land(
    sshd: SshServer, ssh_env: dict[str, Path], restart: bool
) -> None:
    run = RemoteRun(ssh_env["remote"])
    run.log(2)
    remote_status = run.dir / fmt.STATUS_FILE
    local_status = fmt.run_dir(ssh_env["local"], "proj", "exp", run.id) / fmt.STATUS_FILE
    mirror = make_mirror(sshd, run.dir, ssh_env["local"])
    mirror.sync_once()
    # both rewrites and the copy between them inside one second: size and mtime stay the same
    wait_for(_start_of_a_second, what="a fresh second")
    run.set_status(fmt.RUNNING, note="first")
    mirror.sync_once()
    assert (fmt.read_json(local_status) or {}).get("note") == "first"
    run.set_status(fmt.RUNNING, note="other")
    assert local_status.stat().st_size == remote_status.stat().st_size
    if restart:
        mirror.close()
        mirror = make_mirror(sshd, run.dir, ssh_env["local"])
    mirror.sync_once()
    assert local_status.read_bytes() == remote_status.read_bytes()

    def settled() -> bool:  # the copy is fetched again until it was read a second past its mtime
        mirror.sync_once()
        return int(local_status.stat().st_mtime) == int(remote_status.stat().st_mtime)

    try:
        wait_for(settled, what="the copy to settle")
        assert local_status.read_bytes() == remote_status.read_bytes()
    finally:
        mirror.close()


class CountingSftp:
    """A real SFTP client that notes each call that costs a round trip: (method, path)."""

    def __init__(self, sftp: paramiko.SFTPClient) -> None:
        self._sftp = sftp
        self.calls: list[tuple[str, str]] = []

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._sftp, name)
        if name not in ("stat", "lstat", "listdir_attr", "listdir", "open"):
            return attr

        def counted(path: str, *args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, path))
            return attr(path, *args, **kwargs)

        return counted


def test_finished_runs_cost_no_call_of_their_own_per_cycle(sshd: SshServer, ssh_env: dict[str, Path]) -> None:
    runs = []
    for i in range(60):
        run = RemoteRun(ssh_env["remote"], name=f"exp{i % 2}")
        run.log(3)
        run.set_status(fmt.FINISHED, ended_at=time.time())
        runs.append(run)
    mirror = make_mirror(sshd, ssh_env["remote"], ssh_env["local"])

    def all_finished() -> bool:
        mirror.sync_once()
        return mirror.stats.runs == 60 and mirror.stats.active_runs == 0

    try:
        wait_for(all_finished, what="every run copied and out of the cycle")
        assert mirror.conn is not None
        counter = CountingSftp(mirror.conn.sftp)
        mirror.conn.sftp = counter  # type: ignore[assignment]
        per_cycle = []
        for _ in range(2 * FINISHED_CHECK_EVERY):
            before = len(counter.calls)
            mirror.sync_once()
            per_cycle.append(len(counter.calls) - before)
    finally:
        mirror.close()
    run_dirs = {str(r.dir) for r in runs}
    runs_folders = {str(r.dir.parent) for r in runs}
    folders = (
        runs_folders
        | {posixpath.dirname(f) for f in runs_folders}
        | {
            str(ssh_env["remote"]),
            str(ssh_env["remote"] / "proj"),
        }
    )
    touched = {path for _, path in counter.calls}
    assert not touched & run_dirs and all(posixpath.dirname(p) not in run_dirs for p in touched)
    assert touched <= folders
    assert max(per_cycle) <= 2 * len(folders) < len(runs)
    # the finished-run check: one listing per runs folder gives every run folder's mtime
    assert runs_folders <= {path for method, path in counter.calls if method == "listdir_attr"}
