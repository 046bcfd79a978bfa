"""The mirror's cycle over a server's files, answered from a local folder (no SSH server): what lands
locally, what is read again, and what a server's names cannot make it do."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from runicorn import format as fmt
from runicorn.remote.connect import Credentials, parse_target
from runicorn.remote.folder_files import FolderFiles
from runicorn.remote.mirror import Mirror
from runicorn.remote.remote_files import RemoteEntry

RUN_ID = "20250101_120000_abc123"
WRITTEN_AT = 1_700_000_000


def metric_lines(first: int, count: int) -> bytes:
    return b"".join(
        fmt.encode_event(fmt.METRICS, {"loss": 1.0 / (i + 1), fmt.STEP_KEY: i}, 1_700_000_000.0 + i)
        for i in range(first, first + count)
    )


def write_run(server: Path, status: str = fmt.RUNNING) -> Path:
    """A run as the SDK leaves it, on the server's side (below ``/storage``)."""
    run = fmt.run_dir(server / "storage", "proj", "exp", RUN_ID)
    (run / fmt.MEDIA_DIR).mkdir(parents=True)
    (run / fmt.META_FILE).write_text(json.dumps({"id": RUN_ID, "project": "proj", "name": "exp"}))
    (run / fmt.STATUS_FILE).write_text(json.dumps({fmt.STATUS_KEY: status}))
    (run / fmt.SUMMARY_FILE).write_text(json.dumps({"loss": 0.5}))
    (run / fmt.EVENTS_FILE).write_bytes(metric_lines(0, 3))
    (run / fmt.MEDIA_DIR / "sample.png").write_bytes(b"\x89PNG not really")
    for path in run.rglob("*"):  # written a while ago: every copy of it is settled (see clock.py)
        os.utime(path, (WRITTEN_AT, WRITTEN_AT))
    return run


def moved(folder: Path) -> None:
    """Give a folder a new mtime, as a rename in it does (distinct from every earlier one)."""
    st = folder.stat()
    os.utime(folder, (st.st_atime, int(st.st_mtime) - 7))


@pytest.fixture
def server(tmp_path: Path) -> Path:
    (tmp_path / "server").mkdir()
    return tmp_path / "server"


@pytest.fixture
def local_root(tmp_path: Path) -> Path:
    (tmp_path / "local").mkdir()
    return tmp_path / "local"


def make_mirror(local_root: Path) -> Mirror:
    return Mirror(parse_target("someone@gpu1:/storage"), Credentials(), local_root)


def local_run(local_root: Path) -> Path:
    return fmt.run_dir(local_root, "proj", "exp", RUN_ID)


def test_first_cycle_copies_every_file_of_a_run(server: Path, local_root: Path) -> None:
    remote = write_run(server)
    mirror = make_mirror(local_root)
    landed = mirror.sync_files(FolderFiles(server))
    local = local_run(local_root)
    names = [fmt.META_FILE, fmt.STATUS_FILE, fmt.SUMMARY_FILE, fmt.EVENTS_FILE, "media/sample.png"]
    for name in names:
        assert (local / name).read_bytes() == (remote / name).read_bytes(), name
    assert landed == sum((remote / name).stat().st_size for name in names)
    assert (mirror.stats.kind, mirror.stats.runs, mirror.stats.active_runs) == ("root", 1, 1)
    assert mirror.stats.refused == []


def test_an_append_lands_only_its_new_complete_lines(server: Path, local_root: Path) -> None:
    remote = write_run(server)
    mirror = make_mirror(local_root)
    files = FolderFiles(server)
    mirror.sync_files(files)
    new = metric_lines(3, 2)
    half = metric_lines(5, 1)
    with open(remote / fmt.EVENTS_FILE, "ab") as f:
        f.write(new + half[:10])
    assert mirror.sync_files(files) == len(new)  # the old lines are not read again
    events = local_run(local_root) / fmt.EVENTS_FILE
    assert events.read_bytes() == metric_lines(0, 5)  # a half-written line never lands half
    with open(remote / fmt.EVENTS_FILE, "ab") as f:
        f.write(half[10:])
    moved(remote)
    assert mirror.sync_files(files) == len(half)
    assert events.read_bytes() == metric_lines(0, 6)


def test_a_replaced_file_is_fetched_whole(server: Path, local_root: Path) -> None:
    remote = write_run(server)
    mirror = make_mirror(local_root)
    files = FolderFiles(server)
    mirror.sync_files(files)
    (remote / fmt.SUMMARY_FILE).write_text(json.dumps({"loss": 0.25, "acc": 0.9}))
    (remote / fmt.EVENTS_FILE).write_bytes(metric_lines(10, 1))  # shorter: a run started over
    moved(remote)
    mirror.sync_files(files)
    local = local_run(local_root)
    assert json.loads((local / fmt.SUMMARY_FILE).read_text()) == {"loss": 0.25, "acc": 0.9}
    assert (local / fmt.EVENTS_FILE).read_bytes() == metric_lines(10, 1)


