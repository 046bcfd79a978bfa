"""Every value given to rn.log, rn.summary and rn.config is kept, converted or dropped by the rule
docs/sdk.md states, and a drop is never silent: warned once per key, counted in status.json."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
import torch

import runicorn as rn
from runicorn import format as fmt

REPO = Path(__file__).resolve().parents[3]


def metrics(run: rn.Run) -> list[dict]:
    lines, _ = fmt.split_complete_lines((run.dir / fmt.EVENTS_FILE).read_bytes())
    return [e["data"] for e in map(fmt.decode_event, lines) if e["type"] == fmt.METRICS]


def status(run: rn.Run) -> dict:
    return fmt.read_json(run.dir / fmt.STATUS_FILE)


@pytest.fixture
def run(storage_root: Path):
    started = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    yield started
    started.finish()


def test_an_int_beyond_64_bits_becomes_a_float_and_the_row_is_kept(run: rn.Run) -> None:
    run.log({"loss": 0.5, "tokens": 2**70, "neg": -(2**64), "edge": 2**63 - 1})
    run.finish()
    (row,) = metrics(run)
    assert row["loss"] == 0.5 and row["tokens"] == float(2**70) and row["neg"] == -float(2**64)
    assert row["edge"] == 2**63 - 1 and isinstance(row["edge"], int)
    assert "dropped" not in status(run)


def test_an_int_beyond_any_float_is_dropped_and_counted(run: rn.Run) -> None:
    run.log({"loss": 0.5, "absurd": 10**400})
    run.finish()
    assert metrics(run)[0]["loss"] == 0.5 and "absurd" not in metrics(run)[0]
    assert status(run)["dropped"] == {"absurd": 1}


def test_a_nested_dict_is_flattened_to_slash_keys_under_the_same_rules(run: rn.Run, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="runicorn"):
        run.log({"val": {"loss": 0.25, "acc": np.float32(0.5), "deep": {"x": 1}, "name": "resnet"}})
        run.log({"val": {"loss": 0.125, "name": "resnet"}})
    run.finish()
    rows = metrics(run)
    assert rows[0]["val/loss"] == 0.25 and rows[0]["val/acc"] == 0.5 and rows[0]["val/deep/x"] == 1
    assert rows[1]["val/loss"] == 0.125 and [r["global_step"] for r in rows] == [1, 2]
    assert status(run)["dropped"] == {"val/name": 2}
    assert len([r for r in caplog.records if "'val/name'" in r.getMessage()]) == 1


def test_lists_strings_and_none_are_dropped_warned_once_per_key_and_counted(run: rn.Run, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="runicorn"):
        for _ in range(2):
            run.log({"loss": 1.0, "hist": [1, 2], "pair": (1, 2), "name": "x", "none": None})
    run.finish()
    assert all(set(r) == {"loss", "global_step", "time"} for r in metrics(run))
    assert status(run)["dropped"] == {"hist": 2, "pair": 2, "name": 2, "none": 2}
    assert len([r for r in caplog.records if "dropped" in r.getMessage()]) == 4


def test_a_call_with_nothing_valid_writes_no_line_and_keeps_the_step(run: rn.Run) -> None:
    run.log({"a": 1.0})
    run.log({"name": "x", "hist": [1.0]})
    run.log({"name": "y"}, step=50)
    run.log({"a": 2.0})
    run.finish()
    assert [r["global_step"] for r in metrics(run)] == [1, 2]
    assert status(run)["dropped"] == {"name": 2, "hist": 1}


def test_log_before_init_and_after_finish_warns_once_per_process(storage_root: Path, caplog) -> None:
    import runicorn.sdk.run as sdk_run

    sdk_run._process_warnings.discard("no run")  # a fresh process, as far as this warning goes
    rn.finish()  # no run current (an earlier test may have left one)
    with caplog.at_level(logging.WARNING, logger="runicorn"):
        run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
        run.finish()
        rn.log({"a": 1.0})
        rn.log({"a": 2.0})
        run.log({"a": 3.0})
        rn.summary({"b": 1})
    said = [r.getMessage() for r in caplog.records if "no run started" in r.getMessage()]
    assert len(said) == 1 and "rn.log" in said[0]
    assert not (run.dir / fmt.EVENTS_FILE).exists() or metrics(run) == []


def test_summary_keeps_tensors_and_numpy_numbers_as_numbers(run: rn.Run) -> None:
    run.summary(
        {
            "best_acc": torch.tensor(0.9375),
            "loss": np.float32(0.25),
            "epochs": np.int64(3),
            "zero_d": np.array(2.5),
            "one": torch.tensor([7.0]),
            "curve": torch.tensor([1.0, 2.0]),
            "name": "resnet",
            "ok": True,
            "tags": ["a", np.int64(1)],
            "nested": {"best": torch.tensor(1)},
            "tokens": 2**70,
        }
    )
    saved, _ = fmt.split_summary(fmt.read_json(run.dir / fmt.SUMMARY_FILE) or {})
    assert saved == {
        "best_acc": 0.9375,
        "loss": 0.25,
        "epochs": 3,
        "zero_d": 2.5,
        "one": 7.0,
        "curve": [1.0, 2.0],
        "name": "resnet",
        "ok": True,
        "tags": ["a", 1],
        "nested": {"best": 1},
        "tokens": float(2**70),
    }
    assert type(saved["best_acc"]) is float and type(saved["epochs"]) is int


def test_config_keeps_tensors_as_numbers_and_nested_dicts_nested(storage_root: Path) -> None:
    run = rn.init(
        storage=storage_root,
        config={"lr": torch.tensor(0.001), "optim": {"beta": np.float64(0.9), "name": "adam"}},
        capture_console=False,
        system_metrics=False,
    )
    rn.config["wd"] = np.float32(0.5)
    rn.config.update({"dropout": torch.tensor([0.25])})
    run.finish()
    assert fmt.read_json(run.dir / fmt.CONFIG_FILE) == {
        "lr": pytest.approx(0.001),
        "optim": {"beta": 0.9, "name": "adam"},
        "wd": 0.5,
        "dropout": 0.25,
    }
    assert isinstance(rn.config.lr, float)


def test_the_value_rules_table_is_the_one_in_the_docs() -> None:
    from runicorn.sdk.values import DROPPED_NOTE, VALUE_RULES

    doc = (REPO / "docs" / "sdk.md").read_text()
    for rule in VALUE_RULES:
        assert f"| {rule.value} | {rule.in_log} | {rule.in_summary_config} |" in doc, rule
    assert DROPPED_NOTE in doc


class Unprintable:
    """A value (or key) whose str() and repr() raise."""

    def __str__(self) -> str:
        raise ValueError("no text for you")

    __repr__ = __str__


def nested(depth: int) -> dict:
    top: dict = {}
    level = top
    for _ in range(depth):
        level["a"] = {}
        level = level["a"]
    return top


def levels(value: object) -> int:
    count = 0
    while isinstance(value, dict) and "a" in value:
        value, count = value["a"], count + 1
    return count


def test_a_config_nested_5000_deep_raises_nothing_and_keeps_the_other_keys(storage_root: Path) -> None:
    deep = nested(5000)
    run = rn.init(
        storage=storage_root, config={"deep": deep, "lr": 0.1}, capture_console=False, system_metrics=False
    )
    rn.config.update({"deep2": deep, "wd": 0.5})
    rn.config["deep3"] = deep
    rn.summary({"deep": deep, "best": 0.9})
    rn.log({"deep": deep, "loss": 0.25})
    run.finish()
    config = fmt.read_json(run.dir / fmt.CONFIG_FILE)
    assert config["lr"] == 0.1 and config["wd"] == 0.5
    assert 30 <= levels(config["deep"]) <= 40 and levels(config["deep2"]) == levels(config["deep3"])
    summary = fmt.read_json(run.dir / fmt.SUMMARY_FILE)
    assert summary["best"] == 0.9 and 30 <= levels(summary["deep"]) <= 40
    assert [row["loss"] for row in metrics(run)] == [0.25]
    assert status(run)["status"] == fmt.FINISHED


def test_a_value_or_key_whose_str_raises_drops_that_key_only(storage_root: Path, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="runicorn"):
        run = rn.init(
            storage=storage_root,
            config={"model": Unprintable(), "lr": 0.1},
            capture_console=False,
            system_metrics=False,
        )
        rn.config.update({"opt": Unprintable(), "wd": 0.5})
        rn.config["sched"] = Unprintable()
        rn.summary({"obj": Unprintable(), Unprintable(): 1, "best": 0.9})
        rn.log({"obj": Unprintable(), Unprintable(): 2.0, "loss": 0.25}, stage=Unprintable())
    run.finish()
    assert fmt.read_json(run.dir / fmt.CONFIG_FILE) == {"lr": 0.1, "wd": 0.5}
    summary, _ = fmt.split_summary(fmt.read_json(run.dir / fmt.SUMMARY_FILE) or {})
    assert summary == {"best": 0.9, "loss": 0.25}  # the logged metric's last value beside it
    (row,) = metrics(run)
    assert row["loss"] == 0.25 and "obj" not in row
    assert {"opt", "sched", "obj"} <= set(status(run)["dropped"])
    assert any("model" in r.getMessage() for r in caplog.records)


def test_a_key_with_a_lone_surrogate_drops_that_key_only_warned_once(storage_root: Path, caplog) -> None:
    bad = "loss\ud800"
    with caplog.at_level(logging.WARNING, logger="runicorn"):
        run = rn.init(
            storage=storage_root,
            config={bad: 1, "lr": 0.1, "name": "run\udcff"},
            capture_console=False,
            system_metrics=False,
        )
        rn.config.update({bad: 2, "wd": 0.5})
        rn.summary({bad: 3, "best": 0.9})
        rn.log({"loss": 0.5, bad: 1.0})
        rn.log({"loss": 0.25, bad: 2.0}, stage="train\ud800")
        rn.log({bad: 3.0})  # nothing left: no line, the step does not move
        rn.log({"loss": 0.125})
    run.finish()
    assert fmt.read_json(run.dir / fmt.CONFIG_FILE) == {"lr": 0.1, "name": "run\ufffd", "wd": 0.5}
    summary, _ = fmt.split_summary(fmt.read_json(run.dir / fmt.SUMMARY_FILE) or {})
    assert summary == {"best": 0.9, "loss": 0.125}
    rows = metrics(run)
    assert [(r["loss"], r["global_step"]) for r in rows] == [(0.5, 1), (0.25, 2), (0.125, 3)]
    assert rows[1]["stage"] == "train\ufffd"
    assert status(run)["dropped"] == {"loss\\ud800": 5}
    said = [r.getMessage() for r in caplog.records if "loss\\\\ud800" in r.getMessage()]
    assert len(said) == 1, said
