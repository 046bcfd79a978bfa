"""``GET /api/research/importance`` over a real viewer and runs written by the SDK: the key the
metric depends on ranks first, with its correlation's sign; the filters narrow the runs; a bad
metric is a 400 (docs/api.md#research)."""

from __future__ import annotations

import math
import random
from pathlib import Path

import httpx
import pytest

import runicorn


@pytest.fixture
def sweep_root(storage_root: Path) -> Path:
    """24 runs: val/acc rises with log10(lr), loss falls with it; batch_size does nothing."""
    rng = random.Random(3)
    for i in range(24):
        lr = 10 ** rng.uniform(-5, -1)
        config = {"lr": lr, "batch_size": rng.choice([32, 64]), "opt": rng.choice(["adam", "sgd"])}
        run = runicorn.init(
            project="p" if i < 20 else "other",
            name="sweep",
            storage=storage_root,
            config=config,
            capture_console=False,
            system_metrics=False,
        )
        acc = 1.0 + 0.2 * math.log10(lr) + rng.gauss(0, 0.005)
        run.log({"loss": 1 - acc, "val/acc": acc}, step=1)
        run.finish()
    return storage_root


def importance(base: str, **params: str) -> httpx.Response:
    return httpx.get(base + "/api/research/importance", params=params, timeout=60)


def test_importance_ranks_the_key_the_metric_depends_on_first(sweep_root: Path, live_viewer) -> None:
    base = live_viewer(sweep_root)
    answer = importance(base, metric="summary.val/acc").json()
    assert answer["model"] == "random_forest" and answer["install"] is None
    assert answer["runs"] == answer["used"] == 24
    first = answer["parameters"][0]
    assert first["name"] == "config.lr" and first["log"] is True
    assert first["importance"] > 0.5 and first["correlation"] > 0.9
    by = {r["name"]: r for r in answer["parameters"]}
    assert set(by) == {"config.lr", "config.batch_size", "config.opt"}
    assert by["config.opt"]["type"] == "category" and by["config.opt"]["correlation"] is None
    loss = importance(base, metric="summary.loss").json()
    assert loss["parameters"][0]["name"] == "config.lr"
    assert loss["parameters"][0]["correlation"] < -0.9
    assert importance(base, metric="summary.val/acc").json()["parameters"] == answer["parameters"]


def test_importance_takes_the_filters_and_refuses_a_bad_metric(sweep_root: Path, live_viewer) -> None:
    base = live_viewer(sweep_root)
    assert importance(base, metric="summary.val/acc", project="other").json()["runs"] == 4
    assert importance(base, metric="summary.val/acc", q='project == "p"').json()["used"] == 20
    assert importance(base, metric="summary.nothing").json()["used"] == 0
    bad = importance(base, metric="config.")
    assert bad.status_code == 400 and bad.json()["status"] == 400
    assert importance(base).status_code == 422  # no metric
