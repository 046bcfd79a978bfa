"""W&B's step rules: the pure StepRules, and the rows a run writes through them."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from wandb_runs import QUIET, rows

import runicorn.wandb as wandb
from runicorn.wandb.steps import StepRules


def test_plain_log_commits_a_row_per_call_from_step_0() -> None:
    rules = StepRules()
    assert rules.feed({"a": 1}) == [(0, {"a": 1})]
    assert rules.feed({"a": 2}) == [(1, {"a": 2})]


def test_commit_false_accumulates_into_the_current_step() -> None:
    rules = StepRules()
    assert rules.feed({"a": 1}, commit=False) == []
    assert rules.feed({"b": 2}, commit=False) == []
    assert rules.feed({"c": 3}) == [(0, {"a": 1, "b": 2, "c": 3})]
    assert rules.step == 1


def test_a_repeated_step_merges_and_the_later_value_wins() -> None:
    rules = StepRules()
    assert rules.feed({"a": 1, "b": 1}, step=3) == []
    assert rules.feed({"b": 2}, step=3) == []
    assert rules.feed({"c": 1}, step=4) == [(3, {"a": 1, "b": 2})]
    assert rules.flush() == [(4, {"c": 1})]


def test_a_higher_step_commits_the_pending_row_first() -> None:
    rules = StepRules()
    rules.feed({"a": 1}, commit=False)
    assert rules.feed({"b": 2}, step=10, commit=True) == [(0, {"a": 1}), (10, {"b": 2})]
    assert rules.feed({"c": 3}) == [(11, {"c": 3})]


def test_a_lower_step_is_dropped_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    rules = StepRules()
    rules.feed({"a": 1}, step=5, commit=True)
    with caplog.at_level(logging.WARNING, "runicorn"):
        assert rules.feed({"a": 2}, step=3) == []
        assert rules.feed({"a": 3}, step=4) == []
    assert rules.dropped == 2
    assert len([r for r in caplog.records if "below the current step" in r.getMessage()]) == 1
    assert rules.feed({"a": 4}) == [(6, {"a": 4})]


def test_rows_written_follow_the_step_rules(storage_root: Path, caplog: pytest.LogCaptureFixture) -> None:
    run = wandb.init(project="steps", dir=storage_root, settings=QUIET)
    wandb.log({"loss": 1.0})  # step 0
    wandb.log({"acc": 0.5}, commit=False)  # joins step 1
    wandb.log({"loss": 0.9})  # step 1: acc and loss
    wandb.log({"loss": 0.8}, step=5)  # pending at 5
    wandb.log({"acc": 0.6}, step=5)  # merges into 5
    with caplog.at_level(logging.WARNING, "runicorn"):
        wandb.log({"loss": 7.0}, step=2)  # below: dropped
    wandb.log({"val": {"loss": 0.7}}, step=8)  # commits 5; nested -> val/loss
    wandb.finish()  # commits the pending step 8
    assert rows(run) == [
        {"loss": 1.0, "_step": 0},
        {"acc": 0.5, "loss": 0.9, "_step": 1},
        {"loss": 0.8, "acc": 0.6, "_step": 5},
        {"val/loss": 0.7, "_step": 8},
    ]
    assert "tried to log to step 2, below the current step 5" in caplog.text


def test_log_before_init_raises_wandbs_error() -> None:
    with pytest.raises(wandb.Error, match=r"You must call wandb.init\(\) before wandb.log\(\)"):
        wandb.log({"a": 1})
    with pytest.raises(wandb.Error, match=r"You must call wandb.init\(\) before wandb.config.update"):
        wandb.config.update({"a": 1})
    with pytest.raises(wandb.Error, match=r"You must call wandb.init\(\) before wandb.summary\['a'\]"):
        wandb.summary["a"] = 1
    assert wandb.run is None
