"""Parameter importance (runicorn/store/query/importance.py): on synthetic runs whose metric depends
on lr strongly and on batch_size not at all, lr ranks first, correlations have the right sign,
categorical keys and missing values are taken, and the answer repeats itself."""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from runicorn.store.index.run_info import RunInfo
from runicorn.store.query.importance import INSTALL_HINT, parameter_importance, pearson


def run(i: int, config: dict[str, Any], summary: dict[str, Any], folder: Path) -> RunInfo:
    info = RunInfo(
        key=f"r{i}",
        id=f"r{i}",
        project="p",
        name="n",
        path=folder / f"r{i}",
        relpath=f"p/n/runs/r{i}",
        layout="new",
        config=config,
    )
    info.set_summary_bytes(orjson.dumps(summary))  # as a scan reads summary.json
    return info


def sweep(folder: Path, n: int = 120, seed: int = 7) -> list[RunInfo]:
    """acc rises with log10(lr) (lr from 1e-5 to 1e-1), falls with dropout, ignores batch_size;
    loss is its mirror; the optimizer "sgd" costs 0.2 of acc."""
    rng = random.Random(seed)
    runs = []
    for i in range(n):
        lr = 10 ** rng.uniform(-5, -1)
        bs = rng.choice([16, 32, 64, 128])
        dropout = rng.uniform(0.0, 0.5)
        opt = rng.choice(["adam", "sgd"])
        acc = 0.5 + 0.1 * math.log10(lr) - 0.2 * dropout - (0.2 if opt == "sgd" else 0.0) + rng.gauss(0, 0.01)
        runs.append(
            run(
                i,
                {"lr": lr, "batch_size": bs, "dropout": dropout, "model": {"opt": opt}},
                {"acc": acc, "loss": -acc},
                folder,
            )
        )
    return runs


def rows(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in answer["parameters"]}


def test_the_key_the_metric_depends_on_ranks_first_and_an_ignored_one_last(tmp_path: Path) -> None:
    answer = parameter_importance(sweep(tmp_path), "summary.acc")
    assert answer["model"] == "random_forest"
    assert answer["used"] == answer["runs"] == 120
    names = [r["name"] for r in answer["parameters"]]
    assert names[0] == "config.lr"
    assert names[-1] == "config.batch_size"
    by = rows(answer)
    assert by["config.lr"]["importance"] > 0.3
    assert by["config.batch_size"]["importance"] < 0.05
    assert sum(r["importance"] for r in answer["parameters"]) == pytest.approx(1.0, abs=1e-4)


def test_correlations_have_the_sign_of_the_dependence(tmp_path: Path) -> None:
    acc = rows(parameter_importance(sweep(tmp_path), "summary.acc"))
    loss = rows(parameter_importance(sweep(tmp_path), "summary.loss"))
    assert acc["config.lr"]["correlation"] > 0.6  # on log10(lr): its values span four decades
    assert acc["config.lr"]["log"] is True
    assert acc["config.dropout"]["correlation"] < 0
    assert acc["config.dropout"]["log"] is False
    assert abs(acc["config.batch_size"]["correlation"]) < 0.3
    assert loss["config.lr"]["correlation"] == pytest.approx(-acc["config.lr"]["correlation"])


def test_a_categorical_key_has_an_importance_and_no_correlation(tmp_path: Path) -> None:
    by = rows(parameter_importance(sweep(tmp_path), "summary.acc"))
    opt = by["config.model.opt"]
    assert opt["type"] == "category"
    assert opt["correlation"] is None
    assert opt["importance"] > by["config.batch_size"]["importance"]


def test_runs_missing_the_metric_are_left_out_and_missing_keys_are_taken(tmp_path: Path) -> None:
    runs = sweep(tmp_path)
    for r in runs[:20]:
        r.set_summary_bytes(orjson.dumps({"loss": 1.0}))  # no acc
    for r in runs[20:40]:
        del r.config["batch_size"]
    runs[40].set_summary_bytes(orjson.dumps({"acc": "n/a"}))
    runs[41].set_summary_bytes(b'{"acc": NaN}')
    answer = parameter_importance(runs, "summary.acc")
    assert answer["runs"] == 120
    assert answer["used"] == 120 - 22
    by = rows(answer)
    assert by["config.batch_size"]["count"] == 98 - 20
    assert answer["parameters"][0]["name"] == "config.lr"


def test_the_answer_repeats_itself(tmp_path: Path) -> None:
    first = parameter_importance(sweep(tmp_path), "summary.acc")
    second = parameter_importance(sweep(tmp_path), "summary.acc")
    first.pop("seconds")
    second.pop("seconds")
    assert first == second


def test_a_key_with_one_value_and_the_metric_itself_are_not_parameters(tmp_path: Path) -> None:
    runs = [run(i, {"lr": 0.1 * (i + 1), "seed": 0, "score": i}, {}, tmp_path) for i in range(5)]
    names = [r["name"] for r in parameter_importance(runs, "config.score")["parameters"]]
    assert names == ["config.lr"]


def test_too_few_runs_give_correlations_only(tmp_path: Path) -> None:
    runs = [run(i, {"lr": 0.1 * (i + 1)}, {"acc": i}, tmp_path) for i in range(2)]
    answer = parameter_importance(runs, "summary.acc")
    assert answer["model"] is None
    assert rows(answer)["config.lr"] == {**rows(answer)["config.lr"], "importance": None, "correlation": None}


def test_without_scikit_learn_correlation_only_and_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sklearn", None)  # `import sklearn` raises ImportError
    monkeypatch.setitem(sys.modules, "sklearn.ensemble", None)
    answer = parameter_importance(sweep(tmp_path), "summary.acc")
    assert answer["model"] is None
    assert answer["install"] == INSTALL_HINT
    assert all(r["importance"] is None for r in answer["parameters"])
    assert answer["parameters"][0]["name"] == "config.lr"  # the strongest correlation first


def test_pearson() -> None:
    assert pearson([1, 2, 3, None], [2, 4, 6, 100]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert pearson([1, 1, 1], [1, 2, 3]) is None
    assert pearson([1, 2], [1, 2]) is None


def test_a_scikit_learn_refusing_missing_values_gets_them_below_every_present_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sklearn.ensemble import RandomForestRegressor

    fit = RandomForestRegressor.fit

    def refuse_nan(self: Any, x: Any, y: Any, *args: Any, **kwargs: Any) -> Any:
        import numpy as np

        if np.isnan(x).any():
            raise ValueError("Input X contains NaN.")
        return fit(self, x, y, *args, **kwargs)

    monkeypatch.setattr(RandomForestRegressor, "fit", refuse_nan)
    runs = sweep(tmp_path)
    for r in runs[:30]:
        del r.config["dropout"]
    answer = parameter_importance(runs, "summary.acc")
    assert answer["model"] == "random_forest"
    assert answer["parameters"][0]["name"] == "config.lr"