class HostileListing(FolderFiles):
    """A server whose listing of the run folder also names files no local name can be."""

    def __init__(self, folder: Path, run: str, extra: list[RemoteEntry]) -> None:
        super().__init__(folder)
        self.run, self.extra = run, extra

    def listdir(self, path: str) -> list[RemoteEntry]:
        return super().listdir(path) + (self.extra if path == self.run else [])


def test_names_a_server_cannot_mean_and_claimed_huge_sizes_are_refused(
    server: Path, local_root: Path
) -> None:
    remote = write_run(server)
    run = "/" + str(remote.relative_to(server))
    bad = [RemoteEntry(name, 10, 1_700_000_000, False) for name in ("a/b", "..", "x\x00y", "../../escape")]
    huge = RemoteEntry(fmt.CONFIG_FILE, 5 * 1024**3, 1_700_000_000, False)
    mirror = make_mirror(local_root)
    mirror.sync_files(HostileListing(server, run, [*bad, huge]))
    refused = "\n".join(mirror.stats.refused)
    for entry in bad:
        assert f"gpu1:22:{run}/{entry.name!r}: " in refused
    assert f"gpu1:22:{run}/{fmt.CONFIG_FILE}: the server says it holds {huge.size} bytes" in refused
    assert mirror.stats.refused_count == len(bad) + 1
    local = local_run(local_root)
    assert (local / fmt.EVENTS_FILE).read_bytes() == metric_lines(0, 3)  # the rest is copied
    assert not (local / fmt.CONFIG_FILE).exists()
    assert sorted(p.name for p in local_root.parent.iterdir()) == ["local", "server"]


def test_a_link_planted_in_the_local_copy_is_not_written_through(
    server: Path, local_root: Path, tmp_path: Path
) -> None:
    remote = write_run(server)
    mirror = make_mirror(local_root)
    files = FolderFiles(server)
    mirror.sync_files(files)
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep me\n")
    events = local_run(local_root) / fmt.EVENTS_FILE
    events.unlink()
    events.symlink_to(victim)
    with open(remote / fmt.EVENTS_FILE, "ab") as f:
        f.write(metric_lines(3, 2))
    moved(remote)
    mirror.sync_files(files)
    mirror.sync_files(files)
    assert victim.read_bytes() == b"keep me\n"
    assert events.is_symlink()
    assert any(
        line.startswith(f"gpu1:22:/{remote.relative_to(server)}/{fmt.EVENTS_FILE}: not written")
        for line in mirror.stats.refused
    )


def test_a_run_deleted_on_the_server_keeps_its_local_copy(server: Path, local_root: Path) -> None:
    remote = write_run(server)
    mirror = make_mirror(local_root)
    files = FolderFiles(server)
    mirror.sync_files(files)
    shutil.rmtree(remote)
    mirror.sync_files(files)
    mirror.sync_files(files)
    assert (mirror.stats.runs, mirror.stats.active_runs) == (1, 0)
    local = local_run(local_root)
    assert (local / fmt.EVENTS_FILE).read_bytes() == metric_lines(0, 3)
    assert (local / fmt.MEDIA_DIR / "sample.png").read_bytes() == b"\x89PNG not really"


def test_runs_are_found_as_deep_as_the_viewer_finds_them_not_deeper(server: Path, local_root: Path) -> None:
    def deep_run(depth: int, run_id: str) -> None:
        run = server.joinpath("storage", *[f"d{i}" for i in range(depth - 1)], run_id)
        run.mkdir(parents=True)
        (run / fmt.META_FILE).write_text(json.dumps({"id": run_id, "project": "deep", "name": "exp"}))
        (run / fmt.STATUS_FILE).write_text(json.dumps({fmt.STATUS_KEY: fmt.FINISHED}))
        for path in [run, *run.iterdir()]:
            os.utime(path, (WRITTEN_AT, WRITTEN_AT))

    at_bound, too_deep = "20250101_120000_bound1", "20250101_120000_deeper"
    deep_run(fmt.MAX_RUN_DEPTH, at_bound)  # MAX_RUN_DEPTH folders below the mirrored root
    deep_run(fmt.MAX_RUN_DEPTH + 1, too_deep)
    mirror = make_mirror(local_root)
    mirror.sync_files(FolderFiles(server))
    assert (fmt.run_dir(local_root, "deep", "exp", at_bound) / fmt.META_FILE).is_file()
    assert not fmt.run_dir(local_root, "deep", "exp", too_deep).exists()
    assert mirror.stats.runs == 1
