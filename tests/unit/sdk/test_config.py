"""rn.init's config: the kinds it takes, the ones it refuses before any folder exists, and
rn.config read and set as attributes."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import types
from pathlib import Path

import pytest

import runicorn as rn
from runicorn import format as fmt
from runicorn.errors import RunicornError


def saved_config(run: rn.Run) -> dict:
    return fmt.read_json(run.dir / fmt.CONFIG_FILE)


@dataclasses.dataclass
class TrainArgs:
    lr: float = 0.01
    layers: list[int] = dataclasses.field(default_factory=lambda: [64, 64])
    out: Path = Path("checkpoints")


def start(storage_root: Path, config: object) -> rn.Run:
    return rn.init(storage=storage_root, config=config, capture_console=False, system_metrics=False)


def test_an_argparse_namespace_is_a_config(storage_root: Path) -> None:
    args = argparse.ArgumentParser().parse_args([])
    args.lr, args.epochs, args.data = 0.1, 3, Path("/data/x")
    run = start(storage_root, args)
    run.finish()
    assert saved_config(run) == {"lr": 0.1, "epochs": 3, "data": "/data/x"}


def test_a_dataclass_instance_and_any_mapping_are_configs(storage_root: Path) -> None:
    run = start(storage_root, TrainArgs())
    run.finish()
    assert saved_config(run) == {"lr": 0.01, "layers": [64, 64], "out": "checkpoints"}
    run = start(storage_root, types.MappingProxyType({"seed": 1, "opt": {"name": "adam"}}))
    run.finish()
    assert saved_config(run) == {"seed": 1, "opt": {"name": "adam"}}


@pytest.mark.parametrize("bad", [[("lr", 0.1)], "lr=0.1", 42, TrainArgs])
def test_another_kind_is_refused_before_a_run_folder_exists(storage_root: Path, bad: object) -> None:
    with pytest.raises(RunicornError) as caught:
        start(storage_root, bad)
    assert "argparse.Namespace" in caught.value.message and "config=vars(args)" in (caught.value.hint or "")
    assert list(storage_root.iterdir()) == []  # no ghost run that would later show as crashed


def test_config_reads_and_sets_keys_as_attributes(storage_root: Path) -> None:
    run = start(storage_root, {"lr": 0.1})
    assert rn.config.lr == 0.1 and run.config.lr == 0.1
    rn.config.lr = 0.05
    rn.config.warmup = 100
    assert saved_config(run) == {"lr": 0.05, "warmup": 100}
    with pytest.raises(AttributeError, match="no key 'epochs'.*lr, warmup"):
        rn.config.epochs  # noqa: B018
    run.finish()


def test_config_update_takes_the_same_kinds_and_warns_on_others(storage_root: Path, caplog) -> None:
    run = start(storage_root, None)
    args = argparse.Namespace(batch=32)
    rn.config.update(args)
    rn.config.update(TrainArgs(lr=0.5), seed=7)
    with caplog.at_level(logging.WARNING, logger="runicorn"):
        rn.config.update(42)  # after init: a warning, never an exception
    run.finish()
    assert saved_config(run) == {"batch": 32, "lr": 0.5, "layers": [64, 64], "out": "checkpoints", "seed": 7}
    assert any("config.update's argument must be" in r.getMessage() for r in caplog.records)


def test_config_set_before_init_belongs_to_the_next_run(storage_root: Path) -> None:
    rn.finish()
    rn._current = None  # a process where no run was started yet
    rn.config.epochs = 10
    rn.config.update({"lr": 0.1})
    assert rn.config.epochs == 10
    run = start(storage_root, {"lr": 0.2})
    run.finish()
    assert saved_config(run) == {"epochs": 10, "lr": 0.2}  # init's own config wins
    rn._current = None
    assert dict(rn.config) == {}  # taken by that run, not carried to the next
