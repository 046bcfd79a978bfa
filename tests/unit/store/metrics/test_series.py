from __future__ import annotations

import csv
import io
import json
import math
from array import array
from pathlib import Path

import pytest

from runicorn import format as fmt
from runicorn.store.metrics import downsample
from runicorn.store.metrics import series as series_module
from runicorn.store.metrics.compare import compare_runs
from runicorn.store.metrics.csv_export import metrics_csv
from runicorn.store.metrics.downsample import keep_indexes
from runicorn.store.metrics.series import RunSeries


def _write(path: Path, rows: list[tuple[str, dict]], mode: str = "wb") -> None:
    with open(path, mode) as f:
        for i, (kind, data) in enumerate(rows):
            f.write(fmt.encode_event(kind, data, 1000.0 + i))


def _metrics(step: int, stage: str | None = None, **values: float) -> tuple[str, dict]:
    data: dict = {**values, fmt.STEP_KEY: step, fmt.TIME_KEY: 1000.0 + step}
    if stage:
        data[fmt.STAGE_KEY] = stage
    return (fmt.METRICS, data)


def test_downsampling_keeps_a_single_spike_in_each_column(tmp_path: Path) -> None:
    rows = [_metrics(s, loss=1.0, acc=0.5) for s in range(20000)]
    rows[12345] = _metrics(12345, loss=1000.0, acc=0.5)
    rows[777] = _metrics(777, loss=1.0, acc=-3.0)
    _write(tmp_path / fmt.EVENTS_FILE, rows)
    series = RunSeries(tmp_path)
    series.update()
    answer = series.metrics(["loss", "acc"], max_points=300)
    loss, acc = answer["series"]["loss"], answer["series"]["acc"]
    assert len(loss["x"]) <= 300 and loss["downsampled"] and loss["count"] == 20000
    assert 1000.0 in loss["y"] and loss["x"][loss["y"].index(1000.0)] == 12345
    assert -3.0 in acc["y"] and acc["x"][acc["y"].index(-3.0)] == 777
    assert loss["x"] == sorted(loss["x"]) and loss["x"][-1] == 19999


def test_keep_indexes_ignores_nan_for_min_max_but_keeps_it_visible() -> None:
    values = array("d", [1.0, 2.0, float("nan"), 0.5, 3.0, 1.0, 1.0, 1.0, 1.0])
    keep = keep_indexes(values, 3, nonfinite=[2])
    assert keep == sorted(keep)
    assert {2, 3, 4} <= set(keep)  # the NaN, the min and the max of the one bucket


@pytest.mark.parametrize("max_points", [7, 2000, 3001])
def test_long_columns_downsampled_with_numpy_keep_what_one_bucket_at_a_time_keeps(
    monkeypatch: pytest.MonkeyPatch, max_points: int
) -> None:
    """Spikes, repeated minima (0.0 and -0.0 equal), NaN and infinities: the indexes numpy
    finds for a long column are the ones found bucket by bucket without it."""
    n = downsample.NUMPY_FROM * 3 + 17
    values = array("d", [((i * 7919) % 1013) / 7.0 - 50.0 for i in range(n)])
    for i in range(0, n, 997):
        values[i] = -0.0 if i % 2 else 0.0
    values[12345] = 1e300
    nonfinite = [5, 40001, 40002, n - 1]
    for i, v in zip(nonfinite, [math.nan, math.inf, -math.inf, math.nan], strict=True):
        values[i] = v
    with_numpy = keep_indexes(values, max_points, nonfinite)
    monkeypatch.setattr(downsample, "np", None)
    assert keep_indexes(values, max_points, nonfinite) == with_numpy
    assert 12345 in with_numpy and {5, 40001, n - 1} <= set(with_numpy)


