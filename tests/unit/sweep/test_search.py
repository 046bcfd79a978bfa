"""The searches: grid order and completeness, random reproducibility, bayes beating random."""

from __future__ import annotations

import math
import random
import statistics
from pathlib import Path

from runicorn import format as fmt
from runicorn.sweep import bayes, create_sweep, open_sweep, parse_sweep_config
from runicorn.sweep.space import from_unit, grid_points, sample, sample_point, to_unit


def test_grid_lists_every_combination_once_in_order_first_parameter_slowest() -> None:
    config = parse_sweep_config(
        {
            "method": "grid",
            "parameters": {
                "lr": {"values": [0.1, 0.01]},
                "bs": {"values": [8, 16, 32]},
                "k": {"min": 1, "max": 2},
            },
        }
    )
    points = grid_points(config)
    assert len(points) == 12
    assert points[:4] == [
        {"lr": 0.1, "bs": 8, "k": 1},
        {"lr": 0.1, "bs": 8, "k": 2},
        {"lr": 0.1, "bs": 16, "k": 1},
        {"lr": 0.1, "bs": 16, "k": 2},
    ]
    assert len({tuple(p.values()) for p in points}) == 12


def test_a_grid_sweep_hands_out_each_point_once_then_is_done(tmp_path: Path) -> None:
    config = parse_sweep_config(
        {"method": "grid", "parameters": {"a": {"values": [1, 2]}, "b": {"values": ["x", "y"]}}}
    )
    sweep = create_sweep(tmp_path, config, "demo")
    handed = []
    while (trial := sweep.next_trial()) is not None:
        handed.append(trial["params"])
    assert handed == grid_points(config)
    assert [t["index"] for t in open_sweep(tmp_path, sweep.id).trials()] == [0, 1, 2, 3]
    assert (tmp_path / fmt.SWEEPS_DIR / sweep.id / fmt.SWEEP_FILE).is_file()


def test_random_search_with_the_same_seed_gives_the_same_trials(tmp_path: Path) -> None:
    raw = {
        "method": "random",
        "run_cap": 6,
        "parameters": {
            "lr": {"min": 1e-5, "max": 1e-1, "distribution": "log_uniform_values"},
            "opt": {"values": ["adam", "sgd", "rmsprop"]},
            "units": {"min": 16, "max": 256, "distribution": "q_uniform", "q": 16},
        },
    }

    def draw(folder: Path, seed: int) -> list[dict]:
        sweep = create_sweep(folder, parse_sweep_config(raw), "demo", seed=seed)
        return [t["params"] for t in iter(sweep.next_trial, None)]

    first, again, other = draw(tmp_path / "a", 7), draw(tmp_path / "b", 7), draw(tmp_path / "c", 8)
    assert len(first) == 6  # run_cap
    assert first == again
    assert first != other
    for p in first:
        assert 1e-5 <= p["lr"] <= 1e-1 and p["opt"] in ("adam", "sgd", "rmsprop") and p["units"] % 16 == 0


def test_each_distribution_draws_inside_its_range_and_maps_to_the_unit_interval_and_back() -> None:
    config = parse_sweep_config(
        {
            "method": "random",
            "parameters": {
                "a": {"min": -2.0, "max": 3.0},
                "b": {"min": math.log(1e-4), "max": math.log(1.0), "distribution": "log_uniform"},
                "c": {"min": 1e-3, "max": 10.0, "distribution": "inv_log_uniform_values"},
                "d": {"min": 2, "max": 9},
            },
        }
    )
    rng = random.Random(0)
    for _ in range(200):
        point = sample_point(config, rng)
        assert -2 <= point["a"] <= 3 and 1e-4 <= point["b"] <= 1.0 + 1e-12 and 1e-3 <= point["c"] <= 10 + 1e-9
        assert isinstance(point["d"], int) and 2 <= point["d"] <= 9
    for p in config.parameters:
        value = sample(p, rng)
        assert math.isclose(float(from_unit(p, to_unit(p, value))), float(value), rel_tol=1e-9)


def test_bayes_finds_a_better_minimum_of_a_quadratic_than_random_search() -> None:
    """Fixed seeds, so it is deterministic; the mean over 10 seeds, so one lucky draw decides nothing."""
    config = parse_sweep_config(
        {
            "method": "bayes",
            "metric": {"name": "loss", "goal": "minimize"},
            "parameters": {"x": {"min": -5.0, "max": 5.0}},
        }
    )

    def loss(p: dict) -> float:
        return (p["x"] - 1.3) ** 2

    trials = 20
    bayes_best, random_best = [], []
    for seed in range(10):
        done: list[tuple[dict, float]] = []
        for i in range(trials):
            point = bayes.suggest(config, done, random.Random(f"{seed}:{i}"))
            done.append((point, loss(point)))
        bayes_best.append(min(v for _, v in done))
        random_best.append(
            min(loss(sample_point(config, random.Random(f"r{seed}:{i}"))) for i in range(trials))
        )
    assert statistics.mean(bayes_best) < statistics.mean(random_best) / 3


