"""summary.json of a W&B run: last values, define_metric's summaries, globs, nested keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from wandb_runs import QUIET, events, read, rows

import runicorn.wandb as wandb
from runicorn import format as fmt


def test_summary_is_the_last_value_and_a_later_log_replaces_an_explicit_set(storage_root: Path) -> None:
    run = wandb.init(project="s", dir=storage_root, settings=QUIET)
    for i in range(3):
        wandb.log({"loss": 1.0 - i / 10, "acc": i / 10})
    wandb.summary["acc"] = 0.99
    run.summary.update({"test_loss": 0.3})
    assert read(run, fmt.SUMMARY_FILE) == {"loss": 0.8, "acc": 0.99, "test_loss": 0.3}
    wandb.log({"acc": 0.05, "loss": 0.1})  # W&B's rule: a later log replaces the value set
    assert wandb.summary["loss"] == 0.1 and wandb.summary.acc == 0.05
    wandb.summary["loss"] = 0.01  # set after the logs: it wins
    wandb.finish()
    assert read(run, fmt.SUMMARY_FILE) == {"loss": 0.01, "acc": 0.05, "test_loss": 0.3}


def test_an_explicit_set_of_a_defined_metric_is_replaced_by_its_next_log(storage_root: Path) -> None:
    run = wandb.init(project="s", dir=storage_root, settings=QUIET)
    wandb.define_metric("loss", summary="min")
    wandb.log({"loss": 0.5})
    wandb.summary["loss"] = 9.0
    assert read(run, fmt.SUMMARY_FILE)["loss"] == 9.0
    wandb.log({"loss": 0.7})
    wandb.log({"loss": 0.6, "acc": 0.3})
    wandb.finish()
    assert read(run, fmt.SUMMARY_FILE) == {"loss": {"min": 0.6}, "acc": 0.3}


def test_define_metric_summaries_min_max_mean_first_last_best_and_none(storage_root: Path) -> None:
    run = wandb.init(project="s", dir=storage_root, settings=QUIET)
    wandb.define_metric("loss", summary="min,last")
    wandb.define_metric("acc", summary="max")
    wandb.define_metric("lr", summary="none")
    wandb.define_metric("err", summary="best,mean,first", goal="minimize")
    for loss, acc, err in ((0.5, 0.1, 3.0), (0.2, 0.7, 1.0), (0.4, 0.6, 2.0)):
        wandb.log({"loss": loss, "acc": acc, "lr": 0.1, "err": err})
    wandb.finish()
    assert read(run, fmt.SUMMARY_FILE) == {
        "loss": {"min": 0.2, "last": 0.4},
        "acc": {"max": 0.7},
        "err": {"best": 1.0, "mean": 2.0, "first": 3.0},
    }


def test_globs_and_nested_keys_take_their_definition(storage_root: Path) -> None:
    run = wandb.init(project="s", dir=storage_root, settings=QUIET)
    wandb.define_metric("epoch")
    wandb.define_metric("val/*", step_metric="epoch", summary="max")
    wandb.define_metric("train.loss", summary="min")  # the dotted form of a nested key
    for epoch, (acc, loss) in enumerate(((0.3, 2.0), (0.9, 1.0), (0.5, 3.0))):
        wandb.log({"val": {"acc": acc}, "train": {"loss": loss}, "epoch": epoch})
    wandb.finish()
    summary = read(run, fmt.SUMMARY_FILE)
    assert summary["val/acc"] == {"max": 0.9}
    assert summary["train/loss"] == {"min": 1.0}
    assert summary["epoch"] == 2
    metrics = read(run, fmt.META_FILE)[fmt.METRIC_DEFINITIONS_KEY]
    assert metrics["val/*"] == {
        "step_metric": "epoch",
        "summary": ["max"],
        "step_sync": True,
    }  # W&B's default
    assert metrics["epoch"] == {}


def test_bad_define_metric_arguments_raise(storage_root: Path) -> None:
    wandb.init(project="p", dir=storage_root, settings=QUIET)
    with pytest.raises(wandb.Error, match="unknown summary 'median'"):
        wandb.define_metric("loss", summary="median")
    with pytest.raises(wandb.Error, match="a glob has one"):
        wandb.define_metric("*loss")
    wandb.define_metric("loss", summary="best")  # as in W&B: accepted, and kept only with a goal


def test_nested_logs_stay_nested_in_the_summary_and_changes_persist(storage_root: Path) -> None:
    run = wandb.init(project="s", dir=storage_root, settings=QUIET)
    run.log({"val": {"loss": 0.5, "note": "ok"}, "tag": None, "sizes": [1, 2]})
    run.summary["val"]["best"] = 0.4  # a nested view: the change reaches summary.json
    del run.summary["val"]["loss"]
    assert run.summary["val"] == {"note": "ok", "best": 0.4}
    assert run.summary["tag"] is None and run.summary["sizes"] == [1, 2]
    run.log({"val": {"loss": 0.3}})  # a later log brings the key back
    run.finish()
    assert read(run, fmt.SUMMARY_FILE) == {
        "val/note": "ok",
        "val/best": 0.4,
        "val/loss": 0.3,
        "tag": None,
        "sizes": [1, 2],
    }


def test_numpy_arrays_log_as_histograms_or_lists(storage_root: Path) -> None:
    np = pytest.importorskip("numpy")
    run = wandb.init(project="s", dir=storage_root, settings=QUIET)
    run.log({"weights": np.arange(100.0), "pair": np.array([1, 2]), "one": np.array([3.0])})
    run.finish()
    histograms = [r for r in events(run) if r["type"] == fmt.HISTOGRAM]
    assert [h["data"]["key"] for h in histograms] == ["weights"]
    assert sum(histograms[0]["data"]["counts"]) == 100
    assert read(run, fmt.SUMMARY_FILE)["pair"] == [1, 2] and rows(run)[0]["one"] == 3.0


def test_text_lists_and_none_stay_in_the_history_and_charts_skip_them(storage_root: Path) -> None:
    from runicorn.store.metrics.series import RunSeries

    run = wandb.init(project="s", dir=storage_root, settings=QUIET)
    run.log({"loss": 1.0, "note": "warmup", "sizes": [1, 2], "gap": None})
    run.log({"loss": 0.5, "note": "steady"})
    run.finish()
    assert [(r.get("note"), r.get("sizes"), "gap" in r) for r in rows(run)] == [
        ("warmup", [1, 2], True),
        ("steady", None, False),
    ]
    assert read(run, fmt.SUMMARY_FILE)["note"] == "steady"
    assert not (read(run, fmt.STATUS_FILE).get("dropped"))  # nothing was dropped
    series = RunSeries(Path(run.sync_dir))
    series.update()
    assert set(series.metrics()["series"]) == {"loss"}  # the charts draw numbers only
