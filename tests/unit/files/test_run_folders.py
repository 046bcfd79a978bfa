"""The one walk that finds run folders: export, sync and the viewer's index see the same runs."""

from __future__ import annotations

import os
from pathlib import Path

from runicorn import format as fmt
from runicorn.archive.placement import find_runs
from runicorn.files import RunFolders, find_run_folders
from runicorn.sync.uploader import run_folders


def _run(root: Path, *parts: str) -> Path:
    folder = root.joinpath(*parts)
    folder.mkdir(parents=True)
    (folder / fmt.META_FILE).write_text("{}")
    return folder


def _found_by_every_walk(root: Path) -> dict[str, list[str]]:
    return {
        "index": RunFolders(root).walk(),
        "sync": [p.relative_to(root).as_posix() for p in run_folders(root)],
        "export": [loc.path.relative_to(root).as_posix() for loc in find_runs(root)],
    }


def test_every_walk_finds_the_same_runs_in_every_layout(tmp_path: Path):
    ours = _run(tmp_path, "demo", "exp1", "runs", "20261123_101500_ab12cd")
    flat = _run(tmp_path, "runs", "old1")
    nested = _run(tmp_path, "runs", "vision", "a", "b", "r1")
    _run(ours, "inner")  # a folder inside a run is never a run of its own
    expected = sorted(p.relative_to(tmp_path).as_posix() for p in (ours, flat, nested))
    for walk, found in _found_by_every_walk(tmp_path).items():
        assert sorted(found) == expected, walk


def test_a_run_deeper_than_the_bound_is_not_found_by_any_walk(tmp_path: Path):
    segments = [f"s{i}" for i in range(fmt.MAX_RUN_DEPTH - 2)]
    deepest = _run(tmp_path, "runs", *segments, "at_bound")  # MAX_RUN_DEPTH folders down
    _run(tmp_path, "runs", *segments, "x", "below_bound")
    assert len(deepest.relative_to(tmp_path).parts) == fmt.MAX_RUN_DEPTH
    for walk, found in _found_by_every_walk(tmp_path).items():
        assert found == [deepest.relative_to(tmp_path).as_posix()], walk


def test_links_are_not_followed(tmp_path: Path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    _run(outside, "demo", "exp1", "runs", "elsewhere")
    os.symlink(outside / "demo", root / "demo")  # a linked project
    real = _run(root, "p", "n", "runs", "real")
    os.symlink(real, root / "p" / "n" / "runs" / "linked_run")  # a linked run folder
    marker_link = root / "p" / "n" / "runs" / "marker_is_a_link"
    marker_link.mkdir()
    os.symlink(real / fmt.META_FILE, marker_link / fmt.META_FILE)
    for walk, found in _found_by_every_walk(root).items():
        assert found == ["p/n/runs/real"], walk


def test_dot_lock_tmp_and_ignored_folders_are_skipped(tmp_path: Path):
    kept = _run(tmp_path, "demo", "exp1", "runs", "kept")
    for skipped in (".hidden", ".trash", "archive", "demo.lock", "demo.tmp"):
        _run(tmp_path, skipped, "exp1", "runs", "r1")
    _run(tmp_path, "runs", ".recycle", "r2")
    _run(tmp_path, "runs", "p", ".ipynb_checkpoints", "r3")
    for walk, found in _found_by_every_walk(tmp_path).items():
        assert found == [kept.relative_to(tmp_path).as_posix()], walk


def test_find_run_folders_gives_paths_under_the_root(tmp_path: Path):
    run = _run(tmp_path, "demo", "exp1", "runs", "r1")
    assert find_run_folders(tmp_path) == [run]
    assert find_run_folders(run) == []  # the root itself is never a run


def test_a_walk_again_sees_new_and_removed_runs(tmp_path: Path):
    walk = RunFolders(tmp_path)
    first = _run(tmp_path, "demo", "exp1", "runs", "r1")
    assert walk.walk() == ["demo/exp1/runs/r1"]
    _run(tmp_path, "demo", "exp1", "runs", "r2")
    assert walk.walk() == ["demo/exp1/runs/r1", "demo/exp1/runs/r2"]
    (first / fmt.META_FILE).unlink()
    first.rmdir()
    os.utime(first.parent, ns=(1, 1))  # the folder's listing is cached by mtime
    assert walk.walk() == ["demo/exp1/runs/r2"]


def test_an_experiment_named_like_a_folder_of_the_layout_is_found(tmp_path: Path):
    """`media`, `archive`, `__pycache__` are skipped directly under the root only: an experiment
    (or a deeper folder) with such a name holds runs like any other."""
    found = [_run(tmp_path, "demo", name, "runs", "r1") for name in ("media", "archive", "__pycache__")]
    _run(tmp_path, "media", "exp1", "runs", "r1")  # a root-level folder of the PyPI package's: skipped
    for walk, listed in _found_by_every_walk(tmp_path).items():
        assert listed == sorted(p.relative_to(tmp_path).as_posix() for p in found), walk
