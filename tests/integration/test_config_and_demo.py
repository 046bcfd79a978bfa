"""``runicorn config`` and the demo script of ``make demo``, run as a user runs them: real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from runicorn import format as fmt
from runicorn.store import StoreReader

REPO = Path(__file__).parents[2]


def run_cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runicorn.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_remembered_storage_root_is_where_runs_go_and_what_the_viewer_shows(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "RUNICORN_DIR"}
    env["RUNICORN_CONFIG_FILE"] = str(tmp_path / "cfg" / "config.json")
    root = tmp_path / "my runs"

    set_root = run_cli(["config", "--set-user-root", str(root)], env, tmp_path)
    assert set_root.returncode == 0, set_root.stderr
    assert f"user storage root set to {root}" in set_root.stdout
    shown = run_cli(["config", "--show"], env, tmp_path)
    assert shown.returncode == 0 and f"storage           : {root}  (env RUNICORN_DIR" in shown.stdout

    # a training script that names no storage writes under the remembered root
    script = "import runicorn as rn; rn.init(project='p', name='n'); rn.log({'loss': 1.0}); rn.finish()"
    trained = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, timeout=60
    )
    assert trained.returncode == 0, trained.stderr
    assert run_projects(root) == ["p"]

    # RUNICORN_DIR still wins over the remembered root, and --show says so
    env["RUNICORN_DIR"] = str(tmp_path / "other")
    assert f"storage           : {tmp_path / 'other'}" in run_cli(["config", "--show"], env, tmp_path).stdout


def run_projects(root: Path) -> list[str]:
    reader = StoreReader(root)
    try:
        return [r.project for r in reader.index.query(limit=None).runs]
    finally:
        reader.close()


def test_the_demo_script_writes_a_finished_run_the_viewer_reads(tmp_path: Path) -> None:
    env = {**os.environ, "RUNICORN_CONFIG_FILE": str(tmp_path / "no-config.json")}
    demo = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "demo_train.py"),
            "--storage",
            str(tmp_path / "store"),
            "--epochs",
            "2",
            "--steps-per-epoch",
            "50",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert demo.returncode == 0, demo.stderr
    assert "demo run written to" in demo.stdout and fmt.EVENTS_FILE in demo.stdout
    reader = StoreReader(tmp_path / "store")
    try:
        (run,) = reader.index.query(limit=None).runs
        detail = reader.run_detail(run.key)
        assert (detail["project"], detail["name"], detail["status"]) == ("demo", "cifar10-resnet", "finished")
        metrics = reader.metrics(run.key, ["train/loss", "val/loss"], max_points=10_000)
        assert metrics["series"]["train/loss"]["count"] == 100 and metrics["series"]["val/loss"]["count"] == 2
        assert {s["stage"] for s in metrics["stages"]} == {"train", "val"}
        assert "epoch 2: val/loss=" in "".join(reader.logs(run.key)["lines"])
    finally:
        reader.close()
