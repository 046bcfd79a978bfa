from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from runicorn import format as fmt
from runicorn.files import write_json_atomic
from runicorn.store.index.rescan_scheduler import RescanRules
from runicorn.store.index.run_index import RunIndex
from runicorn.store.query.run_filter import RunFilter
from runicorn.store.records.media import media_path

RunWriter = Callable[..., Path]


def test_index_finds_runs_in_every_layout_and_skips_the_rest(storage: Path, write_run: RunWriter) -> None:
    write_run("proj", "exp", "20260101_000000_aaaaaa")
    write_run(run_id="20260101_000000_bbbbbb", folder=storage / "runs" / "20260101_000000_bbbbbb")
    write_run(
        run_id="20260101_000000_cccccc",
        folder=storage / "runs" / "vision" / "resnet" / "20260101_000000_cccccc",
    )
    write_run(
        run_id="20260101_000000_dddddd", folder=storage / "runs" / ".recycle" / "x" / "20260101_000000_dddddd"
    )
    write_run(run_id="20260101_000000_eeeeee", folder=storage / "archive" / "20260101_000000_eeeeee")
    (storage / "runicorn.db").write_bytes(b"SQLite format 3\x00")
    (storage / "runs" / "vision" / "meta.json.lock").write_bytes(b"")
    index = RunIndex(storage)
    found = {(r.id, r.project, r.name, r.layout) for r in index.runs()}
    assert found == {
        ("20260101_000000_aaaaaa", "proj", "exp", "project_name"),
        ("20260101_000000_bbbbbb", fmt.DEFAULT_PROJECT, fmt.DEFAULT_NAME, "legacy_flat"),
        ("20260101_000000_cccccc", "vision", "resnet", "legacy_path"),
    }


def test_a_new_run_appears_on_its_own(storage: Path, write_run: RunWriter) -> None:
    write_run(run_id="20260101_000000_aaaaaa")
    index = RunIndex(storage, RescanRules(refresh_interval_s=0.0))
    assert len(index.runs()) == 1
    write_run(run_id="20260101_000000_bbbbbb")
    assert {r.id for r in index.runs()} == {"20260101_000000_aaaaaa", "20260101_000000_bbbbbb"}
    assert index.get("20260101_000000_bbbbbb") is not None


def test_background_rescan_never_blocks_and_finds_new_runs(storage: Path, write_run: RunWriter) -> None:
    write_run(run_id="20260101_000000_aaaaaa")
    index = RunIndex(storage, RescanRules(refresh_interval_s=0.0, background=True, rescan_pause_factor=0.0))
    assert len(index.runs()) == 1  # the first scan is done in line
    write_run(run_id="20260101_000000_bbbbbb")
    index.runs()  # answers from memory, starts a re-scan
    index.wait_for_refresh()
    assert len(index.runs()) == 2
    index.wait_for_refresh()
    assert index.last_error is None


def test_rewritten_summary_is_read_again(storage: Path, write_run: RunWriter) -> None:
    d = write_run(run_id="20260101_000000_aaaaaa", summary={"acc": 0.1})
    index = RunIndex(storage, RescanRules(refresh_interval_s=0.0))
    assert index.get("20260101_000000_aaaaaa").summary_file == {"acc": 0.1}
    write_json_atomic(d / fmt.SUMMARY_FILE, {"acc": 0.9})
    assert index.get("20260101_000000_aaaaaa").summary_file == {"acc": 0.9}


def test_stale_running_run_shows_as_crashed(storage: Path, write_run: RunWriter) -> None:
    old = time.time() - 10 * fmt.STALE_AFTER_S
    write_run(run_id="20260101_000000_aaaaaa", status="running", heartbeat_at=old)
    write_run(run_id="20260101_000000_bbbbbb", status="running", heartbeat_at=time.time())
    d = write_run(run_id="20260101_000000_cccccc", status="running")  # no heartbeat: file mtimes count
    for name in os.listdir(d):
        os.utime(d / name, (old, old))
    index = RunIndex(storage)
    states = {r.id: r.state() for r in index.runs()}
    assert states == {
        "20260101_000000_aaaaaa": "crashed",
        "20260101_000000_bbbbbb": "running",
        "20260101_000000_cccccc": "crashed",
    }
    assert index.query(RunFilter(status="crashed")).total == 2


