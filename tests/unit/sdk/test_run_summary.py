"""A run's summary by default (runicorn/sdk/run_summary.py, docs/sdk.md#summary): each metric's
last logged value unless the program sets it; a later log replaces a value set earlier, a value
set after the logs wins."""

from __future__ import annotations

from pathlib import Path

import runicorn as rn
from runicorn import format as fmt


def start(storage_root: Path, **kwargs) -> rn.Run:
    return rn.init(
        project="p", name="n", storage=storage_root, capture_console=False, system_metrics=False, **kwargs
    )


def summary_of(run: rn.Run) -> tuple[dict, fmt.SummaryNote | None]:
    return fmt.split_summary(fmt.read_json(run.dir / fmt.SUMMARY_FILE) or {})


def test_a_metrics_summary_is_its_last_logged_value(storage_root: Path) -> None:
    run = start(storage_root)
    for i in range(3):
        run.log({"loss": 1.0 / (i + 1), "val": {"acc": i / 10}, "epoch": i}, stage="train")
    run.log({"lr": 0.5}, step=100)
    run.log({"note": "text is not kept in the history"})
    run.finish()
    values, note = summary_of(run)
    assert values == {"loss": 1.0 / 3, "val/acc": 0.2, "epoch": 2, "lr": 0.5}  # no step, time, stage
    assert note == {"last_values": True, "explicit": []}


def test_a_later_log_replaces_a_value_set_earlier_and_a_value_set_after_the_logs_wins(
    storage_root: Path,
) -> None:
    run = start(storage_root)
    run.summary({"acc": 0.99, "best": {"epoch": 1}, "loss": 7.0})
    assert summary_of(run) == ({"acc": 0.99, "best": {"epoch": 1}, "loss": 7.0}, summary_of(run)[1])
    run.log({"acc": 0.5, "loss": 0.3})  # replaces acc and loss
    run.log({"acc": 0.6})
    run.summary({"loss": 0.01})  # set after the logs: stays
    run.finish()
    values, note = summary_of(run)
    assert values == {"acc": 0.6, "loss": 0.01, "best": {"epoch": 1}}
    assert note is not None and sorted(note["explicit"]) == ["best", "loss"]


def test_a_resumed_run_keeps_its_summary_and_what_was_set(storage_root: Path) -> None:
    run = start(storage_root)
    run.log({"loss": 1.0, "acc": 0.1})
    run.summary({"best": 0.9})
    run.finish()
    again = start(storage_root, run_id=run.id)
    again.log({"acc": 0.2})
    again.finish()
    values, note = summary_of(again)
    assert values == {"loss": 1.0, "acc": 0.2, "best": 0.9}
    assert note is not None and note["explicit"] == ["best"]


def test_a_wide_run_keeps_every_metrics_last_value(storage_root: Path) -> None:
    run = start(storage_root)
    for step in range(5):
        run.log({f"layer{i // 100}/m{i}": float(step * i) for i in range(1500)})
    run.finish()
    values, _ = summary_of(run)
    assert len(values) == 1500 and values["layer14/m1499"] == 4.0 * 1499
