"""The Charts view's API over a real viewer and runs written by the SDK: ``/api/metrics/grouped``
without ``by`` (one line per run, named by its label), ``x=auto`` (each key's ``define_metric``
axis), the logged metric keys of ``/api/runs/columns`` and the labels of ``/api/compare``
(docs/api.md#research)."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson

import runicorn
import runicorn.wandb as wandb
from runicorn import format as fmt
from runicorn.wandb import session


def write(root: Path, config: dict, losses: dict[int, float]) -> str:
    run = runicorn.init(
        project="p", name="mlp", storage=root, config=config, capture_console=False, system_metrics=False
    )
    for step, loss in losses.items():
        run.log({"loss": loss}, step=step)
    run.log({"acc": 0.5}, step=max(losses))
    run.summary({"best": 0.9})  # set, never logged: no chart
    run.finish()
    return run.id


def get(base: str, path: str, **params) -> httpx.Response:
    return httpx.get(base + path, params=params, timeout=30)


def test_grouped_without_by_answers_one_line_per_run_named_by_its_label(
    storage_root: Path, live_viewer
) -> None:
    a = write(storage_root, {"lr": 0.01, "bs": 32}, {1: 1.0, 2: 0.5})
    b = write(storage_root, {"lr": 0.1, "bs": 32}, {1: 3.0, 3: 1.0})
    base = live_viewer(storage_root)
    answer = get(base, "/api/metrics/grouped", project="p", key="loss").json()
    assert answer["by"] == "" and answer["x"] == "step" and answer["truncated"] is False
    lines = {g["runs"][0]: g for g in answer["groups"]}
    assert set(lines) == {a, b}
    assert lines[a]["label"] == "mlp lr=0.01" and lines[b]["label"] == "mlp lr=0.1"
    assert lines[a]["x"] == [1, 2] and lines[a]["mean"] == [1.0, 0.5] and lines[a]["count"] == [1, 1]
    assert lines[b]["x"] == [1, 3] and lines[b]["mean"] == [3.0, 1.0]

    columns = get(base, "/api/runs/columns", project="p").json()
    assert columns["metric_keys"] == [{"key": "acc", "runs": 2}, {"key": "loss", "runs": 2}]

    compared = get(base, "/api/compare", ids=f"{a},{b}").json()  # no keys: the runs and their labels
    assert compared["labels"] == {lines[a]["runs"][0]: "mlp lr=0.01", lines[b]["runs"][0]: "mlp lr=0.1"}
    assert compared["metrics"] == {}


def test_auto_x_takes_each_metrics_define_metric_axis(storage_root: Path, live_viewer) -> None:
    wandb.init(
        project="w",
        name="axes",
        dir=storage_root,
        settings=wandb.Settings(console="off", x_disable_stats=True),
    )
    try:
        wandb.define_metric("epoch")
        wandb.define_metric("val/*", step_metric="epoch")
        for epoch in range(3):
            for _ in range(4):
                wandb.log({"train/loss": 1.0 / (epoch + 1)})
            wandb.log({"val/acc": 0.5 + epoch / 10, "epoch": epoch * 10})
    finally:
        wandb.finish()
        session.current = None
    base = live_viewer(storage_root)
    val = get(base, "/api/metrics/grouped", project="w", key="val/acc", x="auto").json()
    assert val["x"] == "epoch" and [round(v) for v in val["groups"][0]["x"]] == [0, 10, 20]  # bins
    train = get(base, "/api/metrics/grouped", project="w", key="train/loss", x="auto").json()
    assert train["x"] == "step" and len(train["groups"][0]["x"]) == 12
    keys = [k["key"] for k in get(base, "/api/runs/columns", project="w").json()["metric_keys"]]
    assert set(keys) == {"train/loss", "val/acc", "epoch"}


def test_a_run_without_the_summary_note_lists_the_keys_of_its_events(storage_root: Path, live_viewer) -> None:
    run_id = write(storage_root, {"lr": 0.01}, {1: 1.0, 2: 0.5})
    folder = fmt.run_dir(storage_root, "p", "mlp", run_id)
    (folder / fmt.SUMMARY_FILE).write_bytes(orjson.dumps({"best": 0.9}))  # as older versions wrote it
    columns = get(live_viewer(storage_root), "/api/runs/columns", project="p").json()
    assert columns["metric_keys"] == [{"key": "acc", "runs": 1}, {"key": "loss", "runs": 1}]


def test_the_chosen_config_columns_lead_the_labels_keys_in_every_answer(
    storage_root: Path, live_viewer
) -> None:
    a = write(storage_root, {"lr": 0.01, "bs": 32}, {1: 1.0})
    b = write(storage_root, {"lr": 0.1, "bs": 64}, {1: 2.0})
    base = live_viewer(storage_root)
    rows = get(base, "/api/runs", project="p").json()["runs"]
    assert {r["label"] for r in rows} == {"mlp bs=32 lr=0.01", "mlp bs=64 lr=0.1"}  # by name
    chosen = "config.lr,summary.loss,config.bs"
    rows = get(base, "/api/runs", project="p", columns=chosen).json()["runs"]
    assert {r["key"]: r["label"] for r in rows} == {a: "mlp lr=0.01 bs=32", b: "mlp lr=0.1 bs=64"}
    lines = get(base, "/api/metrics/grouped", project="p", key="loss", columns=chosen).json()["groups"]
    assert {g["value"]: g["label"] for g in lines} == {a: "mlp lr=0.01 bs=32", b: "mlp lr=0.1 bs=64"}
    compared = get(base, "/api/compare", ids=f"{a},{b}", columns=chosen).json()
    assert compared["labels"] == {a: "mlp lr=0.01 bs=32", b: "mlp lr=0.1 bs=64"}
