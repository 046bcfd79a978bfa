"""Which files of a run a copy carries: one rule for archive export, sync and the SSH mirror."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from runicorn import format as fmt
from runicorn.files import copied_files
from runicorn.sync.uploader import local_files


@pytest.mark.parametrize(
    ("name", "copied"),
    [
        (fmt.META_FILE, True),
        (fmt.STATUS_FILE, True),
        (fmt.EVENTS_FILE, True),
        (fmt.COLUMNS_FILE, True),
        (fmt.LOGS_FILE, True),
        (fmt.MEDIA_DIR, True),
        (fmt.FILES_DIR, True),
        (fmt.GIT_DIFF_FILE, True),
        (fmt.ARTIFACTS_FILE, True),
        ("weights.bin", True),
        (fmt.RUN_LOCK_FILE, False),  # the live writer's lock
        ("summary.json.lock", False),  # the PyPI package's empty lock files
        (".status.json.0123456789ab.tmp", False),  # an atomic write in flight
        ("partial.tmp", False),
        (".DS_Store", False),
        (".nfs000000000123", False),
    ],
)
def test_the_rule_names_what_a_copy_carries(name: str, copied: bool):
    assert fmt.is_copied_name(name) is copied


def test_every_file_the_format_names_is_copied():
    for name in (*fmt.REWRITTEN_FILES, *fmt.APPEND_ONLY_FILES, *fmt.RUN_TEXT_FILES, fmt.ARTIFACTS_FILE):
        assert fmt.is_copied_name(name), name


def _write(run: Path, relpath: str, data: str = "x") -> None:
    path = run / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data)


def test_a_live_runs_transients_links_and_dot_folders_are_left_out(tmp_path: Path):
    run = tmp_path / "run"
    for relpath in (
        fmt.META_FILE,
        fmt.EVENTS_FILE,
        "media/a.png",
        "files/conf/x.yaml",
        "files/.hydra/c.yaml",
    ):
        _write(run, relpath)
    for relpath in (
        fmt.RUN_LOCK_FILE,
        ".status.json.0123456789ab.tmp",
        "media/.a.png.0123456789ab.tmp",
        ".ipynb_checkpoints/notes.txt",
        "files/.hydra/.c.yaml.0123456789ab.tmp",
        "old.lock/inside.txt",
    ):
        _write(run, relpath)
    outside = tmp_path / "secret.txt"
    outside.write_text("not the run's")
    os.symlink(outside, run / "linked.txt")
    os.symlink(tmp_path, run / "linked_folder")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(os.fspath(run / "writer.sock"))
        found = [f.relpath for f in copied_files(run)]
        synced = local_files(run)
    # below files/ the user's own dot names are carried (wandb.save of .hydra/config.yaml)
    assert found == [
        fmt.EVENTS_FILE,
        fmt.META_FILE,
        "files/.hydra/c.yaml",
        "files/conf/x.yaml",
        "media/a.png",
    ]
    assert sorted(synced) == sorted(found)
    assert synced[fmt.EVENTS_FILE].size == 1


def test_each_file_comes_with_its_own_stat(tmp_path: Path):
    run = tmp_path / "run"
    _write(run, fmt.LOGS_FILE, "hello\n")
    os.utime(run / fmt.LOGS_FILE, (1_700_000_000, 1_700_000_000))
    (only,) = copied_files(run)
    assert (only.path, only.stat.st_size, only.stat.st_mtime) == (run / fmt.LOGS_FILE, 6, 1_700_000_000)


def test_a_missing_run_folder_has_no_files(tmp_path: Path):
    assert list(copied_files(tmp_path / "gone")) == []
