"""Which way is better for a metric when no run defines its goal: the name's rule
(docs/web.md#sorting-by-a-metric)."""

from __future__ import annotations

import pytest

from runicorn.store.query.metric_goal import goal_by_name


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
