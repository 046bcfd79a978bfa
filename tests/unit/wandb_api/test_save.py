"""``wandb.save`` (runicorn/wandb/save.py): the run's files/ folder under each policy."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

import runicorn
from runicorn import format as fmt
from runicorn.wandb.save import save


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "work"
    (work / "ckpt" / "deep").mkdir(parents=True)
    (work / "ckpt" / "a.pt").write_bytes(b"epoch1")
    (work / "ckpt" / "deep" / "b.pt").write_bytes(b"deep1")
    (work / "notes.txt").write_text("hello")
    monkeypatch.chdir(work)
    return work


def start(storage_root: Path) -> runicorn.Run:
    return runicorn.init(
        project="p", name="n", storage=storage_root, capture_console=False, system_metrics=False
    )


def files_of(run: runicorn.Run) -> dict[str, bytes]:
    top = run.dir / fmt.FILES_DIR
    return {p.relative_to(top).as_posix(): p.read_bytes() for p in sorted(top.rglob("*")) if p.is_file()}


def test_now_copies_at_once_keeping_the_relative_path_and_ignores_later_changes(
    storage_root: Path, workdir: Path
) -> None:
    run = start(storage_root)
    paths = save("ckpt/*.pt", policy="now")
    assert paths == [str(run.dir / fmt.FILES_DIR / "ckpt" / "a.pt")]
    assert files_of(run) == {"ckpt/a.pt": b"epoch1"}
    (workdir / "ckpt" / "a.pt").write_bytes(b"epoch2-longer")
    runicorn.finish()
    assert files_of(run) == {"ckpt/a.pt": b"epoch1"}


def test_live_copies_at_once_and_again_at_finish_when_changed(storage_root: Path, workdir: Path) -> None:
    run = start(storage_root)
    save("ckpt/**/*.pt", base_path="ckpt")
    assert files_of(run) == {"a.pt": b"epoch1", "deep/b.pt": b"deep1"}
    (workdir / "ckpt" / "deep" / "b.pt").write_bytes(b"deep2-longer")
    runicorn.finish()
    assert files_of(run) == {"a.pt": b"epoch1", "deep/b.pt": b"deep2-longer"}


def test_end_copies_only_when_the_run_finishes(storage_root: Path, workdir: Path) -> None:
    run = start(storage_root)
    save(str(workdir / "notes.txt"), policy="end")  # absolute: keeps its last folder
    assert not (run.dir / fmt.FILES_DIR).exists()
    (workdir / "notes.txt").write_text("final words")
    runicorn.finish()
    assert files_of(run) == {"work/notes.txt": b"final words"}


def test_paths_climbing_out_of_the_base_are_refused_and_links_never_enter_the_run(
    storage_root: Path, workdir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("outside")
    os.symlink(secret, workdir / "ckpt" / "link.pt")
    run = start(storage_root)
    with caplog.at_level(logging.WARNING, logger="runicorn"):
        assert save("../secret.txt") == []
    assert "not under base_path" in caplog.text
    save("ckpt/link.pt", policy="now")  # a link the user named: its content is copied, as a file
    copy = run.dir / fmt.FILES_DIR / "ckpt" / "link.pt"
    assert copy.read_text() == "outside" and not copy.is_symlink()
    runicorn.finish()


def test_a_link_planted_in_the_run_files_folder_is_not_written_through(
    storage_root: Path, workdir: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = start(storage_root)
    (run.dir / fmt.FILES_DIR).symlink_to(elsewhere)
    save("notes.txt", policy="now")
    runicorn.finish()
    assert list(elsewhere.iterdir()) == []


def test_a_bad_policy_or_no_run_saves_nothing(storage_root: Path, workdir: Path) -> None:
    assert save("notes.txt") == []  # no run
    run = start(storage_root)
    assert save("notes.txt", policy="sometimes") == []
    runicorn.finish()
    assert not (run.dir / fmt.FILES_DIR).exists()