def test_since_returns_only_rows_appended_after_the_offset(tmp_path: Path) -> None:
    path = tmp_path / fmt.EVENTS_FILE
    _write(path, [_metrics(s, loss=float(s)) for s in range(100)])
    series = RunSeries(tmp_path)
    series.update()
    first = series.metrics(["loss"])
    assert first["offset"] == path.stat().st_size
    _write(path, [_metrics(s, loss=float(s)) for s in range(100, 105)], mode="ab")
    series.update()
    later = series.metrics(["loss"], since=first["offset"])
    assert later["series"]["loss"]["x"] == [100, 101, 102, 103, 104]
    assert not later["restarted"]
    assert series.metrics(["loss"], since=later["offset"])["series"]["loss"]["x"] == []


def test_since_past_the_end_after_a_rewrite_answers_everything(tmp_path: Path) -> None:
    path = tmp_path / fmt.EVENTS_FILE
    _write(path, [_metrics(s, loss=1.0) for s in range(50)])
    series = RunSeries(tmp_path)
    series.update()
    old_offset = series.metrics()["offset"]
    path.unlink()
    _write(path, [_metrics(s, loss=2.0) for s in range(3)])
    series.update()
    answer = series.metrics(["loss"], since=old_offset)
    assert answer["restarted"]
    assert answer["series"]["loss"]["y"] == [2.0, 2.0, 2.0]


def test_stage_spans_cover_contiguous_stages(tmp_path: Path) -> None:
    rows = [_metrics(s, "train", loss=1.0) for s in range(10)]
    rows += [_metrics(s, "val", acc=1.0) for s in range(10, 13)]
    rows += [_metrics(s, "train", loss=1.0) for s in range(13, 20)]
    _write(tmp_path / fmt.EVENTS_FILE, rows)
    series = RunSeries(tmp_path)
    series.update()
    stages = series.metrics()["stages"]
    assert stages == [
        {"stage": "train", "x_start": 0, "x_end": 9},
        {"stage": "val", "x_start": 10, "x_end": 12},
        {"stage": "train", "x_start": 13, "x_end": 19},
    ]


def test_sparse_keys_keep_their_own_steps(tmp_path: Path) -> None:
    rows = [_metrics(s, loss=float(s)) for s in range(10)]
    rows[4] = _metrics(4, loss=4.0, val_acc=0.9)
    _write(tmp_path / fmt.EVENTS_FILE, rows)
    series = RunSeries(tmp_path)
    series.update()
    assert series.metrics(["val_acc"])["series"]["val_acc"] == {
        "x": [4],
        "y": [0.9],
        "count": 1,
        "downsampled": False,
    }


def test_broken_lines_give_partial_data_and_a_count(tmp_path: Path) -> None:
    path = tmp_path / fmt.EVENTS_FILE
    _write(path, [_metrics(0, loss=1.0)])
    with open(path, "ab") as f:
        f.write(b'{"ts": 1, "type": "metrics", "data": {"loss": NaN, "global_step": 1}}\n')
        f.write(b"\x00\x01garbage\xff\n{broken\n")
        f.write(fmt.encode_event(fmt.METRICS, {"loss": "text", "acc": True, fmt.STEP_KEY: 2}, 3.0))
        f.write(b'{"ts": 4, "type": "metrics", "data": {"loss": 0.')  # truncated last line
    series = RunSeries(tmp_path)
    series.update()
    answer = series.metrics()
    assert answer["malformed"] == 2
    assert answer["series"]["loss"]["x"] == [0, 1]
    assert answer["series"]["loss"]["y"] == [1.0, None]  # NaN answered as null, JSON-safe
    assert answer["offset"] < path.stat().st_size  # the truncated line waits


def test_system_and_image_records_are_kept_apart(tmp_path: Path) -> None:
    rows = [
        _metrics(0, loss=1.0),
        (fmt.SYSTEM, {fmt.SYSTEM_CPU_PERCENT: 50.0, fmt.gpu_key(0, "util_percent"): 90.0, fmt.TIME_KEY: 5.0}),
        (fmt.IMAGE, {"key": "sample", "path": "media/1_abc_sample.png", "step": 0, "caption": "c"}),
        ("future_kind", {"x": 1}),
        _metrics(1, loss=0.5),
    ]
    _write(tmp_path / fmt.EVENTS_FILE, rows)
    series = RunSeries(tmp_path)
    series.update()
    assert series.metric_keys() == ["loss"]
    assert series.system_keys() == [fmt.SYSTEM_CPU_PERCENT, "gpu0/util_percent"]
    system = series.metrics(x="time", system=True)
    assert system["series"]["gpu0/util_percent"]["y"] == [90.0]
    assert [i["key"] for i in series.images] == ["sample"]
    assert series.malformed == 0


