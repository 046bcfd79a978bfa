"""The scanner on its own: given the previous run set, it reads what changed into a new one and
never touches the old one, so a reader holding a set (or a run) sees it stay as it was."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from runicorn import format as fmt
from runicorn.files import write_json_atomic
from runicorn.store.index.rescan_scheduler import RescanRules
from runicorn.store.index.run_index import RunIndex
from runicorn.store.index.run_set import RunSet
from runicorn.store.index.scanner import Scanner

RunWriter = Callable[..., Path]
A, B = "20260101_000000_aaaaaa", "20260101_000000_bbbbbb"


def test_a_scan_reads_what_changed_into_a_new_set_and_leaves_the_old_one(
    storage: Path, write_run: RunWriter
) -> None:
    d = write_run(run_id=A, summary={"acc": 0.1})
    write_run(run_id=B, summary={"acc": 0.5})
    scanner = Scanner(storage)
    first = scanner.scan(RunSet(), full=False)
    write_json_atomic(d / fmt.SUMMARY_FILE, {"acc": 0.9})
    second = scanner.scan(first, full=False)
    assert first.by_key[A].summary_file == {"acc": 0.1} and second.by_key[A].summary_file == {"acc": 0.9}
    assert second.by_key[B] is first.by_key[B]  # an unchanged run is shared, not read again
    assert second.generation == first.generation + 1
    assert [r.key for r in first.newest_first] == [r.key for r in second.newest_first]


def test_a_scan_that_finds_nothing_new_keeps_the_generation(storage: Path, write_run: RunWriter) -> None:
    write_run(run_id=A)
    scanner = Scanner(storage)
    first = scanner.scan(RunSet(), full=False)
    assert first.generation == 1
    again = scanner.scan(first, full=True)  # every run folder looked into: nothing changed
    assert again.generation == first.generation and again.by_key[A] is first.by_key[A]


def test_a_run_removed_or_added_is_a_new_generation(storage: Path, write_run: RunWriter) -> None:
    d = write_run(run_id=A)
    scanner = Scanner(storage)
    first = scanner.scan(RunSet(), full=False)
    shutil.rmtree(d)
    gone = scanner.scan(first, full=False)
    assert list(gone.by_key) == [] and gone.generation == first.generation + 1
    write_run(run_id=B)
    back = scanner.scan(gone, full=False)
    assert list(back.by_key) == [B] and back.generation == gone.generation + 1
    assert list(first.by_key) == [A]


def test_a_copy_of_a_run_gives_both_new_keys_without_changing_the_old_set(
    storage: Path, write_run: RunWriter
) -> None:
    write_run("a", "n", A)
    scanner = Scanner(storage)
    first = scanner.scan(RunSet(), full=False)
    write_run("b", "n", A)
    second = scanner.scan(first, full=False)
    assert first.by_key[A].key == A  # the run a reader already holds keeps its key
    assert len(second.by_key) == 2 and all(k.startswith(A + ".") for k in second.by_key)
    found = second.lookup(A)
    assert found is not None and found.project == "a"  # plain id: first by folder path


def test_unsafe_folder_names_are_skipped_with_the_reason(storage: Path, write_run: RunWriter) -> None:
    write_run(run_id="bad id", folder=storage / "p" / "n" / "runs" / "bad id")
    found = Scanner(storage).scan(RunSet(), full=False)
    assert not found.by_key and found.skipped == {"p/n/runs/bad id": "folder name is not a safe run id"}


def test_a_run_held_by_a_reader_does_not_change_under_it(storage: Path, write_run: RunWriter) -> None:
    d = write_run(run_id=A, summary={"acc": 0.1}, status="running")
    index = RunIndex(storage, RescanRules(refresh_interval_s=0.0))
    held = index.get(A)
    assert held is not None
    write_json_atomic(d / fmt.SUMMARY_FILE, {"acc": 0.9})
    write_json_atomic(d / fmt.STATUS_FILE, {"status": "finished"})
    index.refresh(force=True)
    assert (held.summary_file, held.status) == (
        {"acc": 0.1},
        {"status": "running", "started_at": held.created_at},
    )
    now = index.get(A)
    assert now is not None and now.summary_file == {"acc": 0.9} and now.state() == "finished"
