"""The research view's columns answer kept between viewer starts
(runicorn/store/query/columns_cache.py, docs/viewer.md#the-columns-cache): a fresh reader with
the cache answers what one computing from scratch answers, also after a run's files change, a
run is added or removed; the cache is private and never trusted across versions."""

from __future__ import annotations

import os
import shutil
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from runicorn import format as fmt
from runicorn.files import write_json_atomic
from runicorn.store.index.run_index import RunIndex
from runicorn.store.query import columns_answer, columns_cache
from runicorn.store.query.columns import column_stats, logged_metric_keys
from runicorn.store.query.columns_cache import ColumnsCache
from runicorn.store.query.run_filter import RunFilter
from runicorn.store.reader import StoreReader
from tests.unit.store.conftest import RunWriter

FILTERS = [RunFilter(), RunFilter(project="p"), RunFilter(project="p", name="b")]


def from_scratch(storage: Path, f: RunFilter) -> bytes:
    """The columns answer of ``f`` computed from the files, nothing kept."""
    runs = RunIndex(storage).select(f)
    answer = {"columns": column_stats(runs), "metric_keys": logged_metric_keys(runs), "total": len(runs)}
    return orjson.dumps(answer)


def answered(storage: Path, cache: Path, f: RunFilter, scanned_first: bool = False) -> bytes:
    """The columns answer of ``f`` by a fresh reader (a viewer just started) with ``cache``;
    ``scanned_first``: asked once its first scan is done."""
    reader = StoreReader(storage, columns_cache=ColumnsCache(cache))
    if scanned_first:
        reader.index.refresh()
    try:
        return orjson.dumps(reader.columns.answer(f))
    finally:
        reader.index.wait_for_refresh()
        reader.close()


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the answers computed rather than taken from the cache."""
    calls: list[int] = []

    def counted(runs: Any) -> list[dict[str, Any]]:
        calls.append(len(runs))
        return column_stats(runs)

    monkeypatch.setattr(columns_answer, "column_stats", counted)
    yield calls


def rewrite(path: Path, value: dict[str, Any]) -> None:
    """Write ``path`` anew, its mtime a second on (a write in the same clock tick as the last, of
    the same size, would look unchanged to the index as much as to the cache)."""
    before = path.stat().st_mtime_ns
    write_json_atomic(path, value)
    os.utime(path, ns=(before + 10**9, before + 10**9))


def _project(storage: Path, write_run: RunWriter) -> dict[str, Path]:
    nan = float("nan")
    runs = {
        "a1": write_run(
            "p", "a", "20260101_000000_aaaaaa", summary=fmt.summary_file({"loss": 0.5, "acc": 0.9}, {})
        ),
        "a2": write_run(
            "p", "a", "20260101_000001_aaaaaa", summary=fmt.summary_file({"loss": nan, "acc": 1}, {})
        ),
        "b1": write_run(
            "p", "b", "20260101_000002_aaaaaa", summary=fmt.summary_file({"acc": 0.8, "f": True}, {})
        ),
        # a summary.json without the last values: shown with those of events.jsonl
        "b2": write_run("p", "b", "20260101_000003_aaaaaa", summary={"best": {"epoch": 3}}),
        "q1": write_run("q", "c", "20260101_000004_aaaaaa", summary=fmt.summary_file({"val/err": 0.1}, {})),
    }
    for i, (label, folder) in enumerate(runs.items()):
        write_json_atomic(folder / fmt.CONFIG_FILE, {"lr": 0.1 * i, "opt": {"name": label[0]}, "seed": 1})
    meta = orjson.loads((runs["b1"] / fmt.META_FILE).read_bytes())
    meta[fmt.METRIC_DEFINITIONS_KEY] = {"acc": {"goal": "minimize"}}
    rewrite(runs["b1"] / fmt.META_FILE, meta)
    return runs


def test_a_fresh_reader_answers_from_the_kept_answer_what_is_computed_from_scratch(
    storage: Path, write_run: RunWriter, tmp_path: Path, computed: list[int]
) -> None:
    _project(storage, write_run)
    cache = tmp_path / "cache"
    for f in FILTERS:
        assert answered(storage, cache, f) == from_scratch(storage, f)
    assert len(computed) == len(FILTERS)
    for f in FILTERS:  # the next start: nothing computed, before or after the first scan
        assert answered(storage, cache, f) == from_scratch(storage, f)
        assert answered(storage, cache, f, scanned_first=True) == from_scratch(storage, f)
    assert len(computed) == len(FILTERS)


def _change_summary(runs: dict[str, Path]) -> None:
    rewrite(runs["a1"] / fmt.SUMMARY_FILE, fmt.summary_file({"loss": 0.5, "acc": 0.8}, {}))


def _change_config(runs: dict[str, Path]) -> None:
    rewrite(runs["b1"] / fmt.CONFIG_FILE, {"lr": 0.1, "opt": {"name": "a"}, "seed": 2, "new": "x"})


def _change_goal(runs: dict[str, Path]) -> None:
    meta = orjson.loads((runs["b1"] / fmt.META_FILE).read_bytes())
    meta[fmt.METRIC_DEFINITIONS_KEY] = {"acc": {"goal": "maximize"}}
    rewrite(runs["b1"] / fmt.META_FILE, meta)


def _log_more(runs: dict[str, Path]) -> None:  # the run whose summary comes from its events
    with open(runs["b2"] / fmt.EVENTS_FILE, "ab") as f:
        f.write(fmt.encode_event(fmt.METRICS, {"loss": 0.01, "extra": 2.0, fmt.STEP_KEY: 9}, 1.0))


def _remove(runs: dict[str, Path]) -> None:
    shutil.rmtree(runs["a2"])


@pytest.mark.parametrize(
    "change",
    [_change_summary, _change_config, _change_goal, _log_more, _remove, "add"],
    ids=lambda c: c if isinstance(c, str) else c.__name__.strip("_"),
)
def test_after_a_change_the_answer_is_computed_again_and_kept_anew(
    storage: Path, write_run: RunWriter, tmp_path: Path, computed: list[int], change: Any
) -> None:
    runs = _project(storage, write_run)
    cache = tmp_path / "cache"
    before = {i: answered(storage, cache, f) for i, f in enumerate(FILTERS)}
    if change == "add":
        write_run("p", "b", "20260102_000000_aaaaaa", summary=fmt.summary_file({"acc": 0.2, "new": 1.0}, {}))
    else:
        change(runs)
    computed.clear()
    for i, f in enumerate(FILTERS):
        now = answered(storage, cache, f)
        assert now == from_scratch(storage, f)
        if f.project is None:
            assert now != before[i]  # the change shows
    changed = len(computed)
    assert changed >= 1
    for f in FILTERS:  # kept anew: the next start computes nothing
        assert answered(storage, cache, f) == from_scratch(storage, f)
    assert len(computed) == changed


def test_filters_on_what_runs_hold_are_not_kept(
    storage: Path, write_run: RunWriter, tmp_path: Path, computed: list[int]
) -> None:
    _project(storage, write_run)
    cache = tmp_path / "cache"
    for f in (RunFilter(status="finished"), RunFilter(q="config.seed == 1"), RunFilter(tag="x")):
        assert answered(storage, cache, f) == from_scratch(storage, f)
        assert answered(storage, cache, f) == from_scratch(storage, f)
    assert len(computed) == 6
    assert not list((cache / columns_cache.version_name()).glob("*.json"))


def test_the_cache_is_private(storage: Path, write_run: RunWriter, tmp_path: Path) -> None:
    _project(storage, write_run)
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o755)
    os.chmod(cache, 0o755)
    answered(storage, cache, RunFilter())
    folder = cache / columns_cache.version_name()
    entries = list(folder.glob("*.json"))
    assert len(entries) == 1
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(entries[0].stat().st_mode) == 0o600


def test_an_entry_open_to_others_is_not_used(
    storage: Path, write_run: RunWriter, tmp_path: Path, computed: list[int]
) -> None:
    _project(storage, write_run)
    cache = tmp_path / "cache"
    answered(storage, cache, RunFilter())
    (entry,) = (cache / columns_cache.version_name()).glob("*.json")
    os.chmod(entry, 0o644)
    assert answered(storage, cache, RunFilter()) == from_scratch(storage, RunFilter())
    assert len(computed) == 2


def test_another_versions_entries_are_never_trusted(
    storage: Path, write_run: RunWriter, tmp_path: Path, computed: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(storage, write_run)
    cache = tmp_path / "cache"
    with monkeypatch.context() as m:
        m.setattr(columns_cache, "version_name", lambda: "v0-0.0.1")
        answered(storage, cache, RunFilter())
    (old,) = (cache / "v0-0.0.1").glob("*.json")
    # the same entry, copied where this version looks: its content still names the old version
    folder = cache / columns_cache.version_name()
    folder.mkdir(mode=0o700)
    shutil.copy2(old, folder / old.name)
    assert answered(storage, cache, RunFilter()) == from_scratch(storage, RunFilter())
    assert len(computed) == 2
    assert not (cache / "v0-0.0.1").exists()  # deleted on writing


def test_an_answer_over_a_running_run_is_not_kept(
    storage: Path, write_run: RunWriter, tmp_path: Path, computed: list[int]
) -> None:
    _project(storage, write_run)
    live = fmt.summary_file({"acc": 0.3}, {})
    write_run("q", "c", "20260103_000000_aaaaaa", status="running", heartbeat_at=time.time(), summary=live)
    cache = tmp_path / "cache"
    for f in (RunFilter(), RunFilter(project="q"), RunFilter(project="p")):
        assert answered(storage, cache, f) == from_scratch(storage, f)
        assert answered(storage, cache, f) == from_scratch(storage, f)
    assert len(computed) == 5  # the project without a running run: computed once
