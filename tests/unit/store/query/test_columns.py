"""The research view's key statistics (runicorn/store/query/columns.py, docs/viewer.md): type,
count, distinct values and spread of each summary key, over summaries kept compact
(runicorn/store/index/summary_values.py): floats, ints, booleans, NaN, nested objects, and keys
held by runs whose summaries have other keys or another order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from runicorn import format as fmt
from runicorn.store.index.run_index import RunIndex
from runicorn.store.query import columns
from runicorn.store.query.columns import column_stats, column_values
from runicorn.store.query.fields import FieldContext
from tests.unit.store.conftest import RunWriter


def with_last_values(values: dict[str, Any]) -> dict[str, Any]:
    """summary.json as the SDK writes it: every metric's last value, and the note saying so."""
    return fmt.summary_file(values, {})


def summary_columns(storage: Path) -> dict[str, dict[str, Any]]:
    stats = column_stats(RunIndex(storage).runs())
    for c in stats:  # the metric goal (test_metric_goal.py) is not what these tests are about
        c.pop("goal", None)
        c.pop("goal_from", None)
    return {c.pop("name"): c for c in stats if c["name"].startswith("summary.")}


def test_key_statistics_tell_numbers_apart_by_kind_and_value_across_key_orders(
    storage: Path, write_run: RunWriter
) -> None:
    nan = float("nan")
    write_run(run_id="20260101_000000_aaaaaa", summary=with_last_values({"loss": 0.5, "acc": 0.9}))
    write_run(run_id="20260101_000001_aaaaaa", summary=with_last_values({"loss": 0.5, "acc": 0.8}))
    write_run(run_id="20260101_000002_aaaaaa", summary=with_last_values({"acc": 0.8, "loss": 0.25}))
    write_run(
        run_id="20260101_000003_aaaaaa",
        summary=with_last_values({"loss": nan, "acc": 1, "best": {"epoch": 3}}),
    )
    write_run(run_id="20260101_000004_aaaaaa", summary=with_last_values({"loss": nan, "flag": True}))
    columns = summary_columns(storage)
    assert columns == {
        # 0.8 twice, 0.9, and the int 1 (not the float 1.0)
        "summary.acc": {"type": "number", "count": 4, "distinct": 3, "differs": True},
        "summary.best.epoch": {"type": "number", "count": 1, "distinct": 1, "differs": True},
        "summary.flag": {"type": "bool", "count": 1, "distinct": 1, "differs": True},
        # 0.5 twice, 0.25, and NaN (written as a bare token) twice
        "summary.loss": {"type": "number", "count": 5, "distinct": 3, "differs": True},
    }


def test_a_key_every_run_has_with_one_value_does_not_differ(storage: Path, write_run: RunWriter) -> None:
    for i in range(3):
        summary = {"loss": 0.5 + i, "lr": 0.001, "zero": -0.0 if i else 0.0}
        write_run(run_id=f"20260101_00000{i}_aaaaaa", summary=with_last_values(summary))
    columns = summary_columns(storage)
    assert columns["summary.lr"] == {"type": "number", "count": 3, "distinct": 1, "differs": False}
    assert columns["summary.zero"]["distinct"] == 1  # -0.0 == 0.0, as a user compares numbers
    assert columns["summary.loss"] == {"type": "number", "count": 3, "distinct": 3, "differs": True}


def test_summary_values_keep_their_kind_and_order_in_answers_and_cells(
    storage: Path, write_run: RunWriter
) -> None:
    values = {"b": 0.5, "a": 1, "c": True, "d": "text", "e": None, "f": [1, 2]}
    write_run(run_id="20260101_000000_aaaaaa", summary=with_last_values(values))
    write_run(run_id="20260101_000001_aaaaaa", summary=with_last_values({"b": 0.25, "a": 2.0}))
    index = RunIndex(storage)
    first, second = sorted(index.runs(), key=lambda r: r.id)
    answer = first.as_dict()["summary"]
    assert answer == values and list(answer) == list(values)
    assert type(answer["a"]) is int and type(second.summary["a"]) is float
    cells = column_values([first, second], ["summary.a", "summary.f", "summary.g"], FieldContext(0.0))
    assert cells == {"summary.a": [1, 2.0], "summary.f": ["[1,2]", None], "summary.g": [None, None]}


def test_float_keys_counted_at_once_with_numpy_answer_as_counted_one_by_one(
    storage: Path, write_run: RunWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs of one summary key set, all floats: numpy counts their distinct values at once; the
    answer is the one counted key by key without numpy (0.0 and -0.0 one value, repeats once)."""
    rows = [
        {"a": 0.0, "b": 1.5, "c": 1e300, "d": float("inf")},
        {"a": -0.0, "b": 1.5, "c": -1e-300, "d": float("-inf")},
        {"a": 2.0, "b": 1.5, "c": 1e300, "d": 3.25},
    ]
    for i, values in enumerate(rows):
        write_run(run_id=f"20260101_00000{i}_aaaaaa", summary=with_last_values(values))
    write_run(run_id="20260101_000009_aaaaaa", summary=with_last_values({"a": 1, "b": True}))  # other keys
    runs = RunIndex(storage).runs()
    with_numpy = column_stats(runs)
    monkeypatch.setattr(columns, "np", None)
    assert column_stats(runs) == with_numpy
    found = {c["name"]: (c["count"], c["distinct"]) for c in with_numpy}
    assert found["summary.a"] == (4, 3) and found["summary.b"] == (4, 2) and found["summary.d"] == (3, 3)
