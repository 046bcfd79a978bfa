"""Which way is better for a metric when no run defines its goal: the name's rule
(docs/web.md#sorting-by-a-metric); and the axis a metric is drawn against by default."""

from __future__ import annotations

from pathlib import Path

import pytest

from runicorn.store.index.run_info import RunInfo
from runicorn.store.query.metric_goal import MetricGoals, goal_by_name


@pytest.mark.parametrize(
    "key",
    [
        "train/loss",
        "val_loss",
        "Loss",
        "test/error",
        "eval/perplexity",
        "epoch_time",
        "latency_ms",
        "val/err",
        "test_ppl",
        "mse",
        "val/rmse",
    ],
)
def test_losses_errors_perplexities_and_times_are_minimized(key: str) -> None:
    assert goal_by_name(key) == "minimize"


@pytest.mark.parametrize("key", ["val/acc", "f1", "bleu", "reward", "merry", "temse", "auc"])
def test_other_metrics_are_maximized(key: str) -> None:
    assert goal_by_name(key) == "maximize"


def _run(key: str, definitions: dict) -> RunInfo:
    return RunInfo(key, key, "p", "n", Path(key), key, "flat", meta={"metrics": definitions})


def test_a_keys_axis_is_the_step_metric_most_runs_define_for_it() -> None:
    val_on_epoch = {"epoch": {}, "val/*": {"step_metric": "epoch"}}
    other = {"val/acc": {"step_metric": "step2"}}
    runs = [_run("a", val_on_epoch), _run("b", val_on_epoch), _run("c", other)]
    metrics = MetricGoals(runs)
    assert metrics.step_metric("val/acc") == "epoch"
    assert metrics.step_metric("train/loss") is None  # no definition: the caller's default
    assert MetricGoals([_run("d", {"epoch": {"step_metric": "epoch"}})]).step_metric("epoch") is None
