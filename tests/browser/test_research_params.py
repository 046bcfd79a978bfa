"""Which parameters matter, in the research view: the parallel plot starts with the config keys
that matter most for the metric, lr gets a log axis, the metric a colour scale; a brush narrows
every matching run (more than one page) and the runs under it are sorted by the metric; the
"Parameter importance" panel lists keys with importance and correlation; the scatter's "log"
switches and colour by a key. Screenshots land in test-artifacts/screenshots/research-*.png."""

from __future__ import annotations

import math
import random
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from page_screenshots import screenshot
from playwright.sync_api import expect

import runicorn

pytestmark = pytest.mark.browser

RUNS = 60  # more than a page of the runs table (50)


@pytest.fixture
def sweep(storage_root: Path) -> Path:
    """60 runs: val/acc rises with log10(lr) (lr from 1e-5 to 1e-1); batch_size, dropout and the
    optimizer barely matter."""
    rng = random.Random(11)
    for i in range(RUNS):
        lr = 10 ** rng.uniform(-5, -1)
        config = {
            "lr": lr,
            "batch_size": rng.choice([32, 64, 128]),
            "dropout": round(rng.uniform(0.0, 0.5), 3),
            "opt": rng.choice(["adam", "sgd"]),
        }
        run = runicorn.init(
            project="sweep",
            name=f"trial{i}",
            storage=storage_root,
            config=config,
            capture_console=False,
            system_metrics=False,
        )
        run.log({"val/acc": 1.0 + 0.2 * math.log10(lr) + rng.gauss(0, 0.003)}, step=1)
        run.finish()
    return storage_root


def importance_shown(page: Any) -> Any:
    """The importance panel once its answer came (the first one imports scikit-learn: seconds)."""
    panel = page.get_by_test_id("importance-panel")
    expect(panel).to_have_attribute("data-model", "random_forest", timeout=30_000)
    return panel


def drag(page: Any, x: float, y0: float, y1: float) -> None:
    page.mouse.move(x, y0)
    page.mouse.down()
    page.mouse.move(x, y1, steps=5)
    page.mouse.up()


def test_parallel_axes_start_with_the_important_keys_lr_on_a_log_axis(sweep: Path, open_ui: Any) -> None:
    # the chosen config columns put lr last; the plot puts it first
    page = open_ui("/?view=parallel&metric=summary.val/acc&cols=config.batch_size,config.dropout,config.lr")
    importance_shown(page)
    plot = page.get_by_test_id("parallel-plot")
    expect(plot).to_have_attribute("data-axes", re.compile(r"^config\.lr\|.*\|summary\.val/acc$"))
    expect(plot).to_have_attribute("data-log-axes", "config.lr")
    expect(plot).to_have_attribute("data-color-scale", re.compile(r"^summary\.val/acc:0\.\d+:0\.\d+"))
    expect(plot).to_have_attribute("data-lines", str(RUNS))

    page.goto("/?view=parallel&metric=summary.val/acc&cols=")  # nothing chosen: the most important keys
    expect(plot).to_have_attribute("data-axes", re.compile(r"^config\.lr\|"))
    expect(plot).to_have_attribute("data-log-axes", "config.lr")


def test_importance_panel_lists_keys_with_importance_and_correlation(sweep: Path, open_ui: Any) -> None:
    page = open_ui("/?view=parallel&metric=summary.val/acc")
    panel = importance_shown(page)
    expect(panel).to_contain_text("Parameter importance")
    expect(panel.get_by_role("columnheader", name="Correlation")).to_be_visible()
    rows = panel.get_by_test_id("importance-row")
    expect(rows).to_have_count(4)
    first = rows.first
    expect(first).to_have_attribute("data-key", "config.lr")
    assert float(first.get_attribute("data-importance") or 0) > 0.5
    assert float(first.get_attribute("data-correlation") or 0) > 0.9
    expect(first.get_by_test_id("correlation-value")).to_have_text(re.compile(r"^\+(0\.9\d|1\.00)$"))
    opt = panel.locator('[data-testid="importance-row"][data-key="config.opt"]')
    expect(opt.get_by_test_id("correlation-value")).to_have_text("–")  # a category has no sign
    screenshot(page, "research-importance")

    page.get_by_test_id("lang-toggle").click()
    expect(panel).to_contain_text("参数重要性")
    expect(panel.get_by_role("columnheader", name="相关性")).to_be_visible()
    screenshot(page, "research-importance-zh")
    page.get_by_test_id("lang-toggle").click()

    first.get_by_test_id("importance-key").click()  # lr against the metric, on its log axis
    expect(page).to_have_url(re.compile(r"view=scatter.*sx=config\.lr.*sy=summary\.val%2Facc.*sxlog=1"))
    expect(page.get_by_test_id("scatter-plot")).to_have_attribute("data-log-x", "true")