def test_bayes_follows_the_goal_toward_high_or_low_values() -> None:
    def late_distance(goal: str) -> float:
        config = parse_sweep_config(
            {
                "method": "bayes",
                "metric": {"name": "acc", "goal": goal},
                "parameters": {"x": {"min": 0.0, "max": 1.0}},
            }
        )
        done: list[tuple[dict, float]] = []
        for i in range(25):
            point = bayes.suggest(config, done, random.Random(f"m:{i}"))
            done.append((point, -abs(point["x"] - 0.8)))  # highest at x = 0.8
        return statistics.mean(abs(p["x"] - 0.8) for p, _ in done[15:])

    # uniform draws would average 0.34 away from 0.8
    assert late_distance("maximize") < 0.25 < 0.4 < late_distance("minimize")


def _share_near_stopped_region(tmp_path: Path, with_stopped: bool, impute: str = "worst") -> float:
    """Bayes suggestions drawn after five finished trials (the best at x = 0.15) and, optionally,
    six trials stopped early around x = 0.1-0.25: the share of suggestions in [0, 0.3]."""
    raw = {
        "method": "bayes",
        "metric": {"name": "loss", "goal": "minimize", "impute": impute},
        "parameters": {"x": {"min": 0.0, "max": 1.0}},
    }
    sweep = create_sweep(tmp_path / f"{with_stopped}-{impute}", parse_sweep_config(raw), "demo", seed=3)
    ended = [(0.15, 0.1, fmt.TRIAL_FINISHED), (0.4, 0.8, fmt.TRIAL_FINISHED)]
    ended += [(0.6, 0.9, fmt.TRIAL_FINISHED), (0.8, 1.0, fmt.TRIAL_FINISHED), (0.95, 1.1, fmt.TRIAL_FINISHED)]
    if with_stopped:  # stopped at an early iteration, their loss so far high
        ended += [(x, 3.0, fmt.TRIAL_STOPPED) for x in (0.1, 0.12, 0.17, 0.2, 0.22, 0.25)]
    for index, (x, loss, status) in enumerate(ended):
        sweep.write_trial(fmt.TrialData(index=index, params={"x": x}, status=status, metric=loss))
    drawn = [t["params"]["x"] for t in (sweep.next_trial() for _ in range(40)) if t is not None]
    assert len(drawn) == 40
    return sum(1 for x in drawn if x <= 0.3) / len(drawn)


def test_bayes_learns_from_stopped_trials_and_moves_away_from_where_they_were_stopped(
    tmp_path: Path,
) -> None:
    without = _share_near_stopped_region(tmp_path, with_stopped=False)
    assert without > 0.4  # the best finished trial draws it there
    assert _share_near_stopped_region(tmp_path, with_stopped=True) < without / 2
    assert _share_near_stopped_region(tmp_path, with_stopped=True, impute="latest") < without / 2


def test_stopped_and_failed_trials_count_as_the_worst_value_unless_impute_says_otherwise() -> None:
    config = parse_sweep_config(
        {"method": "bayes", "metric": {"name": "loss"}, "parameters": {"x": {"min": 0.0, "max": 1.0}}}
    )
    trials = [
        fmt.TrialData(index=0, params={"x": 0.1}, status=fmt.TRIAL_FINISHED, metric=0.5),
        fmt.TrialData(index=1, params={"x": 0.2}, status=fmt.TRIAL_FINISHED, metric=2.0),
        fmt.TrialData(index=2, params={"x": 0.3}, status=fmt.TRIAL_STOPPED, metric=1.0),
        fmt.TrialData(index=3, params={"x": 0.4}, status=fmt.TRIAL_FAILED, metric=None),
        fmt.TrialData(index=4, params={"x": 0.5}, status=fmt.TRIAL_RUNNING),
    ]
    assert config.metric is not None
    seen = bayes.observations(trials, config.metric, lambda t: 0.7)
    assert seen == [({"x": 0.1}, 0.5), ({"x": 0.2}, 2.0), ({"x": 0.3}, 2.0), ({"x": 0.4}, 2.0)]
    latest = parse_sweep_config({**config.raw, "metric": {"name": "loss", "impute": "latest"}}).metric
    best = parse_sweep_config({**config.raw, "metric": {"name": "loss", "impute": "best"}}).metric
    assert latest is not None and best is not None
    assert [v for _, v in bayes.observations(trials, latest, lambda t: 0.7)] == [0.5, 2.0, 1.0, 2.0]
    assert [v for _, v in bayes.observations(trials, best, lambda t: 0.7)] == [0.5, 2.0, 0.7, 0.7]