def test_csv_export_has_every_row_and_empty_cells_for_missing_keys(tmp_path: Path) -> None:
    rows = [_metrics(s, "train", loss=1.0 / (s + 1)) for s in range(10000)]
    rows[3] = _metrics(3, "val", loss=0.25, acc=float("inf"))
    _write(tmp_path / fmt.EVENTS_FILE, rows)
    series = RunSeries(tmp_path)
    series.update()
    table = list(csv.reader(io.StringIO(b"".join(metrics_csv(series)).decode())))
    assert table[0] == ["step", "time", "stage", "acc", "loss"]
    assert len(table) == 10001
    assert table[4] == ["3", "1003.0", "val", "inf", "0.25"]
    assert table[5][2:] == ["train", "", "0.2"]


def test_compare_aligns_runs_on_elapsed_time(tmp_path: Path) -> None:
    runs = {}
    for i, start in enumerate((1000.0, 5000.0)):
        d = tmp_path / f"r{i}"
        d.mkdir()
        _write(
            d / fmt.EVENTS_FILE,
            [(fmt.METRICS, {"loss": 1.0, fmt.STEP_KEY: s, fmt.TIME_KEY: start + s}) for s in range(5)],
        )
        runs[f"r{i}"] = RunSeries(d)
        runs[f"r{i}"].update()
    answer = compare_runs(runs, "loss", x="elapsed")
    assert [r["x"] for r in answer["runs"]] == [[0, 1, 2, 3, 4], [0, 1, 2, 3, 4]]
    assert compare_runs(runs, "missing")["runs"][0]["count"] == 0


def test_series_grows_as_the_file_grows_across_many_groups(tmp_path: Path) -> None:
    path = tmp_path / fmt.EVENTS_FILE
    _write(path, [_metrics(s, loss=float(s)) for s in range(9000)])
    series = RunSeries(tmp_path)
    assert series.update()
    assert not series.update()  # nothing new
    _write(path, [_metrics(s, loss=float(s)) for s in range(9000, 9100)], mode="ab")
    assert series.update()
    loss = series.metric_rows.columns["loss"]
    assert len(loss.values) == 9100 and loss.values[-1] == 9099.0
    assert math.isfinite(sum(loss.values))


def test_pypi_0_7_2_run_reads_with_nan_stages_images_and_logs() -> None:
    from runicorn.store.reader import StoreReader

    data = Path(__file__).resolve().parents[3] / "data" / "pypi-0.7.2"
    run_id = json.loads((data / "ids.json").read_text())["finished"]
    reader = StoreReader(data / "storage")
    answer = reader.metrics(run_id)
    assert answer["malformed"] == 0
    assert answer["series"]["loss"]["y"][3] is None  # NaN written as a bare token
    assert answer["series"]["grad"]["y"] == [None]  # Infinity
    assert [s["stage"] for s in answer["stages"]] == ["train", "val"]
    media = reader.media(run_id)
    assert [i["caption"] for i in media["images"]] == ["red"]
    with reader.open_media_file(run_id, media["images"][0]["path"]) as image:
        assert image.read(8) == b"\x89PNG\r\n\x1a\n"
    assert any("epoch 1 done" in line for line in reader.logs(run_id)["lines"])


