"""wandb.sweep + wandb.agent: each trial is a run on disk with the trial's parameters as config.

Until ``wandb.init`` exists, the trial function starts its run with ``runicorn.init`` and hands
it to the trial itself (what ``wandb.init`` does inside a sweep, docs/wandb.md#sweeps)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import runicorn
from runicorn import format as fmt
from runicorn.errors import ConfigError
from runicorn.sweep import open_sweep
from runicorn.wandb import sweeps as wandb_sweeps


def _train(storage: Path, seen: list[dict[str, Any]]) -> Any:
    def train() -> None:
        trial = wandb_sweeps.current_trial()
        assert trial is not None
        run = runicorn.init(
            project=trial.project,
            name=trial.name,
            storage=storage,
            config=trial.config,
            tags=trial.tags,
            capture_console=False,
            system_metrics=False,
        )
        trial.attach(run)
        seen.append(dict(run.config))
        run.log({"loss": run.config["lr"] * run.config["bs"]})  # last value: the metric
        # not finished here: the agent finishes it

    return train


def test_a_two_parameter_grid_sweep_leaves_every_trial_on_disk_with_its_config(storage_root: Path) -> None:
    sweep_id = wandb_sweeps.sweep(
        {
            "method": "grid",
            "metric": {"name": "loss", "goal": "minimize"},
            "parameters": {"lr": {"values": [0.1, 0.01]}, "bs": {"values": [8, 16]}},
        },
        project="demo",
        storage=storage_root,
    )
    seen: list[dict[str, Any]] = []
    ran = wandb_sweeps.agent(sweep_id, function=_train(storage_root, seen), storage=storage_root)

    assert ran == 4
    expected = [{"lr": 0.1, "bs": 8}, {"lr": 0.1, "bs": 16}, {"lr": 0.01, "bs": 8}, {"lr": 0.01, "bs": 16}]
    assert seen == expected
    trials = open_sweep(storage_root, sweep_id).trials()
    assert [t["params"] for t in trials] == expected
    for trial in trials:
        run_dir = storage_root / str(trial["run_path"])
        assert fmt.read_json(run_dir / fmt.CONFIG_FILE) == trial["params"]
        assert sweep_id in (fmt.read_json(run_dir / fmt.META_FILE) or {})["tags"]
        assert (fmt.read_json(run_dir / fmt.STATUS_FILE) or {})["status"] == fmt.FINISHED
        assert trial["status"] == fmt.TRIAL_FINISHED
        assert trial["metric"] == pytest.approx(trial["params"]["lr"] * trial["params"]["bs"])
    assert wandb_sweeps.current_trial() is None


def test_agent_count_stops_early_and_a_second_agent_continues_the_same_sweep(storage_root: Path) -> None:
    sweep_id = wandb_sweeps.sweep(
        {"method": "grid", "parameters": {"a": {"values": [1, 2, 3]}}}, project="demo", storage=storage_root
    )
    seen: list[dict[str, Any]] = []
    function = _train_a(storage_root, seen)
    assert wandb_sweeps.agent(sweep_id, function=function, count=2, storage=storage_root) == 2
    assert wandb_sweeps.agent(sweep_id, function=function, storage=storage_root) == 1
    assert [s["a"] for s in seen] == [1, 2, 3]


def _train_a(storage: Path, seen: list[dict[str, Any]]) -> Any:
    def train() -> None:
        trial = wandb_sweeps.current_trial()
        assert trial is not None
        seen.append(trial.config)

    return train


def test_a_failing_trial_is_recorded_failed_and_the_sweep_goes_on(storage_root: Path) -> None:
    sweep_id = wandb_sweeps.sweep(
        {"method": "grid", "parameters": {"a": {"values": [1, 2]}}}, storage=storage_root
    )

    def train() -> None:
        trial = wandb_sweeps.current_trial()
        assert trial is not None
        if trial.config["a"] == 1:
            raise ValueError("diverged")

    wandb_sweeps.agent(sweep_id, function=train, storage=storage_root)
    statuses = [t["status"] for t in open_sweep(storage_root, sweep_id).trials()]
    assert statuses == [fmt.TRIAL_FAILED, fmt.TRIAL_FINISHED]


def test_an_unknown_sweep_id_is_refused_with_what_to_do(storage_root: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        wandb_sweeps.agent("nosuch00", function=lambda: None, storage=storage_root)
    assert "nosuch00" in caught.value.message and "runicorn sweep" in (caught.value.hint or "")
