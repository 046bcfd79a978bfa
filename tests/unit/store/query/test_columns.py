"""The research view's key statistics (runicorn/store/query/columns.py, docs/viewer.md): type,
count, distinct values and spread of each summary key, over summaries kept compact
(runicorn/store/index/summary_values.py): floats, ints, booleans, NaN, nested objects, and keys
held by runs whose summaries have other keys or another order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.store.index.run_index import RunIndex
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
