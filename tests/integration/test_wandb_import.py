"""``runicorn import`` of W&B run folders written here by the REAL wandb package (offline, in the
side venv ``.venv-wandb``), run as a user runs it (a real process), then read back from disk and
from the real viewer (docs/wandb.md#importing-wb-run-folders)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from wandb_side_venv import STEPS_OF_FULL_RUN, write_offline_runs

from runicorn import format as fmt

Image = pytest.importorskip("PIL.Image")
PIXELS = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3) * 3  # as the script logs them


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("RUNICORN_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "runicorn.cli", *args], capture_output=True, text=True, env=env, timeout=120
    )


@dataclass
class Imported:
    wandb_dir: Path
    storage: Path
    output: str

    def run(self, name: str) -> Path:
        (path,) = (self.storage / "vision" / name / fmt.RUNS_DIR).iterdir()
        return path

    def records(self, name: str, kind: str) -> list[dict[str, Any]]:
        lines = (self.run(name) / fmt.EVENTS_FILE).read_bytes().splitlines()
        records = [fmt.decode_event(line) for line in lines]
        return [r for r in records if r is not None and r["type"] == kind]

    def json(self, name: str, file: str) -> Any:
        return fmt.read_json(self.run(name) / file)


@pytest.fixture(scope="session")
def wandb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_offline_runs(tmp_path_factory.mktemp("wandb-runs"), ["full"], ["crash"])


@pytest.fixture(scope="module")
def imported(wandb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    storage = tmp_path_factory.mktemp("storage")
    result = _cli("import", "--storage", str(storage), str(wandb_dir))
    assert result.returncode == 0, result.stderr
    yield Imported(wandb_dir, storage, result.stdout)


def _snapshot(root: Path) -> dict[str, str | None]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None
        for p in sorted(root.rglob("*"))
    }


def test_each_offline_run_becomes_a_run_of_its_project_and_name(imported: Imported) -> None:
    lines = [line for line in imported.output.splitlines() if line.startswith("imported")]
    assert len(lines) == 2 and all(" offline-run-" in line for line in lines)
    meta = imported.json("resnet_lr_0.1", fmt.META_FILE)
    assert (meta["project"], meta["name"], meta["display_name"]) == (
        "vision",
        "resnet_lr_0.1",
        "resnet lr=0.1",
    )
    assert (meta["tags"], meta["notes"], meta["group"], meta["job_type"]) == (
        ["baseline", "gpu"],
        "first try",
        "sweep-a",
        "train",
    )
    assert meta["source"]["kind"] == fmt.WANDB_SOURCE
    assert meta["source"]["run_dir"].startswith("offline-run-")
    assert (imported.run("resnet_lr_0.1") / fmt.COLUMNS_FILE).is_file()  # framed, as the SDK leaves a run


def test_every_history_step_comes_back_with_nested_keys_flattened(imported: Imported) -> None:
    rows = [r["data"] for r in imported.records("resnet_lr_0.1", fmt.METRICS)]
    logged = [d for d in rows if "val/acc" in d]
    assert [d[fmt.STEP_KEY] for d in logged] == list(range(STEPS_OF_FULL_RUN))
    assert [d["loss"] for d in logged] == [1.0 / (i + 1) for i in range(STEPS_OF_FULL_RUN)]
    assert [d["val/acc"] for d in logged] == [i / STEPS_OF_FULL_RUN for i in range(STEPS_OF_FULL_RUN)]
    assert [d["val/deep/x"] for d in logged] == list(range(STEPS_OF_FULL_RUN))
    assert [d["ok"] for d in logged] == [1 if i % 3 == 0 else 0 for i in range(STEPS_OF_FULL_RUN)]
    times = [d[fmt.TIME_KEY] for d in rows]
    assert times == sorted(times) and all(t > 1.7e9 for t in times)
    assert {"loss": 0.001, fmt.STEP_KEY: STEPS_OF_FULL_RUN} == {
        k: v for k, v in rows[-1].items() if k != fmt.TIME_KEY
    }  # logged beside the image, at the next step
    # text, None and lists stay in the rows, as runicorn.wandb logs them (W&B's history keeps them)
    assert [d["phase"] for d in logged] == ["train" if i % 2 else "eval" for i in range(STEPS_OF_FULL_RUN)]
    assert [d["lrs"] for d in logged] == [[0.1 / (i + 1), 0.01] for i in range(STEPS_OF_FULL_RUN)]
    assert all("note" in d and d["note"] is None for d in logged)
    status = imported.json("resnet_lr_0.1", fmt.STATUS_FILE)
    assert status["status"] == fmt.FINISHED and "dropped" not in status


def test_config_and_summary_are_w_and_b_s_with_the_explicit_values(imported: Imported) -> None:
    config = imported.json("resnet_lr_0.1", fmt.CONFIG_FILE)
    assert config == {"lr": 0.1, "model": {"depth": 18, "act": "relu"}, "seeds": [1, 2], "batch": 64}
    summary = imported.json("resnet_lr_0.1", fmt.SUMMARY_FILE)
    assert summary["loss"] == 0.0005 and summary["best_acc"] == 0.93  # set after the last log: kept
    assert summary["val/acc"] == (STEPS_OF_FULL_RUN - 1) / STEPS_OF_FULL_RUN
    assert summary["phase"] == "train"  # text: kept in the summary, as W&B keeps it
    assert not {"_step", "_runtime", "_timestamp", "_wandb", "samples", "preds"} & set(summary)


def test_media_come_back_as_records_with_their_files(imported: Imported) -> None:
    run = imported.run("resnet_lr_0.1")
    images = [r["data"] for r in imported.records("resnet_lr_0.1", fmt.IMAGE)]
    assert [(i["key"], i["step"], i["caption"]) for i in images] == [
        ("samples", STEPS_OF_FULL_RUN, "grad"),
        ("pair", STEPS_OF_FULL_RUN + 3, None),
        ("pair", STEPS_OF_FULL_RUN + 3, None),
    ]
    for image, expected in zip(images, (PIXELS, PIXELS, PIXELS[::-1]), strict=True):
        assert np.array_equal(np.asarray(Image.open(run / image["path"]).convert("RGB")), expected)
    (table,) = [r["data"] for r in imported.records("resnet_lr_0.1", fmt.TABLE)]
    assert (table["key"], table["columns"], table["rows"]) == ("preds", ["id", "label"], 2)
    assert fmt.read_json(run / table["path"]) == {
        "columns": ["id", "label"],
        "data": [[1, "cat"], [2, "dog"]],
    }
    (histogram,) = [r["data"] for r in imported.records("resnet_lr_0.1", fmt.HISTOGRAM)]
    assert (histogram["edges"], histogram["counts"]) == ([0.0, 1.0, 2.0, 3.0], [1.0, 2.0, 3.0])


def test_console_and_saved_files_are_kept(imported: Imported) -> None:
    run = imported.run("resnet_lr_0.1")
    logs = (run / fmt.LOGS_FILE).read_text().splitlines()
    assert [line.split("] ", 1)[1] for line in logs] == ["hello from the console", "progress 100%"]
    assert (run / fmt.FILES_DIR / "notes.txt").read_text() == "saved by wandb.save\n"
    assert (run / fmt.FILES_DIR / "output.log").is_file()
    assert not list((run / fmt.FILES_DIR).rglob("*.png"))  # media are records, not kept twice


def test_a_crashed_run_is_failed_with_its_exit_code_metric_definitions_and_traceback(
    imported: Imported,
) -> None:
    status = imported.json("crashing", fmt.STATUS_FILE)
    assert (status["status"], status["exit_code"]) == (fmt.FAILED, 1)
    rows = [r["data"] for r in imported.records("crashing", fmt.METRICS)]
    assert [(d[fmt.STEP_KEY], d["loss"]) for d in rows] == [(i, float(i)) for i in range(10)]
    meta = imported.json("crashing", fmt.META_FILE)  # define_metric, as runicorn.wandb records it
    assert meta[fmt.METRIC_DEFINITIONS_KEY] == {
        "epoch": {},
        "loss": {"step_metric": "epoch", "step_sync": True, "summary": ["min"]},
    }
    assert imported.json("crashing", fmt.SUMMARY_FILE) == {"loss": {"min": 0.0}, "epoch": 9}
    assert "RuntimeError: diverged" in (imported.run("crashing") / fmt.LOGS_FILE).read_text()


def test_importing_twice_changes_nothing(imported: Imported) -> None:
    before = _snapshot(imported.storage)
    again = _cli("import", "--storage", str(imported.storage), str(imported.wandb_dir))
    assert again.returncode == 0, again.stderr
    assert [line.split()[0] for line in again.stdout.splitlines()] == ["skipped", "skipped"]
    one = next(imported.wandb_dir.glob("offline-run-*"))  # one run folder, given alone: the same run
    alone = _cli("import", "--storage", str(imported.storage), str(one))
    assert alone.stdout.startswith("skipped  offline-run-"), alone.stdout + alone.stderr
    assert _snapshot(imported.storage) == before


def test_the_viewer_serves_the_imported_run(imported: Imported, live_viewer: Any) -> None:
    with httpx.Client(base_url=live_viewer(imported.storage), timeout=30) as http:
        runs = http.get("/api/runs").json()["runs"]
        assert sorted((r["project"], r["name"], r["status"]) for r in runs) == [
            ("vision", "crashing", "failed"),
            ("vision", "resnet_lr_0.1", "finished"),
        ]
        key = next(r["key"] for r in runs if r["name"] == "resnet_lr_0.1")
        detail = http.get(f"/api/runs/{key}").json()
        assert {"loss", "ok", "val/acc", "val/deep/x"} <= set(detail["metric_keys"])
        series = http.get(
            f"/api/runs/{key}/metrics", params={"keys": "val/deep/x", "max_points": 1000}
        ).json()
        assert series["series"]["val/deep/x"]["x"] == list(range(STEPS_OF_FULL_RUN))
        assert series["series"]["val/deep/x"]["y"] == list(range(STEPS_OF_FULL_RUN))


def test_a_log_cut_by_a_killed_writer_imports_what_is_complete(wandb_dir: Path, tmp_path: Path) -> None:
    source = next(p for p in wandb_dir.glob("offline-run-*") if list(p.glob("files/media")))
    cut = tmp_path / "cluster" / source.name
    shutil.copytree(source, cut, symlinks=True)
    (log,) = cut.glob("*.wandb")
    data = log.read_bytes()
    log.write_bytes(data[: len(data) // 2 + 5])  # the process died mid-record

    result = _cli("import", "--storage", str(tmp_path / "storage"), str(cut.parent))
    assert result.returncode == 0, result.stderr
    assert f"note: {log.name}: the last " in result.stdout and "were imported" in result.stdout
    (run,) = (tmp_path / "storage" / "vision" / "resnet_lr_0.1" / fmt.RUNS_DIR).iterdir()
    records = [fmt.decode_event(line) for line in (run / fmt.EVENTS_FILE).read_bytes().splitlines()]
    steps = [r["data"][fmt.STEP_KEY] for r in records if r and r["type"] == fmt.METRICS]
    assert 0 < len(steps) < STEPS_OF_FULL_RUN and steps == list(range(len(steps)))
    status = fmt.read_json(run / fmt.STATUS_FILE)
    assert status["status"] == fmt.FAILED and "no exit record" in status["error"]
