"""wandb.config: access, update rules, what config.json holds."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import pytest
from wandb_runs import QUIET, read

import runicorn.wandb as wandb
from runicorn import format as fmt


@dataclasses.dataclass
class Hyper:
    lr: float = 0.1
    layers: int = 2


def test_config_from_namespace_dataclass_and_dicts_is_written(storage_root: Path) -> None:
    args = argparse.Namespace(lr=0.01, batch_size=32)
    run = wandb.init(project="c", dir=storage_root, config=args, settings=QUIET)
    wandb.config.update(Hyper(lr=0.01))
    wandb.config.update({"model": {"depth": 4, "act": "relu"}, "--seed": 1})
    wandb.config.epochs = 3
    wandb.config["name"] = "resnet"
    wandb.config.setdefaults({"epochs": 99, "wd": 0.0})
    assert wandb.config.lr == 0.01 and wandb.config["model"]["depth"] == 4
    assert "seed" in wandb.config and wandb.config.get("missing", 5) == 5
    assert set(wandb.config.keys()) == {"lr", "batch_size", "layers", "model", "seed", "epochs", "name", "wd"}
    expected = {
        "lr": 0.01,
        "batch_size": 32,
        "layers": 2,
        "model": {"depth": 4, "act": "relu"},
        "seed": 1,
        "epochs": 3,
        "name": "resnet",
        "wd": 0.0,
    }
    assert wandb.config.as_dict() == expected
    assert read(run, fmt.CONFIG_FILE) == expected


def test_changing_a_value_needs_allow_val_change(storage_root: Path) -> None:
    run = wandb.init(project="c", dir=storage_root, config={"lr": 0.1}, settings=QUIET)
    wandb.config.update({"lr": 0.1})  # the same value: fine
    with pytest.raises(wandb.Error, match='Attempted to change value of key "lr" from 0.1 to 0.2'):
        wandb.config.update({"lr": 0.2})
    with pytest.raises(wandb.Error, match="allow_val_change=True"):
        wandb.config.lr = 0.3
    wandb.config.update({"lr": 0.5}, allow_val_change=True)
    assert read(run, fmt.CONFIG_FILE) == {"lr": 0.5}


def test_include_and_exclude_keys(storage_root: Path) -> None:
    config = {"lr": 0.1, "secret": "x", "bs": 8}
    run = wandb.init(
        project="c", dir=storage_root, config=config, config_exclude_keys=["secret"], settings=QUIET
    )
    assert read(run, fmt.CONFIG_FILE) == {"lr": 0.1, "bs": 8}
    wandb.finish()
    run = wandb.init(project="c", dir=storage_root, config=config, config_include_keys=["bs"], settings=QUIET)
    assert read(run, fmt.CONFIG_FILE) == {"bs": 8}


def test_config_defaults_yaml_and_a_yaml_config_path(
    storage_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config-defaults.yaml").write_text("epochs:\n  value: 32\nbs: 8\n")
    (tmp_path / "params.yaml").write_text("lr:\n  value: 0.1\nbs: 16\n")
    run = wandb.init(project="c", dir=storage_root, config="params.yaml", settings=QUIET)
    assert read(run, fmt.CONFIG_FILE) == {"epochs": 32, "bs": 16, "lr": 0.1}  # config= wins