def test_query_filters_sorts_and_pages(storage: Path, write_run: RunWriter) -> None:
    for i in range(12):
        write_run(
            "vision" if i % 2 else "nlp",
            f"exp{i % 3}",
            f"20260101_0000{i:02d}_aaaaaa",
            summary={"acc": i / 10} if i != 5 else {},
            tags=["best"] if i == 7 else [],
            notes="tried warmup" if i == 3 else None,
            created_at=1_700_000_000.0 + i,
        )
    index = RunIndex(storage)
    page = index.query(limit=5, offset=0)
    assert page.total == 12 and [r.id[-9:-7] for r in page.runs] == ["11", "10", "09", "08", "07"]
    assert [r.id[-9:-7] for r in index.query(limit=5, offset=10).runs] == ["01", "00"]
    assert index.query(RunFilter(project="vision")).total == 6
    assert index.query(RunFilter(project="vision", name="exp1")).total == 2
    assert [r.id[-9:-7] for r in index.query(RunFilter(tag="best")).runs] == ["07"]
    assert [r.id[-9:-7] for r in index.query(RunFilter(q="WARMUP")).runs] == ["03"]
    by_acc = index.query(RunFilter(sort="summary.acc"), limit=None).runs
    assert by_acc[0].id[-9:-7] == "11" and by_acc[-1].id[-9:-7] == "05"  # no acc: last
    assert [g.name for g in index.projects()] == ["nlp", "vision"]
    assert [(g.name, g.run_count) for g in index.names("nlp")] == [("exp0", 2), ("exp1", 2), ("exp2", 2)]
    with pytest.raises(ValueError):
        index.query(RunFilter(sort="nope"))


def test_same_id_in_two_folders_is_reachable_by_both_keys(storage: Path, write_run: RunWriter) -> None:
    write_run("a", "n", "20260101_000000_aaaaaa")
    write_run("b", "n", "20260101_000000_aaaaaa")
    index = RunIndex(storage)
    keys = [r.key for r in index.runs()]
    assert len(set(keys)) == 2 and all(k.startswith("20260101_000000_aaaaaa.") for k in keys)
    assert {index.get(k).project for k in keys} == {"a", "b"}
    assert all(fmt.is_safe_id(k) for k in keys)
    assert index.get("20260101_000000_aaaaaa").project == "a"  # plain id: first by folder path


def test_unsafe_and_hostile_names_are_never_served(storage: Path, write_run: RunWriter) -> None:
    write_run(run_id="bad id", folder=storage / "p" / "n" / "runs" / "bad id")
    index = RunIndex(storage)
    assert index.runs() == []
    assert "p/n/runs/bad id" in index.skipped
    for key in ("..", "../etc", "/etc/passwd", "%2e%2e", "a/b", ""):
        assert index.get(key) is None


def test_broken_json_files_show_as_empty_with_a_warning(storage: Path, write_run: RunWriter) -> None:
    d = write_run(run_id="20260101_000000_aaaaaa", summary={"acc": 1})
    (d / fmt.SUMMARY_FILE).write_bytes(b'{"acc": 1, "trunc')
    (d / fmt.STATUS_FILE).write_bytes(b"\x00\xff\x00")
    info = RunIndex(storage).get("20260101_000000_aaaaaa")
    assert info.summary_file == {} and info.status == {}
    assert any("summary.json" in w for w in info.warnings)
    assert info.as_dict()["status"] in fmt.ALL_STATUSES


def test_media_path_refuses_paths_leaving_the_media_folder(tmp_path: Path) -> None:
    run = tmp_path / "run"
    (run / fmt.MEDIA_DIR).mkdir(parents=True)
    (run / fmt.MEDIA_DIR / "a.png").write_bytes(b"png")
    (tmp_path / "secret").write_text("x")
    (run / fmt.META_FILE).write_text("{}")
    (run / fmt.MEDIA_DIR / "link.png").symlink_to(tmp_path / "secret")
    assert media_path(run, "media/a.png") == (run / fmt.MEDIA_DIR / "a.png").resolve()
    assert media_path(run, "a.png") is not None
    for bad in (
        "../meta.json",
        "media/../meta.json",
        "/etc/passwd",
        "link.png",
        "media\\..\\meta.json",
        "a.png\x00",
        "",
        "media",
        "media/./a.png",
    ):
        assert media_path(run, bad) is None, bad


DATA = Path(__file__).resolve().parents[3] / "data"


def test_runs_written_by_pypi_runicorn_0_7_2_are_found_with_their_status() -> None:
    ids = json.loads((DATA / "pypi-0.7.2" / "ids.json").read_text())
    index = RunIndex(DATA / "pypi-0.7.2" / "storage")
    runs = {r.id: r for r in index.runs()}
    assert set(runs) == {ids["finished"], ids["failed"]}
    done, failed = runs[ids["finished"]], runs[ids["failed"]]
    assert (done.project, done.name, done.state()) == ("vision", "resnet", "finished")
    assert (failed.project, failed.name, failed.state()) == ("vision", "resnet/ablation", "failed")
    assert done.summary["best_loss"] == 0.125 and done.meta["alias"] == "baseline"
    assert index.query(RunFilter(q="baseline")).total == 1
    assert [(g.name, g.run_count) for g in index.names("vision")] == [("resnet", 1), ("resnet/ablation", 1)]


def test_legacy_layouts_of_pypi_runicorn_0_2_to_0_5_are_found() -> None:
    index = RunIndex(DATA / "legacy-0.2-0.5")
    found = {(r.project, r.name, r.layout, r.state()) for r in index.runs()}
    assert found == {
        ("nlp", "bert", "project_name", "finished"),
        (fmt.DEFAULT_PROJECT, fmt.DEFAULT_NAME, "legacy_flat", "finished"),
    }
