"""The SDK as a training loop meets it: values in, lines on disk, never an exception out."""

from __future__ import annotations

import inspect
import logging
import math
import time
from pathlib import Path

import pytest

import runicorn as rn
from runicorn import format as fmt
from runicorn.errors import ConfigError, StorageError
from runicorn.sdk.disabled import DisabledRun


def events(run: rn.Run) -> list[dict]:
    raw = (run.dir / fmt.EVENTS_FILE).read_bytes()
    lines, _ = fmt.split_complete_lines(raw)
    return [fmt.decode_event(line) for line in lines]


def metrics(run: rn.Run) -> list[dict]:
    return [e["data"] for e in events(run) if e["type"] == fmt.METRICS]


def test_run_folder_has_every_file_of_the_format(make_run) -> None:
    run = make_run(steps=12)
    assert run.dir == fmt.run_dir(run.root, "demo", "exp1", run.id)
    assert fmt.RUN_ID_PATTERN.match(run.id)
    for name in (
        fmt.META_FILE,
        fmt.STATUS_FILE,
        fmt.SUMMARY_FILE,
        fmt.CONFIG_FILE,
        fmt.EVENTS_FILE,
        fmt.LOGS_FILE,
    ):
        assert (run.dir / name).is_file(), name
    meta = fmt.read_json(run.dir / fmt.META_FILE)
    assert meta["project"] == "demo" and meta["name"] == "exp1" and meta["id"] == run.id
    assert meta["path"] == "demo/exp1"  # what the PyPI 0.6+ viewer reads
    for key in ("created_at", "hostname", "pid", "python", "platform", "argv", "cwd", "tags"):
        assert key in meta
    assert fmt.read_json(run.dir / fmt.STATUS_FILE)["status"] == fmt.FINISHED
    assert fmt.read_json(run.dir / fmt.CONFIG_FILE) == {"lr": 0.001, "batch_size": 32}


def test_step_auto_increments_and_explicit_step_continues(storage_root: Path) -> None:
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    rn.log({"a": 1.0})
    rn.log({"a": 2.0})
    rn.log({"a": 3.0}, step=10)
    rn.log({"a": 4.0})
    rn.finish()
    assert [m["global_step"] for m in metrics(run)] == [1, 2, 10, 11]


def test_record_shape_matches_the_pypi_package(make_run) -> None:
    run = make_run(steps=10)
    first = events(run)[0]
    assert set(first) == {"ts", "type", "data"} and first["type"] == "metrics"
    assert first["data"]["global_step"] == 1 and first["data"]["stage"] == "train"
    assert first["data"]["time"] == first["ts"]


def test_nan_and_infinity_survive_the_round_trip(storage_root: Path) -> None:
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    run.log({"nan": math.nan, "inf": math.inf, "ninf": -math.inf, "ok": 1.5})
    run.finish()
    raw = (run.dir / fmt.EVENTS_FILE).read_bytes()
    assert b"NaN" in raw and b"Infinity" in raw and b"null" not in raw
    data = metrics(run)[0]
    assert (
        math.isnan(data["nan"])
        and data["inf"] == math.inf
        and data["ninf"] == -math.inf
        and data["ok"] == 1.5
    )


def test_numpy_scalars_and_zero_d_arrays_are_logged_as_numbers(storage_root: Path) -> None:
    np = pytest.importorskip("numpy")
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    run.log({"f32": np.float32(0.25), "i64": np.int64(7), "arr0d": np.array(2.5), "flag": True})
    run.finish()
    data = metrics(run)[0]
    assert data["f32"] == 0.25 and data["i64"] == 7 and data["arr0d"] == 2.5 and data["flag"] == 1


def test_numpy_float64_and_bool_scalars_are_logged_as_numbers(storage_root: Path) -> None:
    np = pytest.importorskip("numpy")
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    run.log({"f64": np.float64(0.5), "flag": np.bool_(True), "ok": 1.0})
    run.finish()
    data = metrics(run)[0]
    assert data["f64"] == 0.5 and data["flag"] == 1 and type(data["flag"]) is int and data["ok"] == 1.0


def test_torch_zero_d_tensors_are_logged_as_numbers(storage_root: Path) -> None:
    torch = pytest.importorskip("torch")
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    run.log({"loss": torch.tensor(0.5), "big": torch.ones(3)})
    run.finish()
    data = metrics(run)[0]
    assert data["loss"] == 0.5 and "big" not in data


