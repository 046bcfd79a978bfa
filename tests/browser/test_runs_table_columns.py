"""The Runs table answers "which run won": the chosen config and metric columns come right after
the name and stay in view when the table scrolls sideways, built-in columns can be hidden (kept
per project), every logged metric is offered as a column and sorts best first, and rows group by
a config key with each group's count and the metric's mean / min / max. Screenshots land in
test-artifacts/screenshots/runs-table-*.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from page_screenshots import screenshot
from playwright.sync_api import expect

import runicorn

pytestmark = pytest.mark.browser

OPTIMIZERS = ("adam", "sgd", "rmsprop")
LRS = (0.1, 0.01, 0.001, 0.0001)
RUNS = 24
CHOSEN = ["config.lr", "config.batch_size", "config.optimizer", "summary.val/acc", "summary.train/loss"]
WIDE = {"width": 1440, "height": 900}


def accuracy(i: int) -> float:
    return round(0.5 + 0.01 * i, 2)  # run23 is the most accurate


def loss(i: int) -> float:
    return round(0.3 + (i * 7 % RUNS) / 100, 2)  # run00 has the lowest loss


def write_sweep(root: Path) -> None:
    """A project of 24 runs written by the SDK, and another project of one run."""
    for i in range(RUNS):
        config = {"lr": LRS[i // 3 % 4], "batch_size": (32, 64)[i // 12], "optimizer": OPTIMIZERS[i % 3]}
        run = runicorn.init(
            project="sweep",
            name=f"run{i:02d}",
            storage=root,
            config=config,
            tags=["grid"],
            capture_console=False,
            system_metrics=False,
        )
        run.log({"val/acc": accuracy(i) / 2, "train/loss": loss(i) * 2}, step=1)
        run.log({"val/acc": accuracy(i), "train/loss": loss(i)}, step=2)
        run.finish()
    other = runicorn.init(
        project="other", name="solo", storage=root, capture_console=False, system_metrics=False
    )
    other.log({"val/acc": 0.1})
    other.finish()


def header_ids(page: Any) -> list[str]:
    return page.locator('[data-testid="runs-table"] thead th').evaluate_all(
        "els => els.map(e => e.dataset.testid || e.dataset.column || '')"
    )


def chosen_url(*extra: str) -> str:
    return "/?" + "&".join(["project=sweep", "cols=" + ",".join(CHOSEN), *extra])


def test_chosen_columns_follow_the_name_and_stay_in_view_when_scrolled_sideways(
    storage_root: Path, open_ui: Any
) -> None:
    write_sweep(storage_root)
    page = open_ui(chosen_url())
    page.set_viewport_size(WIDE)
    expect(page.get_by_test_id("run-row")).to_have_count(RUNS)
    expect(page.get_by_test_id("goal-summary.val/acc")).to_be_visible()
    ids = header_ids(page)
    assert ids[:7] == ["", "sort-name", *(f"sort-{c}" for c in CHOSEN)]
    assert ids[7:] == ["sort-project", "id", "sort-status", "tags", "sort-created", "sort-duration", "host"]
    for c in CHOSEN:  # at 1440 px the chosen columns are on screen without scrolling
        box = page.get_by_test_id(f"sort-{c}").bounding_box()
        assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= WIDE["width"], c
    screenshot(page, "runs-table-chosen-columns-1440")

    page.set_viewport_size({"width": 1000, "height": 900})
    kept = ("sort-name", *(f"sort-{c}" for c in CHOSEN))
    before = {i: page.get_by_test_id(i).bounding_box() for i in kept}
    wrap = page.locator(".table-wrap")
    scrolled = wrap.evaluate("el => { el.scrollLeft = el.scrollWidth; return el.scrollLeft; }")
    assert scrolled > 200, "the table should be wider than the page at 1000 px"
    expect(page.locator('th[data-column="host"]')).to_be_in_viewport()
    for test_id in kept:  # the name and the chosen columns did not move
        box, old = page.get_by_test_id(test_id).bounding_box(), before[test_id]
        assert box is not None and old is not None and abs(box["x"] - old["x"]) < 1, test_id
    # and nothing is drawn over them: the cell under each header's middle is that column's
    for c in CHOSEN:
        box = page.get_by_test_id(f"sort-{c}").bounding_box()
        assert box is not None
        hit = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y)?.closest('th')?.dataset.testid",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
        assert hit == f"sort-{c}"
    screenshot(page, "runs-table-scrolled-sideways")


def test_hidden_built_in_columns_stay_hidden_after_a_reload_for_their_project(
    storage_root: Path, open_ui: Any
) -> None:
    write_sweep(storage_root)
    page = open_ui("/?project=sweep")
    expect(page.get_by_test_id("run-row")).to_have_count(RUNS)
    page.get_by_test_id("columns-picker").click()
    for name in ("host", "id", "project"):
        page.locator(f'[data-testid="builtin-option"][data-key="{name}"] input').uncheck()
    expect(page.locator('th[data-column="host"]')).to_have_count(0)
    expect(page.locator('th[data-column="id"]')).to_have_count(0)
    expect(page.get_by_test_id("sort-project")).to_have_count(0)
    screenshot(page, "runs-table-hidden-columns")

    for path in ("/?project=sweep", None):  # a fresh address of the project, then a reload
        if path:
            page.goto(path)
        else:
            page.reload()
        expect(page.get_by_test_id("run-row")).to_have_count(RUNS)
        expect(page.locator('th[data-column="host"]')).to_have_count(0)
        expect(page.get_by_test_id("sort-project")).to_have_count(0)
        expect(page.get_by_test_id("sort-status")).to_be_visible()

    page.goto("/?project=other")  # another project keeps its own choice
    expect(page.get_by_test_id("run-row")).to_have_count(1)
    expect(page.locator('th[data-column="host"]')).to_be_visible()


def test_a_logged_metric_is_offered_and_sorts_best_first(storage_root: Path, open_ui: Any) -> None:
    write_sweep(storage_root)
    page = open_ui("/?project=sweep")
    expect(page.get_by_test_id("run-row")).to_have_count(RUNS)
    page.get_by_test_id("columns-picker").click()
    search = page.get_by_test_id("columns-search")
    for key in ("val/acc", "train/loss"):
        search.fill(key)
        option = page.locator(f'[data-testid="column-option"][data-key="summary.{key}"]')
        expect(option).to_have_count(1)
        option.locator("input").check()
    page.get_by_test_id("columns-picker").click()  # close the menu

    acc = page.get_by_test_id("sort-summary.val/acc")
    expect(page.get_by_test_id("goal-summary.val/acc")).to_have_text("↑ higher is better")
    acc.click()
    expect(acc).to_contain_text("▼")
    expect(page.get_by_test_id("run-link").first).to_have_text("run23")
    values = page.get_by_test_id("cell-summary.val/acc").all_inner_texts()
    assert [float(v) for v in values] == sorted((accuracy(i) for i in range(RUNS)), reverse=True)
    screenshot(page, "runs-table-sorted-by-accuracy")

    expect(page.get_by_test_id("goal-summary.train/loss")).to_have_text("↓ lower is better")
    page.get_by_test_id("sort-summary.train/loss").click()
    expect(page.get_by_test_id("sort-summary.train/loss")).to_contain_text("▲")
    expect(page.get_by_test_id("run-link").first).to_have_text("run00")
    values = page.get_by_test_id("cell-summary.train/loss").all_inner_texts()
    assert [float(v) for v in values] == sorted(loss(i) for i in range(RUNS))
    screenshot(page, "runs-table-sorted-by-loss")


def test_the_chooser_finds_one_metric_among_hundreds(storage_root: Path, open_ui: Any) -> None:
    run = runicorn.init(
        project="wide", name="many", storage=storage_root, capture_console=False, system_metrics=False
    )
    run.log({f"layer{i:03d}/grad_norm": float(i) for i in range(400)})
    run.finish()
    page = open_ui("/?project=wide")
    page.get_by_test_id("columns-picker").click()
    expect(page.get_by_test_id("columns-more")).to_be_visible()
    assert page.get_by_test_id("column-option").count() <= 300
    page.get_by_test_id("columns-search").fill("layer399")
    expect(page.get_by_test_id("column-option")).to_have_count(1)
    expect(page.get_by_test_id("columns-more")).to_have_count(0)


def test_grouping_by_optimizer_shows_each_groups_count_and_mean_min_max(
    storage_root: Path, open_ui: Any
) -> None:
    write_sweep(storage_root)
    page = open_ui(chosen_url("sort=summary.val/acc"))
    page.set_viewport_size(WIDE)
    expect(page.get_by_test_id("run-row")).to_have_count(RUNS)
    page.get_by_test_id("table-group-by").select_option("config.optimizer")
    groups = page.get_by_test_id("run-group")
    expect(groups).to_have_count(3)
    # sorted by val/acc (higher is better): the best group by mean first
    expect(page.get_by_test_id("group-label")).to_have_text(
        ["optimizer=rmsprop", "optimizer=sgd", "optimizer=adam"]
    )
    expect(page.get_by_test_id("group-count")).to_have_text(["8", "8", "8"])
    for group, optimizer in zip(groups.all(), ("rmsprop", "sgd", "adam"), strict=True):
        accs = [accuracy(i) for i in range(RUNS) if OPTIMIZERS[i % 3] == optimizer]
        expect(group.get_by_test_id("group-mean")).to_have_text(f"{sum(accs) / len(accs):.5g}")
        expect(group.get_by_test_id("group-min")).to_have_text(f"{min(accs):.5g}")
        expect(group.get_by_test_id("group-max")).to_have_text(f"{max(accs):.5g}")
    expect(groups.first.get_by_test_id("run-link").first).to_have_text("run23")
    screenshot(page, "runs-table-grouped-by-optimizer")

    groups.first.get_by_test_id("group-fold").click()
    expect(groups.first.get_by_test_id("run-row")).to_have_count(0)
    expect(page.get_by_test_id("run-row")).to_have_count(16)
    expect(groups.first.get_by_test_id("group-count")).to_have_text("8")
    groups.first.get_by_test_id("group-fold").click()
    expect(page.get_by_test_id("run-row")).to_have_count(RUNS)

    page.get_by_test_id("lang-toggle").click()  # the same in Chinese
    expect(page.get_by_test_id("goal-summary.val/acc")).to_have_text("↑ 越大越好")
    expect(page.get_by_test_id("goal-summary.train/loss")).to_have_text("↓ 越小越好")
    expect(groups.first.get_by_test_id("group-stats")).to_contain_text("均值")
    expect(page.get_by_test_id("columns-picker")).to_have_text("列 (5)")
    screenshot(page, "runs-table-grouped-zh")
