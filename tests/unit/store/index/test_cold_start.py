"""Before the first scan is done, the runs page and single runs come from a cold index, and
they are exactly what the full scan answers."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from runicorn import format as fmt
from runicorn.files import write_json_atomic
from runicorn.store.index.rescan_scheduler import RescanRules
from runicorn.store.index.run_index import MAX_HOLD_S, RunIndex, RunPage
from runicorn.store.query.run_filter import RunFilter

RunWriter = Callable[..., Path]
T0 = time.mktime((2026, 3, 1, 12, 0, 0, 0, 0, -1))


def _id(t: float, suffix: str) -> str:
    return time.strftime("%Y%m%d_%H%M%S", time.localtime(t)) + "_" + suffix


def _tree(storage: Path, write_run: RunWriter) -> None:
    for i in range(40):  # our layout, several projects and experiments, some in the same second
        t = T0 + (i // 3) * 60 + (i % 3) * 0.3
        write_run(f"p{i % 3}", f"e{i % 2}", _id(t, f"{i:06x}"), created_at=t + 0.2, steps=1)
    t = T0 + 7 * 60
    write_run(run_id=_id(t, "aaaaa1"), folder=storage / "runs" / _id(t, "aaaaa1"), created_at=t)
    t = T0 + 9 * 60
    write_run(
        run_id=_id(t, "aaaaa2"), folder=storage / "runs" / "vis" / "res" / _id(t, "aaaaa2"), created_at=t
    )
    dup = _id(T0 + 11 * 60, "d0d0d0")  # the same id in two folders
    write_run("p0", "e0", dup, created_at=T0 + 11 * 60)
    write_run("p1", "e1", dup, created_at=T0 + 11 * 60 + 0.5)
    write_run("p2", "e0", "my-own-id", created_at=T0 + 5 * 60 + 30)  # no time in the id
    write_run("p2", "e1", "zz-old", created_at=T0 - 3600)
    no_meta_time = _id(T0 + 3 * 60, "bbbbbb")  # created time from status, then from the id
    d = write_run("p1", "e0", no_meta_time, created_at=T0 + 3 * 60 + 1)
    meta = fmt.read_json(d / fmt.META_FILE) or {}
    del meta["created_at"]
    write_json_atomic(d / fmt.META_FILE, meta)
    bare = _id(T0 + 4 * 60, "cccccc")
    d = write_run("p0", "e1", bare, status=None)
    (d / fmt.META_FILE).write_text('{"id": "' + bare + '"}')


def _rows(page: RunPage, now: float) -> tuple[int, list[dict[str, Any]]]:
    return page.total, [r.as_dict(now) for r in page.runs]


def query(index: RunIndex, q: dict[str, Any]) -> RunPage:
    """``index.query`` with the filter fields and the paging of one of :data:`QUERIES`."""
    paging = {k: q[k] for k in ("limit", "offset") if k in q}
    return index.query(RunFilter(**{k: v for k, v in q.items() if k not in paging}), **paging)


QUERIES: list[dict[str, Any]] = [
    {},
    {"limit": 5},
    {"limit": 5, "offset": 3},
    {"limit": 7, "descending": False},
    {"limit": 4, "offset": 30},
    {"limit": 0},
    {"limit": 3, "offset": 100},
    {"project": "p2"},
    {"project": "p1", "name": "e0", "limit": 2},
    {"project": "p0", "name": "e1", "descending": False, "limit": 3, "offset": 1},
    {"project": "default"},
    {"project": "nope"},
]


def test_cold_pages_are_the_pages_of_the_full_scan(storage: Path, write_run: RunWriter) -> None:
    _tree(storage, write_run)
    now = time.time()
    full = RunIndex(storage)
    expected = [_rows(query(full, q), now) for q in QUERIES]
    cold = RunIndex(storage, RescanRules(background=True))
    with cold.hold_scans():  # the first scan, started in the background, waits meanwhile
        answers = [_rows(query(cold, q), now) for q in QUERIES]
        singles = {key: cold.get(key) for key in (r.key for r in full.runs())}
        by_plain_id = cold.get(_id(T0 + 11 * 60, "d0d0d0"))
        assert cold._cold is not None and not cold._cold.gave_up  # answered cold
    assert answers == expected
    assert {k: v.as_dict(now) if v else None for k, v in singles.items()} == {
        r.key: r.as_dict(now) for r in full.runs()
    }
    assert by_plain_id is not None and by_plain_id.key == full.get(_id(T0 + 11 * 60, "d0d0d0")).key  # type: ignore[union-attr]
    cold.wait_for_refresh()
    assert cold._cold is None and _rows(cold.query(), now) == expected[0]


def test_cold_page_reads_only_about_the_runs_it_shows(storage: Path, write_run: RunWriter) -> None:
    for i in range(300):
        t = T0 + i * 60
        write_run("p", "e", _id(t, f"{i:06x}"), created_at=t + 0.5, steps=0)
    index = RunIndex(storage, RescanRules(background=True))
    with index.hold_scans():
        page = index.query(limit=10)
        cold = index._cold
        assert cold is not None and cold.runs_read <= 15
    assert page.total == 300 and [r.id for r in page.runs] == [
        _id(T0 + i * 60, f"{i:06x}") for i in range(299, 289, -1)
    ]


@pytest.mark.parametrize("offset_s", [5 * 3600.0, -30.0])
def test_cold_index_gives_up_when_a_run_is_not_created_at_its_id_time(
    storage: Path, write_run: RunWriter, offset_s: float
) -> None:
    for i in range(20):
        t = T0 + i * 60
        created = t + (offset_s if i == 17 else 0.5)  # named on a machine with another clock
        write_run("p", "e", _id(t, f"{i:06x}"), created_at=created, steps=0)
    index = RunIndex(storage, RescanRules(background=True))
    with index.hold_scans():
        cold = index._cold_index()
        assert cold is not None and cold.page(None, None, True, 5, 0) is None and cold.gave_up
    now = time.time()
    assert _rows(index.query(limit=5), now) == _rows(RunIndex(storage).query(limit=5), now)


def test_queries_on_run_contents_wait_for_the_full_scan(storage: Path, write_run: RunWriter) -> None:
    _tree(storage, write_run)
    now = time.time()
    full = RunIndex(storage)
    for q in (
        {"status": "finished"},
        {"tag": "x"},
        {"q": "my-own"},
        {"sort": "summary.loss"},
        {"sort": "name"},
    ):
        assert _rows(query(RunIndex(storage, RescanRules(background=True)), q), now) == _rows(
            query(full, q), now
        )


def test_a_query_waiting_for_the_first_scan_is_not_kept_waiting_by_readers(
    storage: Path, write_run: RunWriter
) -> None:
    for i in range(50):
        write_run("p", "e", _id(T0 + i * 60, f"{i:06x}"), created_at=T0 + i * 60, steps=0)
    index = RunIndex(storage, RescanRules(background=True))
    with index.hold_scans():  # a reader busy meanwhile: the background scan would wait for it
        assert index.query(limit=5).total == 50  # cold; starts the first scan
        started = time.monotonic()
        assert index.query(RunFilter(status="finished")).total == 50  # needs the scan: it stops waiting
        assert time.monotonic() - started < MAX_HOLD_S / 2