def test_a_brush_narrows_every_page_and_the_runs_are_sorted_by_the_metric(sweep: Path, open_ui: Any) -> None:
    page = open_ui("/?view=parallel&metric=summary.val/acc&cols=")
    importance_shown(page)
    plot = page.get_by_test_id("parallel-plot")
    expect(plot).to_have_attribute("data-axes", re.compile(r"^config\.lr\|"))
    count = page.get_by_test_id("brushed-count")
    expect(count).to_have_attribute("data-count", str(RUNS))  # every run, not one page of 50
    expect(count).to_have_attribute("data-total", str(RUNS))
    expect(page.get_by_test_id("brushed-row")).to_have_count(RUNS)

    box = plot.bounding_box()
    assert box is not None
    drag(page, box["x"] + 70, box["y"] + 25, box["y"] + 130)  # the top of lr's axis: the largest lrs
    expect(page).to_have_url(re.compile(r"brush=config\.lr"))
    expect(count).not_to_have_attribute("data-count", str(RUNS))
    kept = int(count.get_attribute("data-count") or 0)
    assert 0 < kept < RUNS
    expect(count).to_contain_text(f"{kept} / {RUNS} runs inside the brushes, over every page")
    expect(plot).to_have_attribute("data-selected", str(kept))
    rows = page.get_by_test_id("brushed-row")
    expect(rows).to_have_count(kept)
    accs = [float(r.get_attribute("data-metric") or "nan") for r in rows.all()]
    assert accs == sorted(accs, reverse=True)  # accuracy: the best (highest) first
    assert min(accs) > 0.45  # large learning rates only
    screenshot(page, "research-parallel-brushed")

    page.get_by_test_id("brushed-sort").click()  # the other way round
    expect(rows.first).to_have_attribute("data-metric", str(min(accs)))

    # the table view keeps the brush over every matching run too: its total, pages and count
    page.get_by_test_id("view-table").click()
    note = page.get_by_test_id("brush-note")
    expect(note).to_have_attribute("data-count", str(kept))
    expect(note).to_have_attribute("data-total", str(RUNS))
    expect(note).to_contain_text(f"{kept} / {RUNS} runs inside the brushes, over every page")
    expect(page.get_by_test_id("runs-total")).to_have_text(f"{kept} runs")
    expect(page.get_by_test_id("run-row")).to_have_count(min(kept, 50))
    screenshot(page, "research-table-brushed")


def test_scatter_log_switch_colour_by_a_key_and_readable_hover(sweep: Path, open_ui: Any) -> None:
    page = open_ui("/?view=scatter&sx=config.lr&sy=summary.val/acc")
    plot = page.get_by_test_id("scatter-plot")
    expect(plot).to_have_attribute("data-points", str(RUNS))
    expect(plot).to_have_attribute("data-log-x", "false")
    log_x = page.get_by_test_id("scatter-log-x")
    expect(page.locator("label", has=log_x)).to_have_text("log")
    log_x.check()
    expect(plot).to_have_attribute("data-log-x", "true")
    expect(page).to_have_url(re.compile(r"sxlog=1"))
    expect(plot).to_have_attribute("data-points", str(RUNS))

    page.get_by_test_id("scatter-color").select_option("config.opt")
    expect(page).to_have_url(re.compile(r"sc=config\.opt"))
    expect(plot).to_have_attribute("data-color-by", "config.opt")
    expect(plot).to_have_attribute("data-colors", "2")
    expect(page.get_by_test_id("scatter-legend-item")).to_have_count(2)

    box = plot.bounding_box()
    assert box is not None
    px, py = (float(v) for v in (plot.get_attribute("data-first-point") or "").split(","))
    page.mouse.move(box["x"] + px, box["y"] + py)
    hover = page.get_by_test_id("scatter-hover")
    expect(hover).to_have_text(re.compile(r"trial\d+ · lr=\S+ · val/acc=0\.\d+ · opt=(adam|sgd)"))
    screenshot(page, "research-scatter-log-colour")

    page.get_by_test_id("lang-toggle").click()
    expect(page.locator("label", has=log_x)).to_have_text("对数")
    page.get_by_test_id("lang-toggle").click()


def test_without_scikit_learn_the_panel_shows_correlations_and_how_to_install(
    sweep: Path, open_ui: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sklearn", None)  # the viewer's `import sklearn` fails
    monkeypatch.setitem(sys.modules, "sklearn.ensemble", None)
    page = open_ui("/?view=parallel&metric=summary.val/acc")
    panel = page.get_by_test_id("importance-panel")
    expect(panel.get_by_test_id("importance-install")).to_contain_text("pip install 'runicorn[research]'")
    expect(panel).to_have_attribute("data-model", "")
    rows = panel.get_by_test_id("importance-row")
    expect(rows.first).to_have_attribute("data-key", "config.lr")  # the strongest correlation
    expect(rows.first.get_by_test_id("importance-value")).to_have_text("–")
    expect(rows.first.get_by_test_id("correlation-value")).to_have_text(re.compile(r"^\+(0\.9\d|1\.00)$"))
    screenshot(page, "research-importance-no-sklearn")