def test_a_key_with_a_gap_keeps_the_right_steps_as_the_file_grows(tmp_path: Path) -> None:
    path = tmp_path / fmt.EVENTS_FILE
    _write(path, [_metrics(s, loss=float(s)) for s in range(5)])
    series = RunSeries(tmp_path)
    series.update()
    _write(path, [_metrics(5, acc=1.0)] + [_metrics(s, loss=float(s)) for s in range(6, 9)], mode="ab")
    series.update()
    loss = series.metrics(["loss"])["series"]["loss"]
    assert loss["x"] == [0, 1, 2, 3, 4, 6, 7, 8] and loss["y"] == loss["x"]
    assert series.metrics(["acc"])["series"]["acc"]["x"] == [5]


def test_a_run_written_by_our_sdk_reads_live_then_finished(tmp_path: Path) -> None:
    import runicorn
    from runicorn.store.reader import StoreReader

    run = runicorn.init(
        project="p",
        name="n",
        storage=tmp_path,
        config={"lr": 0.1},
        tags=["x"],
        capture_console=False,
        system_metrics=False,
    )
    try:
        for i in range(5):
            run.log({"loss": 1 / (i + 1)}, stage="train")
        run.log_text("hello")
        run.flush()
        reader = StoreReader(tmp_path, refresh_interval_s=0.0)
        first = reader.metrics(run.id)
        assert reader.run(run.id).state() == "running"
        assert first["series"]["loss"]["count"] == 5 and first["stages"][0]["stage"] == "train"
        assert reader.logs(run.id)["lines"][-1].endswith("hello")
        run.log({"loss": 0.1})
        run.summary({"best": 0.1})
    finally:
        run.finish()
    reader.index.refresh(force=True)
    detail = reader.run_detail(run.id)
    assert (detail["status"], detail["config"], detail["tags"], detail["summary"]) == (
        "finished",
        {"lr": 0.1},
        ["x"],
        {"best": 0.1, "loss": 0.1},  # the last logged value of loss beside the value set
    )
    later = reader.metrics(run.id, since=first["offset"])
    assert later["series"]["loss"]["y"] == [0.1]


def test_since_from_another_process_inside_a_block_answers_the_rows_after_it(tmp_path: Path) -> None:
    path = tmp_path / fmt.EVENTS_FILE
    _write(path, [_metrics(s, loss=float(s)) for s in range(1000)])
    series = RunSeries(tmp_path)
    series.update()  # one block: no row count kept inside it
    ends = []
    with open(path, "rb") as f:
        for line in f:
            ends.append((ends[-1] if ends else 0) + len(line))
    for since in (ends[0], ends[0] + 1, ends[499] - 1, ends[499], ends[998] + 3):
        answer = series.metrics(["loss"], since=since, max_points=100_000)
        expected = [float(s) for s, end in enumerate(ends) if end > since]
        assert answer["series"]["loss"]["y"] == expected, since
        assert answer["rows"] == len(expected) and not answer["restarted"]


def test_switching_the_x_axis_reuses_the_downsampling_and_growth_redoes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [_metrics(s, loss=float((s * 7919) % 1000), acc=s / 10) for s in range(30000)]
    _write(tmp_path / fmt.EVENTS_FILE, rows)
    calls: list[int] = []
    real = series_module.keep_indexes
    monkeypatch.setattr(series_module, "keep_indexes", lambda v, *a: calls.append(len(v)) or real(v, *a))
    series = RunSeries(tmp_path)
    series.update()
    by_step = series.metrics(["loss"], max_points=300)
    by_time = series.metrics(["loss"], x="time", max_points=300)
    assert calls == [30000]  # the time axis reused the picks of the step axis
    assert by_time["series"]["loss"]["y"] == by_step["series"]["loss"]["y"]
    assert by_time["series"]["loss"]["x"] == [1000.0 + s for s in by_step["series"]["loss"]["x"]]
    _write(tmp_path / fmt.EVENTS_FILE, [_metrics(30000, loss=5000.0, acc=1.0)], mode="ab")
    series.update()
    grown = series.metrics(["loss"], x="time", max_points=300)
    assert calls == [30000, 30001] and 5000.0 in grown["series"]["loss"]["y"]
