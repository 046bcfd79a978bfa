"""The SSH mirror against a hostile server (docs/remote.md#what-a-server-cannot-do): names in its
listings that would leave the run folder are refused and reported, links planted in the local
run folder redirect nothing, and the rest of the mirror goes on."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from runicorn import format as fmt
from runicorn.remote.connect import Credentials, Target
from runicorn.remote.mirror import Mirror
from runicorn.remote.mirror_command import status_line

sys.path.insert(0, str(Path(__file__).parent))
from hostile_sftp import PASSWORD, USER, HostileServer, hostile_server  # noqa: E402

ROOT = "/srv/root"


def run_files(run_path: str, run_id: str, project: str = "proj", name: str = "exp") -> dict[str, bytes]:
    meta = {"id": run_id, "project": project, "name": name, "created_at": 1_790_000_000.0}
    status = {"status": fmt.FINISHED, "started_at": 1_790_000_000.0, "ended_at": 1_790_000_010.0}
    events = b"".join(
        fmt.encode_event(fmt.METRICS, {fmt.STEP_KEY: i, "loss": 1.0 / (i + 1)}, 1_790_000_000.0 + i)
        for i in range(5)
    )
    return {
        f"{run_path}/{fmt.META_FILE}": orjson.dumps(meta),
        f"{run_path}/{fmt.STATUS_FILE}": orjson.dumps(status),
        f"{run_path}/{fmt.EVENTS_FILE}": events,
        f"{run_path}/{fmt.SUMMARY_FILE}": b'{"loss": 0.2}',
        f"{run_path}/{fmt.MEDIA_DIR}/good.png": b"\x89PNG good",
    }


@pytest.fixture
def server(ssh_env: dict[str, Path]) -> Iterator[HostileServer]:
    with hostile_server() as srv:
        (ssh_env["home"] / ".ssh" / "known_hosts").write_text(srv.known_hosts_line())
        yield srv


def mirror_of(server: HostileServer, local: Path) -> Mirror:
    target = Target(USER, "127.0.0.1", server.port, ROOT)
    return Mirror(target, Credentials(password=PASSWORD), local, interval_s=0.1)


def files_under(folder: Path) -> set[Path]:
    return {Path(dirpath, name) for dirpath, _, names in os.walk(folder) for name in names}


def test_names_that_would_leave_the_run_folder_are_refused_and_reported(
    server: HostileServer, ssh_env: dict[str, Path], tmp_path: Path
) -> None:
    local = ssh_env["local"]
    outside = tmp_path / "abs-target"
    run = f"{ROOT}/proj/exp/runs/run1"
    other = f"{ROOT}/proj/exp/runs/run2"
    server.files.update(run_files(run, "run1"))
    server.files.update(run_files(other, "run2"))
    server.files[f"{ROOT}/odd/exp/runs/run3/{fmt.META_FILE}"] = b'{"project": "odd", "name": "exp"}'
    bad = {
        "../../evil": b"escaped",
        "../../../../../evil-too": b"escaped",
        f"{outside}/x": b"absolute",
        "a/b": b"nested",
        "..": b"dots",
        ".": b"dot",
        "": b"empty",
        "with\x00nul": b"nul",
        "n" * 300: b"too long",
    }
    server.extra_names[run] = dict(bad)
    server.extra_names[f"{run}/{fmt.MEDIA_DIR}"] = {"../../../media-evil.png": b"escaped media"}
    server.extra_names[ROOT] = {"../escape-dir": b"x", "/abs-dir": b"x"}
    server.extra_names[f"{ROOT}/odd/exp/runs"] = {b"not-utf8-\xff\xfe": b"x"}
    server.files[f"{other}/{fmt.MEDIA_DIR}/huge.mp4"] = b"claims 2**62 bytes"
    server.claimed_sizes[f"{other}/{fmt.MEDIA_DIR}/huge.mp4"] = 2**62

    mirror = mirror_of(server, local)
    try:
        mirror.sync_once()
        mirror.sync_once()
    finally:
        mirror.close()

    landed = fmt.run_dir(local, "proj", "exp", "run1")
    for run_dir in (landed, fmt.run_dir(local, "proj", "exp", "run2")):
        assert (run_dir / fmt.EVENTS_FILE).read_bytes() == server.files[f"{run}/{fmt.EVENTS_FILE}"]
        assert (run_dir / fmt.MEDIA_DIR / "good.png").read_bytes() == b"\x89PNG good"
    # nothing but the two runs and the mirror file was written, anywhere
    allowed = {local / fmt.MIRRORS_FILE, ssh_env["home"] / ".ssh" / "known_hosts"}
    written = files_under(tmp_path) - allowed
    assert all(
        p.is_relative_to(landed) or p.is_relative_to(fmt.run_dir(local, "proj", "exp", "run2"))
        for p in written
    ), sorted(written)
    assert not outside.exists()
    for p in written:
        assert p.read_bytes() not in bad.values() and b"escaped" not in p.read_bytes(), p
    # each refusal is reported by its remote path, and no refused name was ever asked for
    refused = "\n".join(mirror.stats.refused)
    for name in bad:
        if name not in (".", ".."):  # paramiko drops these two from every listing itself
            assert f"{run}/{name!r}" in refused, name
    assert f"{run}/{fmt.MEDIA_DIR}/'../../../media-evil.png'" in refused
    assert f"{ROOT}/'../escape-dir'" in refused and f"{ROOT}/'/abs-dir'" in refused
    assert f"{ROOT}/odd/exp/runs: the server lists a name in it that is not UTF-8" in refused
    assert f"{other}/{fmt.MEDIA_DIR}/huge.mp4: the server says it holds {2**62} bytes" in refused
    assert all(line.startswith(f"127.0.0.1:{server.port}:") for line in mirror.stats.refused)
    assert not [p for p in server.asked if "evil" in p or "escape" in p or "\x00" in p or "/a/b" in p]
    assert mirror.stats.refused_count == len(mirror.stats.refused) == len(bad) - 2 + 5
    assert mirror.stats.runs == 2
    assert "12 refused" in status_line(mirror.stats)


def plant_link(path: Path, target: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    os.symlink(target, path)


def test_links_planted_in_the_local_run_folder_redirect_no_write(
    server: HostileServer, ssh_env: dict[str, Path], tmp_path: Path
) -> None:
    local = ssh_env["local"]
    run, gone = f"{ROOT}/proj/exp/runs/run1", f"{ROOT}/proj/exp/runs/run2"
    server.files.update(run_files(run, "run1"))
    server.files.update(run_files(gone, "run2"))
    mirror = mirror_of(server, local)
    try:
        mirror.sync_once()
        landed = fmt.run_dir(local, "proj", "exp", "run1")
        assert (landed / fmt.SUMMARY_FILE).exists()
        victim, victim_summary, victim_dir, victim_run = (
            tmp_path / "victim.txt",
            tmp_path / "victim-summary.json",
            tmp_path / "victim-dir",
            tmp_path / "victim-run",
        )
        victim.write_bytes(b"precious\n")
        victim_summary.write_bytes(b"precious summary")
        victim_dir.mkdir()
        victim_run.mkdir()
        plant_link(landed / fmt.EVENTS_FILE, victim)
        plant_link(landed / fmt.SUMMARY_FILE, victim_summary)
        plant_link(landed / fmt.MEDIA_DIR, victim_dir)
        plant_link(fmt.run_dir(local, "proj", "exp", "run2"), victim_run)
        # the server's runs change: more events, a new summary, a new media file
        for path in (run, gone):
            server.files[f"{path}/{fmt.EVENTS_FILE}"] += fmt.encode_event(
                fmt.METRICS, {fmt.STEP_KEY: 9, "loss": 0.01}, 1_790_000_009.0
            )
            server.files[f"{path}/{fmt.SUMMARY_FILE}"] = b'{"loss": 0.01}'
            server.files[f"{path}/{fmt.MEDIA_DIR}/new.png"] = b"\x89PNG new"
            server.touch(path)
            server.touch(f"{path}/{fmt.MEDIA_DIR}")
        for _ in range(12):  # past the finished-run check
            mirror.sync_once()
    finally:
        mirror.close()
    assert victim.read_bytes() == b"precious\n"
    assert victim_summary.read_bytes() == b"precious summary"
    assert list(victim_dir.iterdir()) == [] and list(victim_run.iterdir()) == []
    # a whole file is replaced by rename (the link goes, its target stays); appends are refused
    assert not (landed / fmt.SUMMARY_FILE).is_symlink()
    assert (landed / fmt.SUMMARY_FILE).read_bytes() == b'{"loss": 0.01}'
    refused = "\n".join(mirror.stats.refused)
    assert f"{run}/{fmt.EVENTS_FILE}: not written" in refused
    assert f"{run}/{fmt.MEDIA_DIR}: not written" in refused
    assert f"{gone}: not written" in refused
