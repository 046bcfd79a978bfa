"""Following one append-only file by byte offset (runicorn/store/follower.py): what every
incremental reader of a run's events relies on."""

from __future__ import annotations

import os
from pathlib import Path

from runicorn.store.follower import Follower, Look


def _read(follower: Follower, path: Path, chunk_bytes: int = 64) -> tuple[Look, list[bytes]]:
    """One look at ``path`` and the runs of whole lines read after it."""
    st = path.stat() if path.exists() else None
    look = follower.look(st)
    if look in (Look.SAME, Look.GONE):
        return look, []
    with open(path, "rb") as f:
        return look, list(follower.whole_lines(f, os.fstat(f.fileno()).st_size, chunk_bytes))


def test_appended_lines_are_read_on_from_the_offset(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"one\ntwo\n")
    follower = Follower()
    assert _read(follower, path) == (Look.CHANGED, [b"one\ntwo\n"])
    assert _read(follower, path) == (Look.SAME, [])
    with open(path, "ab") as f:
        f.write(b"three\n")
    assert _read(follower, path) == (Look.CHANGED, [b"three\n"]) and follower.offset == 14


def test_a_partial_last_line_waits_for_its_newline(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"one\ntw")
    follower = Follower()
    assert _read(follower, path) == (Look.CHANGED, [b"one\n"]) and follower.offset == 4
    with open(path, "ab") as f:
        f.write(b"o\n")
    assert _read(follower, path) == (Look.CHANGED, [b"two\n"]) and follower.offset == 8


def test_a_replaced_file_is_read_from_its_start(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"old\n")
    follower = Follower()
    _read(follower, path)
    other = tmp_path / "other"
    other.write_bytes(b"a longer new file\n")  # longer than what was read: only the inode says
    os.replace(other, path)
    assert _read(follower, path) == (Look.RESTARTED, [b"a longer new file\n"])


def test_a_truncated_file_is_read_from_its_start(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"first line\nsecond line\n")
    follower = Follower()
    _read(follower, path)
    with open(path, "r+b") as f:  # same inode, shorter than what was read
        f.truncate(0)
        f.write(b"new\n")
    assert _read(follower, path) == (Look.RESTARTED, [b"new\n"]) and follower.offset == 4


def test_a_removed_file_is_gone_and_its_successor_read_from_the_start(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"one\n")
    follower = Follower()
    _read(follower, path)
    path.unlink()
    assert _read(follower, path) == (Look.GONE, []) and follower.offset == 0
    assert _read(follower, path) == (Look.SAME, [])
    path.write_bytes(b"again\n")
    assert _read(follower, path) == (Look.CHANGED, [b"again\n"])


def test_a_line_longer_than_a_chunk_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    long_line = b"x" * 200 + b"\n"
    path.write_bytes(b"short\n" + long_line + b"after\n")
    follower = Follower()
    look, runs = _read(follower, path, chunk_bytes=16)
    assert b"".join(runs) == b"short\n" + long_line + b"after\n"
    assert long_line in runs or any(run.endswith(long_line) for run in runs)
    assert all(run.endswith(b"\n") for run in runs) and follower.offset == path.stat().st_size


def test_a_long_line_still_being_written_waits_whole(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"short\n" + b"y" * 100)
    follower = Follower()
    assert _read(follower, path, chunk_bytes=16)[1] == [b"short\n"] and follower.offset == 6
    with open(path, "ab") as f:
        f.write(b"\n")
    assert _read(follower, path, chunk_bytes=16)[1] == [b"y" * 100 + b"\n"]


def test_an_interrupted_read_reads_on_at_the_next_look(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"a\n" * 40)
    follower = Follower()
    follower.look(path.stat())
    with open(path, "rb") as f:
        runs = follower.whole_lines(f, 80, 16)
        next(runs)
        next(runs)  # the first run is taken; the read stops here
    follower.interrupted()
    assert follower.offset == 16
    look, runs_after = _read(follower, path, chunk_bytes=16)
    assert look is Look.CHANGED and b"".join(runs_after) == b"a\n" * 32
