"""Hyperband early stopping (runicorn/sweep/hyperband.py): the brackets, the rule, the reading."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from runicorn import format as fmt
from runicorn.sweep.config import Hyperband, Metric
from runicorn.sweep.hyperband import MetricHistory, brackets, stop_reason

LOSS = Metric("loss", "minimize")
ACC = Metric("acc", "maximize")


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (Hyperband(min_iter=3, eta=3), [3, 9, 27, 81]),
        (Hyperband(min_iter=2, eta=2, max_iter=20), [2, 4, 8, 16]),
        (Hyperband(min_iter=1, eta=3, max_iter=27, s=3), [1, 3, 9]),
        (Hyperband(min_iter=1, eta=1.5, max_iter=4), [1, 2, 3]),
    ],
)
def test_brackets_follow_min_iter_eta_max_iter_and_s(rule: Hyperband, expected: list[int]) -> None:
    assert brackets(rule)[: len(expected)] == expected
    if rule.max_iter is not None:
        assert brackets(rule) == expected


def test_a_trial_behind_the_best_third_at_a_bracket_is_stopped() -> None:
    rule = Hyperband(min_iter=2, eta=3)
    others = [[5.0, 4.0, 3.0], [5.0, 0.5, 0.4], [6.0, 2.0]]
    assert stop_reason([1.0], others, rule, LOSS) is None  # not at the first bracket yet
    assert stop_reason([9.0, 0.4], others, rule, LOSS) is None  # the best of 4 at iteration 2
    reason = stop_reason([1.0, 1.0], others, rule, LOSS)  # second of 4: only ceil(4/3) = 2 go on...
    assert reason is None
    reason = stop_reason([1.0, 3.0], others, rule, LOSS)  # ...and third is not
    assert reason is not None and "loss 3 at iteration 2" in reason and "best 2 of the 4" in reason


def test_the_goal_decides_which_way_is_better() -> None:
    rule = Hyperband(min_iter=1, eta=2)
    assert stop_reason([0.9], [[0.5]], rule, ACC) is None
    assert stop_reason([0.1], [[0.5]], rule, ACC) is not None
    assert stop_reason([0.1], [[0.5]], rule, LOSS) is None


def test_the_first_trial_and_a_trial_past_everyone_else_are_never_stopped() -> None:
    rule = Hyperband(min_iter=1, eta=3)
    assert stop_reason([100.0] * 50, [], rule, LOSS) is None
    assert stop_reason([1.0, 1.0, 1.0, 9.0], [[5.0]], rule, LOSS) is None  # alone at brackets 3 and 9


def test_a_value_that_is_not_a_number_counts_as_the_worst() -> None:
    rule = Hyperband(min_iter=1, eta=2)
    assert stop_reason([math.nan], [[100.0]], rule, LOSS) is not None
    assert stop_reason([1.0], [[math.nan]], rule, LOSS) is None
    assert stop_reason([math.inf], [[-math.inf]], Hyperband(min_iter=1, eta=2), ACC) is None


def test_a_history_reads_whole_lines_as_the_run_writes_them(tmp_path: Path) -> None:
    events = tmp_path / fmt.EVENTS_FILE
    history = MetricHistory(tmp_path, "loss")
    assert history.read() == []  # no file yet
    events.write_bytes(
        fmt.encode_event(fmt.METRICS, {"global_step": 1, "loss": 0.5}, 1.0)
        + fmt.encode_event(fmt.METRICS, {"global_step": 1, "acc": 0.1}, 1.0)
        + b'{"type": "metrics", "data": {"loss": 0.'
    )
    assert history.read() == [0.5]
    with open(events, "ab") as f:
        f.write(b"25}}\n{not json\n" + fmt.encode_event(fmt.METRICS, {"global_step": 2, "loss": 0.1}, 2.0))
    assert history.read() == [0.5, 0.25, 0.1]


def test_a_metric_is_not_read_through_a_link_out_of_the_run(tmp_path: Path) -> None:
    from runicorn.sweep.store import read_metric

    outside = tmp_path / "outside.jsonl"
    outside.write_bytes(fmt.encode_event(fmt.METRICS, {"global_step": 1, "loss": 0.5}, 1.0))
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / fmt.EVENTS_FILE).symlink_to(outside)
    assert MetricHistory(run_dir, "loss").read() == [] and read_metric(run_dir, "loss") is None
    (run_dir / fmt.EVENTS_FILE).unlink()
    (run_dir / fmt.EVENTS_FILE).write_bytes(outside.read_bytes())
    assert read_metric(run_dir, "loss") == 0.5
