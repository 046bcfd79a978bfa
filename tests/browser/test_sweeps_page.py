"""The Sweeps pages: the list, one sweep's trials sortable with the best highlighted, and its
parallel-coordinates plot drawn on a canvas."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

import runicorn
from runicorn.wandb import sweeps as wandb_sweeps

pytestmark = pytest.mark.browser


def _run_sweep(storage_root: Path) -> str:
    sweep_id = wandb_sweeps.sweep(
        {
            "method": "grid",
            "metric": {"name": "loss", "goal": "minimize"},
            "parameters": {"lr": {"values": [0.3, 0.1, 0.2]}, "opt": {"values": ["adam", "sgd"]}},
        },
        project="demo",
        storage=storage_root,
    )

    def train() -> None:
        trial = wandb_sweeps.current_trial()
        assert trial is not None
        run = runicorn.init(
            project=trial.project,
            name=trial.name,
            storage=storage_root,
            config=trial.config,
            tags=trial.tags,
            capture_console=False,
            system_metrics=False,
        )
        trial.attach(run)
        run.log({"loss": trial.config["lr"] + (0.05 if trial.config["opt"] == "sgd" else 0.0)})

    wandb_sweeps.agent(sweep_id, function=train, storage=storage_root)
    return sweep_id


def test_a_sweep_page_shows_trials_sorted_by_metric_the_best_marked_and_the_plot(
    storage_root: Path, open_ui: Any
) -> None:
    sweep_id = _run_sweep(storage_root)
    page = open_ui("/sweeps")
    expect(page.get_by_test_id("sweep-row")).to_have_count(1)
    page.get_by_test_id("sweep-link").click()
    expect(page).to_have_url(re.compile(f"/sweeps/{sweep_id}$"))
    rows = page.get_by_test_id("trial-row")
    expect(rows).to_have_count(6)
    best = page.locator("[data-testid=trial-row][data-best=true]")
    expect(best).to_have_count(1)
    expect(best.get_by_test_id("trial-metric")).to_have_text("0.1")

    page.get_by_test_id("sort-@metric").click()
    expect(page.get_by_test_id("trial-metric")).to_have_text(["0.1", "0.15", "0.2", "0.25", "0.3", "0.35"])
    page.get_by_test_id("sort-@metric").click()
    expect(page.get_by_test_id("trial-metric").first).to_have_text("0.35")

    plot = page.get_by_test_id("sweep-parallel")
    expect(plot).to_have_attribute("data-lines", "6")
    expect(plot).to_have_attribute("data-axes", "lr,opt,loss")
    painted = page.evaluate(
        """() => { const c = document.querySelector('[data-testid=sweep-parallel]');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }"""
    )
    assert painted > 1000  # lines and axes drawn, not an empty canvas

    run_id = best.get_by_test_id("trial-run").inner_text()
    best.get_by_test_id("trial-run").click()
    expect(page).to_have_url(re.compile(f"/runs/{run_id}$"))
