"""The runs table's goals and groups over a real viewer and runs written by the SDK: each metric
column's ``goal`` (``define_metric``'s, else the name's) and ``/api/runs/groups`` (count and the
sorted metric's mean / min / max per group, best group first; docs/api.md#research)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

import runicorn
import runicorn.wandb as wandb
from runicorn.wandb import session

QUIET = wandb.Settings(console="off", x_disable_stats=True)
RUNS = [("adam", 0.01, 0.9), ("adam", 0.001, 0.8), ("sgd", 0.1, 0.5), ("sgd", 0.01, 0.7), ("sgd", 0.001, 0.6)]


def get(base: str, path: str, **params) -> httpx.Response:
    return httpx.get(base + path, params=params, timeout=30)


@pytest.fixture
def sweep_root(storage_root: Path) -> Path:
    for optimizer, lr, acc in RUNS:
        run = runicorn.init(
            project="p",
            name="sweep",
            storage=storage_root,
            config={"lr": lr, "optimizer": optimizer},
            capture_console=False,
            system_metrics=False,
        )
        run.log({"val/acc": acc / 2, "train/loss": 1 - acc / 2}, step=1)
        run.log({"val/acc": acc, "train/loss": 1 - acc}, step=2)
        run.finish()
    runicorn.init(project="p", name="other", storage=storage_root, config={"lr": 0.5}).finish()
    return storage_root


def test_metric_columns_say_their_goal(sweep_root: Path, live_viewer) -> None:
    base = live_viewer(sweep_root)
    cols = {c["name"]: c for c in get(base, "/api/runs/columns").json()["columns"]}
    assert (cols["summary.val/acc"]["goal"], cols["summary.val/acc"]["goal_from"]) == ("maximize", "name")
    assert cols["summary.train/loss"]["goal"] == "minimize"
    assert "goal" not in cols["config.lr"] and "goal" not in cols["config.optimizer"]


def test_a_define_metric_goal_wins_over_the_name(tmp_path: Path, live_viewer) -> None:
    root = tmp_path / "storage"
    wandb.init(project="w", name="defined", dir=root, settings=QUIET)
    try:
        wandb.define_metric("train/*", goal="maximize")
        wandb.log({"train/loss": 0.5, "val/loss": 0.4})
    finally:
        wandb.finish()
        session.current = None
    cols = {c["name"]: c for c in get(live_viewer(root), "/api/runs/columns").json()["columns"]}
    assert (cols["summary.train/loss"]["goal"], cols["summary.train/loss"]["goal_from"]) == (
        "maximize",
        "define_metric",
    )
    assert (cols["summary.val/loss"]["goal"], cols["summary.val/loss"]["goal_from"]) == ("minimize", "name")


def test_groups_count_and_aggregate_the_sorted_metric_best_group_first(sweep_root: Path, live_viewer) -> None:
    base = live_viewer(sweep_root)
    answer = get(
        base,
        "/api/runs/groups",
        by="config.optimizer",
        metric="summary.val/acc",
        sort="summary.val/acc",
        order="desc",
        columns="config.lr",
        limit=2,
    ).json()
    assert answer["total"] == 6 and answer["groups_total"] == 3
    adam, sgd, missing = answer["groups"]
    assert (adam["value"], adam["count"], adam["n"]) == ("adam", 2, 2)
    assert adam["mean"] == pytest.approx(0.85) and (adam["min"], adam["max"]) == (0.8, 0.9)
    assert (sgd["value"], sgd["count"]) == ("sgd", 3)
    assert sgd["mean"] == pytest.approx(0.6) and (sgd["min"], sgd["max"]) == (0.5, 0.7)
    assert [r["values"]["config.lr"] for r in sgd["runs"]] == [0.01, 0.001]  # best first, 2 shown
    assert (missing["value"], missing["count"], missing["n"], missing["mean"]) == (None, 1, 0, None)

    ascending = get(
        base,
        "/api/runs/groups",
        by="config.optimizer",
        metric="summary.train/loss",
        sort="summary.train/loss",
        order="asc",
    ).json()
    assert [g["value"] for g in ascending["groups"]] == ["adam", "sgd", None]
    assert ascending["groups"][0]["mean"] == pytest.approx(0.15)
    counted = get(base, "/api/runs/groups", by="config.optimizer").json()
    assert [(g["value"], g["count"], g["mean"]) for g in counted["groups"]] == [
        ("adam", 2, None),
        ("sgd", 3, None),
        (None, 1, None),
    ]
    assert get(base, "/api/runs/groups", by="nope").status_code == 400


def test_where_narrows_every_page_and_group_as_well_as_plain_words(sweep_root: Path, live_viewer) -> None:
    """``where`` (the runs page's brushes as value ranges) is ANDed with ``q``, even when ``q`` is
    plain words, so the total, the pages and the groups all count only the runs inside."""
    base = live_viewer(sweep_root)
    where = 'config.lr >= 0.001 and config.lr <= 0.01 and config.optimizer in ["sgd"]'
    pages = [
        get(base, "/api/runs", where=where, q="sweep", limit=1, offset=at, columns="config.lr").json()
        for at in (0, 1)
    ]
    assert [p["total"] for p in pages] == [2, 2]
    assert sorted(p["runs"][0]["values"]["config.lr"] for p in pages) == [0.001, 0.01]
    groups = get(base, "/api/runs/groups", by="config.optimizer", where="config.lr > 0.005").json()
    counts = {g["value"]: g["count"] for g in groups["groups"]}
    assert groups["total"] == 4 and (counts["adam"], counts["sgd"]) == (1, 2)
    assert get(base, "/api/runs", where="config.lr >>").status_code == 400
