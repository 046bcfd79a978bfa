"""``wandb.plot`` charts are stored as their table plus the chart spec the viewer draws
(docs/format.md#eventsjsonl), and the viewer's table reader returns that spec; images inside a
``wandb.Table`` are written as image files that their cells name; an image's boxes and masks are
stored beside it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import orjson
import pytest

import runicorn as rn
from runicorn import format as fmt
from runicorn.store.records.tables import TableFiles
from runicorn.wandb import data_types as wb
from runicorn.wandb import plot

np = pytest.importorskip("numpy")
PILImage = pytest.importorskip("PIL.Image")


@pytest.fixture
def run(storage_root: Path):
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    yield run
    run.finish()


def tables(run: rn.Run) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Each table record's key -> (record, table file)."""
    events = run.dir / fmt.EVENTS_FILE
    lines, _ = fmt.split_complete_lines(events.read_bytes() if events.exists() else b"")
    out = {}
    for record in map(fmt.decode_event, lines):
        if record["type"] == fmt.TABLE:
            out[record["data"]["key"]] = (
                record["data"],
                orjson.loads((run.dir / record["data"]["path"]).read_bytes()),
            )
    return out


def test_each_preset_chart_is_stored_with_the_spec_the_viewer_draws(run: rn.Run) -> None:
    points = wb.Table(columns=["x", "y", "c"], data=[[i, i * i, "a" if i % 2 else "b"] for i in range(6)])
    charts = {
        "line": plot.line(points, "x", "y", stroke="c", title="squares"),
        "scatter": plot.scatter(points, "x", "y"),
        "bar": plot.bar(points, "c", "y"),
        "histogram": plot.histogram(points, "y"),
        "series": plot.line_series([0, 1, 2], [[1, 2, 3], [3, 2, 1]], keys=["up", "down"], xname="epoch"),
        "cm": plot.confusion_matrix(y_true=[0, 1, 1], preds=[0, 1, 0], class_names=["cat", "dog"]),
        "roc": plot.roc_curve([0, 1, 1, 0], [[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.6, 0.4]]),
    }
    for key, chart in charts.items():
        assert wb.log_media(run, key, chart, 3)
    run.finish()
    stored = {key: body[fmt.TABLE_CHART_KEY] for key, (_, body) in tables(run).items()}
    assert stored["line"] == {
        "kind": "line",
        "vega_spec": "wandb/line/v0",
        "title": "squares",
        "x": "x",
        "y": "y",
        "series": "c",
    }
    assert stored["scatter"] == {"kind": "scatter", "vega_spec": "wandb/scatter/v0", "x": "x", "y": "y"}
    assert stored["bar"] == {"kind": "bar", "vega_spec": "wandb/bar/v0", "x": "c", "y": "y"}
    assert stored["histogram"] == {"kind": "histogram", "vega_spec": "wandb/histogram/v0", "value": "y"}
    assert stored["series"] == {
        "kind": "line",
        "vega_spec": "wandb/lineseries/v0",
        "x": "step",
        "y": "lineVal",
        "series": "lineKey",
        "x_title": "epoch",
    }
    assert stored["cm"]["kind"] == "confusion_matrix"
    assert (stored["cm"]["x"], stored["cm"]["y"], stored["cm"]["value"]) == (
        "Predicted",
        "Actual",
        "nPredictions",
    )
    assert stored["roc"]["series"] == "class" and stored["roc"]["x_title"] == "False positive rate"
    _, cm = tables(run)["cm"]
    assert cm[fmt.TABLE_DATA_KEY] == [
        ["cat", "cat", 1.0],
        ["cat", "dog", 0.0],
        ["dog", "cat", 1.0],
        ["dog", "dog", 1.0],
    ]
    # the viewer's reader hands the spec to the page
    record, _ = tables(run)["line"]
    columns, rows, chart = TableFiles().read(run.dir, record["path"])
    assert columns == ["x", "y", "c"] and len(rows) == 6 and chart == stored["line"]


def test_a_chart_naming_a_missing_column_is_dropped_with_its_table(
    run: rn.Run, caplog: pytest.LogCaptureFixture
) -> None:
    table = wb.Table(columns=["x", "y"], data=[[0, 1]])
    wb.log_media(run, "bad", plot.line(table, "x", "nope"), 0)
    run.finish()
    assert "bad" not in tables(run)
    assert any("'nope' is not a column" in r.getMessage() for r in caplog.records)


def test_images_inside_a_table_are_files_their_cells_name(run: rn.Run) -> None:
    table = wb.Table(columns=["image", "label"])
    table.add_data(wb.Image(np.full((3, 4, 3), 200, dtype=np.uint8)), "grey")
    table.add_data(None, "none")
    wb.log_media(run, "samples", table, 1)
    run.finish()
    _, body = tables(run)["samples"]
    cell, label = body[fmt.TABLE_DATA_KEY][0]
    assert cell[fmt.CELL_TYPE_KEY] == fmt.IMAGE_CELL_TYPE and label == "grey"
    with PILImage.open(io.BytesIO((run.dir / cell[fmt.CELL_PATH_KEY]).read_bytes())) as image:
        assert image.size == (4, 3)
    assert body[fmt.TABLE_DATA_KEY][1] == [None, "none"]


def test_boxes_and_masks_are_stored_beside_the_image(run: rn.Run) -> None:
    box = {
        "position": {"middle": (0.5, 0.5), "width": 0.2, "height": 0.4},
        "class_id": 2,
        "scores": {"p": 0.9},
    }
    mask = {"mask_data": np.array([[0, 1], [2, 1]]), "class_labels": {1: "road", 2: "car"}}
    image = wb.Image(
        np.zeros((2, 2, 3), dtype=np.uint8),
        boxes={"pred": {"box_data": [box], "class_labels": {2: "car"}}},
        masks={"truth": mask},
    )
    wb.log_media(run, "frame", image, 5)
    run.finish()
    stored = tables(run)
    _, boxes = stored["frame/boxes/pred"]
    assert boxes[fmt.TABLE_DATA_KEY] == [[0.4, 0.6, 0.3, 0.7, None, 2, "car", None, '{"p": 0.9}']]
    _, classes = stored["frame/mask/truth/classes"]
    assert classes[fmt.TABLE_DATA_KEY] == [[1, "road"], [2, "car"]]
    lines, _ = fmt.split_complete_lines((run.dir / fmt.EVENTS_FILE).read_bytes())
    images = {r["data"]["key"]: r["data"] for r in map(fmt.decode_event, lines) if r["type"] == fmt.IMAGE}
    with PILImage.open(io.BytesIO((run.dir / images["frame/mask/truth"]["path"]).read_bytes())) as m:
        assert np.array(m).tolist() == [[0, 1], [2, 1]]