def test_non_numbers_are_dropped_with_one_warning_per_key_and_counted(storage_root: Path, caplog) -> None:
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    with caplog.at_level(logging.WARNING, logger="runicorn"):
        for _ in range(3):
            run.log({"loss": 1.0, "name": "resnet", "huge": "x" * 10_000_000, "none": None, "list": [1, 2]})
    run.finish()
    warnings = [r for r in caplog.records if "dropped" in r.getMessage()]
    assert len(warnings) == 4  # name, huge, none, list: once each
    assert all(len(r.getMessage()) < 300 for r in warnings)  # the huge string is not echoed
    assert all(set(m) == {"loss", "global_step", "time"} for m in metrics(run))
    status = fmt.read_json(run.dir / fmt.STATUS_FILE)
    assert status["dropped"] == {"name": 3, "huge": 3, "none": 3, "list": 3}


def test_reserved_keys_are_refused_and_do_not_clobber_the_step(storage_root: Path) -> None:
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    run.log({"loss": 1.0, "global_step": 999}, step=5)
    run.finish()
    assert metrics(run)[0]["global_step"] == 5
    assert fmt.read_json(run.dir / fmt.STATUS_FILE)["dropped"] == {"global_step": 1}


def test_a_metric_named_stage_is_refused_without_stage_argument(storage_root: Path) -> None:
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    run.log({"loss": 1.0, "stage": 2.0})
    run.finish()
    assert "stage" not in metrics(run)[0]
    assert fmt.read_json(run.dir / fmt.STATUS_FILE)["dropped"] == {"stage": 1}


def test_keys_with_slashes_and_non_string_keys(storage_root: Path) -> None:
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    run.log({"train/loss": 1.0, 3: 2.0})
    run.finish()
    data = metrics(run)[0]
    assert data["train/loss"] == 1.0 and data["3"] == 2.0


def test_log_never_raises_even_on_garbage(storage_root: Path) -> None:
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    run.log("not a dict")  # type: ignore[arg-type]
    run.log({"a": 1.0}, step="x")  # type: ignore[arg-type]
    run.log_image("bad", object())
    run.log({"a": 2.0})
    run.finish()
    assert [m["a"] for m in metrics(run)] == [2.0]


def test_config_and_summary_are_saved_as_they_change(storage_root: Path) -> None:
    run = rn.init(storage=storage_root, config={"lr": 0.1}, capture_console=False, system_metrics=False)
    rn.config.update({"epochs": 3})
    rn.config["seed"] = 1
    assert fmt.read_json(run.dir / fmt.CONFIG_FILE) == {"lr": 0.1, "epochs": 3, "seed": 1}
    rn.summary({"best": 0.9})
    rn.summary({"test_loss": math.nan})
    assert fmt.read_json(run.dir / fmt.SUMMARY_FILE)["best"] == 0.9
    assert math.isnan(fmt.read_json(run.dir / fmt.SUMMARY_FILE)["test_loss"])
    rn.finish()


def test_log_text_and_images_land_in_logs_and_media(storage_root: Path) -> None:
    pytest.importorskip("PIL")
    np = pytest.importorskip("numpy")
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    run.log({"a": 1.0})
    run.log_text("epoch 1 done\nsecond line")
    run.log_image("samples/grid", np.zeros((4, 4, 3), dtype=np.uint8), caption="zeros")
    run.finish()
    logs = (run.dir / fmt.LOGS_FILE).read_text().splitlines()
    assert logs[0].endswith(" | epoch 1 done") and logs[1].endswith(" | second line")
    image = [e["data"] for e in events(run) if e["type"] == fmt.IMAGE][0]
    assert image["key"] == "samples/grid" and image["step"] == 1 and image["caption"] == "zeros"
    assert image["path"].startswith("media/") and "/" not in image["path"][len("media/") :]
    assert (run.dir / image["path"]).read_bytes().startswith(b"\x89PNG")


def test_context_manager_marks_failed_with_traceback(storage_root: Path) -> None:
    with pytest.raises(ZeroDivisionError):
        with rn.init(storage=storage_root, capture_console=False, system_metrics=False) as run:
            run.log({"a": 1.0})
            1 / 0  # noqa: B018
    status = fmt.read_json(run.dir / fmt.STATUS_FILE)
    assert status["status"] == fmt.FAILED and "ZeroDivisionError" in status["error"]
    assert "1 / 0" in (run.dir / fmt.TRACEBACK_FILE).read_text()


