"""Files under a folder reached without following links (runicorn/files/pinned.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runicorn.files import LinkRefused, PinnedFolder, is_plain_name


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "../x", "/etc/x", "nul\x00", "n" * 256])
def test_names_that_are_not_one_entry_are_not_plain(name: str) -> None:
    assert not is_plain_name(name)


@pytest.mark.parametrize("name", ["events.jsonl", ".hidden", "a b", "é" * 100, "n" * 255, "a\\b"])
def test_plain_names(name: str) -> None:
    assert is_plain_name(name)


def test_folders_are_made_and_files_written_below_the_base(tmp_path: Path) -> None:
    with PinnedFolder.open(tmp_path / "root", ("p", "n", "runs", "r1"), create=True) as folder:
        folder.append("events.jsonl", b"one\n")
        folder.append("events.jsonl", b"two\n")
        folder.replace("meta.json", b"{}", mtime=1_790_000_000)
        assert folder.size("events.jsonl") == 8 and folder.size("missing") == 0
        assert folder.read_head("events.jsonl", 3) == b"one"
    run = tmp_path / "root" / "p" / "n" / "runs" / "r1"
    assert (run / "events.jsonl").read_bytes() == b"one\ntwo\n"
    assert (run / "meta.json").stat().st_mtime == 1_790_000_000
    assert sorted(p.name for p in run.iterdir()) == ["events.jsonl", "meta.json"]  # no temp file left


def test_a_link_on_the_way_or_in_place_of_a_file_is_never_followed(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "p").mkdir(parents=True)
    outside.mkdir()
    victim = outside / "victim"
    victim.write_bytes(b"precious")
    os.symlink(outside, root / "p" / "linked")
    with pytest.raises(LinkRefused):
        PinnedFolder.open(root, ("p", "linked"), create=True)
    with pytest.raises(LinkRefused):
        PinnedFolder.open(root, ("p", "linked", "deeper"), create=True)
    with PinnedFolder.open(root, ("p",)) as folder:
        os.symlink(victim, root / "p" / "events.jsonl")
        with pytest.raises(LinkRefused):
            folder.append("events.jsonl", b"x")
        with pytest.raises(LinkRefused):
            folder.read_head("events.jsonl", 4)
        with pytest.raises(LinkRefused):
            folder.size("events.jsonl")
        os.symlink(victim, root / "p" / "meta.json")
        folder.replace("meta.json", b"new")  # the link is replaced, its target untouched
        os.mkfifo(root / "p" / "fifo")
        with pytest.raises(LinkRefused):
            folder.append("fifo", b"x")
        with pytest.raises(ValueError):
            folder.append("../escape", b"x")
    assert victim.read_bytes() == b"precious" and list(outside.iterdir()) == [victim]
    assert not (root / "p" / "meta.json").is_symlink() and (root / "p" / "meta.json").read_bytes() == b"new"


def test_a_folder_swapped_for_a_link_after_opening_is_not_followed_by_later_writes(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "run").mkdir(parents=True)
    outside.mkdir()
    with PinnedFolder.open(root, ("run",)) as folder:
        os.rename(root / "run", root / "moved")
        os.symlink(outside, root / "run")
        folder.append("events.jsonl", b"line\n")  # lands in the folder that was opened
    assert list(outside.iterdir()) == []
    assert (root / "moved" / "events.jsonl").read_bytes() == b"line\n"
