"""The columns answer computed as the viewer starts (runicorn/store/query/columns_warmer.py,
docs/viewer.md#the-columns-cache): the warmer process keeps the answer over every run and over
each project in the cache, a request waits for it and computes nothing, and the answer is the one
computed from the files."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from runicorn import format as fmt
from runicorn.store.index import run_info
from runicorn.store.index.run_index import RunIndex
from runicorn.store.query import columns_warmer
from runicorn.store.query.columns_cache import ColumnsCache
from runicorn.store.query.columns_warmer import ColumnsWarmer
from runicorn.store.query.run_filter import RunFilter
from runicorn.store.reader import StoreReader
from tests.unit.store.conftest import RunWriter
from tests.unit.store.query.test_columns_cache import _project, computed, from_scratch

__all__ = ["computed"]  # the fixture, used by name


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's cache folder, as the viewer and its warmer find it."""
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


def started(storage: Path, fork: bool) -> ColumnsWarmer:
    warmer = ColumnsWarmer.start(storage, fork=fork)
    assert warmer is not None
    return warmer


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "new-interpreter"])
def test_the_warmer_keeps_the_answer_over_every_run_and_each_project(
    storage: Path, write_run: RunWriter, cache_home: Path, computed: list[int], fork: bool
) -> None:
    _project(storage, write_run)
    warmer = started(storage, fork)
    try:
        assert warmer.wait_for(None) and warmer.wait_for("p") and warmer.wait_for("q")
    finally:
        warmer.stop()
    for f in (RunFilter(), RunFilter(project="p"), RunFilter(project="q")):
        reader = StoreReader(storage, columns_cache=ColumnsCache())
        try:
            assert orjson.dumps(reader.columns.answer(f)) == from_scratch(storage, f)
        finally:
            reader.index.wait_for_refresh()
            reader.close()
    assert computed == []  # every answer read from what the warmer kept


def test_a_request_waits_for_the_warmer_rather_than_computing_its_answer(
    storage: Path, write_run: RunWriter, cache_home: Path, computed: list[int]
) -> None:
    _project(storage, write_run)
    reader = StoreReader(storage, columns_cache=ColumnsCache(), columns_warmer=started(storage, fork=False))
    try:
        assert orjson.dumps(reader.columns.answer()) == from_scratch(storage, RunFilter())
        assert computed == []
        # an experiment's columns are not the warmer's: computed by the request
        f = RunFilter(project="p", name="b")
        assert orjson.dumps(reader.columns.answer(f)) == from_scratch(storage, f)
        assert computed == [2]
    finally:
        reader.index.wait_for_refresh()
        reader.close()


def test_over_a_running_run_nothing_is_kept_and_the_request_computes_its_answer(
    storage: Path, write_run: RunWriter, cache_home: Path, computed: list[int]
) -> None:
    _project(storage, write_run)
    write_run("p", "a", "20260101_000009_aaaaaa", status="running")
    reader = StoreReader(storage, columns_cache=ColumnsCache(), columns_warmer=started(storage, fork=False))
    try:
        assert orjson.dumps(reader.columns.answer()) == from_scratch(storage, RunFilter())
        assert computed == [6]
    finally:
        reader.index.wait_for_refresh()
        reader.close()


def test_the_first_columns_answer_reads_ahead_taking_the_summaries_the_warmer_parsed(
    storage: Path, write_run: RunWriter, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the first columns answer and the first scan, every run's summary is parsed and
    config flattened in the background; those of floats only come parsed from the warmer, the
    others are parsed here."""
    folders = _project(storage, write_run)
    summaries = {(folder / fmt.SUMMARY_FILE).read_bytes() for folder in folders.values()}
    parsed_here: list[bytes] = []
    loads = run_info.fmt.loads_json_object
    monkeypatch.setattr(run_info.fmt, "loads_json_object", lambda raw: parsed_here.append(raw) or loads(raw))
    reader = StoreReader(storage, columns_cache=ColumnsCache(), columns_warmer=started(storage, fork=False))
    try:
        reader.columns.answer(RunFilter(project="p", name="b"))  # the warmer's answers are not asked for
        reader.columns.wait_for_read_ahead(60)
        runs = reader.index.runs()
        assert all(run.parsed_summary() is not None for run in runs)
        # NaN, a bool, a nested object parsed here; the 2 others (floats only) came from the warmer
        assert len([raw for raw in parsed_here if raw in summaries]) == 3
        expected = {run.relpath: run for run in RunIndex(storage).runs()}
        for run in runs:
            assert run.summary.to_dict() == expected[run.relpath].summary.to_dict()
    finally:
        reader.close()


def test_runs_whose_summaries_need_long_events_reads_are_left_to_the_request(
    storage: Path,
    write_run: RunWriter,
    cache_home: Path,
    computed: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A run without the last values in its summary.json shows those of events.jsonl: past
    MAX_EVENTS_BYTES of them the warmer keeps nothing and the request computes the answer."""
    _project(storage, write_run)  # one run's summary.json lacks the last values
    monkeypatch.setattr(columns_warmer, "MAX_EVENTS_BYTES", 10)  # the forked warmer inherits it
    warmer = started(storage, fork=True)
    assert not warmer.wait_for(None) and warmer.done
    reader = StoreReader(storage, columns_cache=ColumnsCache(), columns_warmer=warmer)
    try:
        assert orjson.dumps(reader.columns.answer()) == from_scratch(storage, RunFilter())
        assert computed == [5]
    finally:
        reader.index.wait_for_refresh()
        reader.close()