def test_context_manager_marks_ctrl_c_as_interrupted(storage_root: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        with rn.init(storage=storage_root, capture_console=False, system_metrics=False) as run:
            raise KeyboardInterrupt
    assert fmt.read_json(run.dir / fmt.STATUS_FILE)["status"] == fmt.INTERRUPTED


def test_disabled_mode_writes_nothing(storage_root: Path, monkeypatch) -> None:
    monkeypatch.setenv("RUNICORN_MODE", "disabled")
    run = rn.init(storage=storage_root)
    rn.log({"a": 1.0})
    rn.summary({"b": 2})
    rn.finish()
    assert run.dir is None and list(storage_root.iterdir()) == []


def test_a_resumed_run_keeps_its_config_and_continues_its_steps(storage_root: Path) -> None:
    first = rn.init(storage=storage_root, config={"lr": 0.1}, capture_console=False, system_metrics=False)
    rn.log({"a": 1.0})
    rn.log({"a": 2.0})
    rn.finish()
    options = {"capture_console": False, "system_metrics": False}
    again = rn.init(storage=storage_root, run_id=first.id, config={"epochs": 3}, **options)
    rn.log({"a": 3.0})
    rn.finish()
    assert [m["global_step"] for m in metrics(again)] == [1, 2, 3]
    assert fmt.read_json(again.dir / fmt.CONFIG_FILE) == {"lr": 0.1, "epochs": 3} == again.config


def test_a_resumed_run_keeps_when_it_was_created_and_started_and_its_tags(storage_root: Path) -> None:
    options = {"capture_console": False, "system_metrics": False}
    first = rn.init(storage=storage_root, tags=["baseline"], notes="first try", **options)
    rn.finish()
    meta, status = fmt.read_json(first.dir / fmt.META_FILE), fmt.read_json(first.dir / fmt.STATUS_FILE)
    time.sleep(0.05)
    again = rn.init(storage=storage_root, run_id=first.id, **options)
    rn.finish()
    meta2, status2 = fmt.read_json(again.dir / fmt.META_FILE), fmt.read_json(again.dir / fmt.STATUS_FILE)
    assert (meta2["created_at"], meta2["tags"], meta2["notes"]) == (
        meta["created_at"],
        ["baseline"],
        "first try",
    )
    assert status2["started_at"] == status["started_at"] and status2["ended_at"] > status["ended_at"]


def test_the_disabled_run_accepts_every_call_a_run_accepts() -> None:
    for name in ("log", "log_text", "log_image", "summary", "flush", "finish"):
        ours, real = inspect.signature(getattr(DisabledRun, name)), inspect.signature(getattr(rn.Run, name))
        assert list(ours.parameters) == list(real.parameters), name
        assert [p.default for p in ours.parameters.values()] == [p.default for p in real.parameters.values()]


def test_workers_with_rank_above_zero_write_nothing(storage_root: Path, monkeypatch) -> None:
    monkeypatch.setenv("RANK", "3")
    rn.init(storage=storage_root)
    rn.log({"a": 1.0})
    rn.finish()
    assert list(storage_root.iterdir()) == []


def test_storage_root_precedence(tmp_path: Path, monkeypatch) -> None:
    from runicorn import settings

    monkeypatch.chdir(tmp_path)
    assert settings.resolve().storage == tmp_path / ".runicorn"
    settings.write_user_config({"user_root": str(tmp_path / "user")})
    assert settings.resolve().storage == tmp_path / "user"
    monkeypatch.setenv("RUNICORN_DIR", str(tmp_path / "env"))
    assert settings.resolve().storage == tmp_path / "env"
    assert settings.resolve(storage=tmp_path / "arg").storage == tmp_path / "arg"


def test_init_refuses_names_that_leave_the_root(storage_root: Path) -> None:
    with pytest.raises(ConfigError) as info:
        rn.init(project="../escape", storage=storage_root)
    assert info.value.hint
    assert list(storage_root.iterdir()) == []


def test_init_names_the_run_folder_it_cannot_create(storage_root: Path) -> None:
    (storage_root / "demo" / "exp1").mkdir(parents=True)
    (storage_root / "demo" / "exp1" / fmt.RUNS_DIR).write_text("a file where the runs folder goes")
    with pytest.raises(StorageError) as info:
        rn.init(project="demo", name="exp1", storage=storage_root)
    assert "cannot create the run folder" in info.value.message and "RUNICORN_DIR" in info.value.hint


def test_resuming_a_run_id_appends_to_it(storage_root: Path) -> None:
    first = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    first.log({"a": 1.0})
    first.finish()
    again = rn.init(storage=storage_root, run_id=first.id, capture_console=False, system_metrics=False)
    again.log({"a": 2.0}, step=2)
    again.finish()
    assert again.dir == first.dir and [m["a"] for m in metrics(again)] == [1.0, 2.0]


def test_logging_nothing_writes_nothing_and_a_non_dict_says_what_to_pass(storage_root: Path, caplog) -> None:
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    rn.log()
    rn.log({})
    with caplog.at_level(logging.WARNING, logger="runicorn"):
        rn.log([1.0, 2.0])  # type: ignore[arg-type]
    rn.log({"a": 1.0})
    rn.finish()
    # nothing logged moves no step, the refused list neither
    assert [m["global_step"] for m in metrics(run)] == [1]
    assert any("takes a dict of metric names to numbers, got list" in r.getMessage() for r in caplog.records)
