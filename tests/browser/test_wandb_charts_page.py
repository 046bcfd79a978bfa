"""W&B's preset charts (``wandb.plot.*``) and images inside a ``wandb.Table``, logged by a script
through runicorn.wandb, on the Run page's Tables tab: in a real Chromium against a real viewer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from page_screenshots import screenshot  # type: ignore[import-not-found]
from playwright.sync_api import expect

import runicorn.wandb as wandb

pytestmark = pytest.mark.browser


def _wandb_run(storage_root: Path, data: dict[str, Any]) -> Any:
    settings = wandb.Settings(console="off", x_disable_stats=True, silent=True)
    run = wandb.init(project="charts", name="wb", dir=str(storage_root), settings=settings)
    wandb.log(data)
    wandb.finish()
    return run


def test_a_logged_wandb_plot_line_is_drawn_as_a_chart_above_its_table(
    storage_root: Path, open_ui: Any
) -> None:
    table = wandb.Table(columns=["epoch", "acc"], data=[[i, i / 10] for i in range(10)])
    run = _wandb_run(storage_root, {"acc_curve": wandb.plot.line(table, "epoch", "acc", title="Accuracy")})
    page = open_ui(f"/runs/{run.id}")
    page.get_by_test_id("tab-tables").click()
    chart = page.get_by_test_id("table-chart")
    expect(chart).to_have_attribute("data-kind", "line")
    expect(page.get_by_test_id("table-chart-title")).to_have_text("Accuracy")
    line = page.get_by_test_id("table-chart-line")
    expect(line).to_have_count(1)
    points = line.get_attribute("points") or ""
    assert len(points.split()) == 10, points  # one vertex per row
    expect(page.get_by_test_id("table-row")).to_have_count(10)  # the table stays below it
    screenshot(page, "run-wandb-plot-line")


def test_images_inside_a_wandb_table_are_shown_in_its_cells(storage_root: Path, open_ui: Any) -> None:
    table = wandb.Table(columns=["image", "label"])
    for label in ("zeros", "ones"):
        table.add_data(wandb.Image(np.full((8, 8, 3), 255 if label == "ones" else 0, dtype=np.uint8)), label)
    run = _wandb_run(storage_root, {"samples": table})
    page = open_ui(f"/runs/{run.id}")
    page.get_by_test_id("tab-tables").click()
    images = page.get_by_test_id("table-cell-image")
    expect(images).to_have_count(2)
    page.wait_for_function(
        "(imgs) => imgs.every((i) => i.complete && i.naturalWidth === 8)", arg=images.element_handles()
    )


def test_an_images_bounding_boxes_and_mask_are_drawn_over_it(storage_root: Path, open_ui: Any) -> None:
    box = {"position": {"minX": 0.25, "maxX": 0.75, "minY": 0.25, "maxY": 0.5}, "class_id": 1}
    mask = {"mask_data": np.eye(20, 40, dtype=np.uint8), "class_labels": {1: "lane"}}
    image = wandb.Image(
        np.zeros((20, 40, 3), dtype=np.uint8),
        boxes={"pred": {"box_data": [box], "class_labels": {1: "car"}}},
        masks={"truth": mask},
    )
    run = _wandb_run(storage_root, {"frame": image})
    page = open_ui(f"/runs/{run.id}")
    page.get_by_test_id("tab-media").click()
    frame = page.get_by_test_id("media-frame").first  # the image's card comes first
    rect = frame.get_by_test_id("media-box")
    expect(rect).to_have_count(1)
    assert [rect.get_attribute(a) for a in ("x", "y", "width", "height")] == ["10", "5", "20", "5"]
    expect(rect.locator("title")).to_have_text("car")
    overlay = frame.get_by_test_id("media-mask")
    expect(overlay).to_have_count(1)
    page.wait_for_function("(m) => m.complete && m.naturalWidth === 40", arg=overlay.element_handle())
    screenshot(page, "run-wandb-image-boxes")
