"""The sweep configuration: W&B's shape accepted, mistakes refused with the bad key named."""

from __future__ import annotations

from typing import Any

import pytest

from runicorn.errors import ConfigError
from runicorn.sweep import parse_sweep_config


def test_a_wandb_configuration_parses_with_the_distribution_each_parameter_means() -> None:
    config = parse_sweep_config(
        {
            "method": "bayes",
            "name": "lr search",
            "metric": {"name": "val_loss", "goal": "minimize"},
            "parameters": {
                "lr": {"min": 0.0001, "max": 0.1, "distribution": "log_uniform_values"},
                "dropout": {"min": 0.1, "max": 0.5},
                "layers": {"min": 1, "max": 4},
                "optimizer": {"values": ["adam", "sgd"]},
                "epochs": {"value": 10},
            },
            "early_terminate": {"type": "hyperband", "min_iter": 3},
            "run_cap": 20,
        }
    )
    assert [(p.name, p.distribution) for p in config.parameters] == [
        ("lr", "log_uniform_values"),
        ("dropout", "uniform"),
        ("layers", "int_uniform"),
        ("optimizer", "categorical"),
        ("epochs", "constant"),
    ]
    assert config.metric is not None and config.metric.goal == "minimize"
    assert config.run_cap == 20 and config.early_terminate is not None


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ({"method": "grd", "parameters": {"a": {"value": 1}}}, "method"),
        ({"method": "grid", "paramters": {"a": {"value": 1}}}, "'paramters'"),
        ({"method": "grid"}, "parameters"),
        ({"method": "random", "parameters": {"lr": {"min": 0.1}}}, "parameters.lr"),
        ({"method": "random", "parameters": {"lr": {"min": 0.5, "max": 0.1}}}, "parameters.lr.min"),
        ({"method": "random", "parameters": {"lr": {"values": []}}}, "parameters.lr.values"),
        ({"method": "random", "parameters": {"lr": {"valeus": [1]}}}, "parameters.lr.valeus"),
        (
            {"method": "random", "parameters": {"lr": {"min": 0, "max": 1, "distribution": "gauss"}}},
            "distribution",
        ),
        (
            {
                "method": "random",
                "parameters": {"lr": {"min": 0.0, "max": 1.0, "distribution": "log_uniform_values"}},
            },
            "parameters.lr.min",
        ),
        ({"method": "grid", "parameters": {"lr": {"min": 0.1, "max": 0.2}}}, "parameters.lr"),
        ({"method": "bayes", "parameters": {"lr": {"values": [1, 2]}}}, "metric"),
        (
            {"method": "random", "metric": {"name": "x", "goal": "up"}, "parameters": {"a": {"value": 1}}},
            "metric.goal",
        ),
        (
            {"method": "bayes", "metric": {"name": "x", "impute": "mean"}, "parameters": {"a": {"value": 1}}},
            "metric.impute",
        ),
        ({"method": "random", "run_cap": 0, "parameters": {"a": {"value": 1}}}, "run_cap"),
        (
            {"method": "random", "parameters": {"a": {"values": [1, 2], "probabilities": [0.5, 0.4]}}},
            "parameters.a.probabilities",
        ),
    ],
)
def test_a_mistake_is_refused_naming_the_key(raw: dict[str, Any], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_sweep_config(raw)
    assert named in caught.value.message
    assert caught.value.hint
