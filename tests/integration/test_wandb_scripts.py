"""W&B scripts run unchanged (but for their import line) in a real process, into Runicorn runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from runicorn import format as fmt

REPO = Path(__file__).resolve().parents[2]

TRAIN_SCRIPT = """
import argparse
import math
import sys

import runicorn.wandb as wandb

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=0.1)
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--fail", action="store_true")
parser.add_argument("--exit-code", type=int, default=None)
args = parser.parse_args()

wandb.init(project="mnist", name="baseline", config=args, tags=["cpu"])
wandb.define_metric("epoch")
wandb.define_metric("val/*", step_metric="epoch", summary="max")
step = 0
for epoch in range(wandb.config.epochs):
    for batch in range(4):
        wandb.log({"train/loss": 1.0 / (step + 1), "lr": wandb.config.lr})
        step += 1
    wandb.log({"val": {"acc": 0.5 + epoch / 10}, "epoch": epoch})
    if args.fail and epoch == 1:
        raise ValueError("diverged")
wandb.summary["test_acc"] = 0.91
print("done", flush=True)
if args.exit_code is not None:
    sys.exit(args.exit_code)
wandb.finish()
"""


def run_script(
    tmp_path: Path, source: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(source))
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB_", "RUNICORN_"))}
    full_env.update({"RUNICORN_DIR": str(tmp_path / "root"), "PYTHONPATH": str(REPO), **(env or {})})
    return subprocess.run(
        [sys.executable, str(script), *args],
        cwd=tmp_path,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=50,
    )


def only_run(root: Path) -> Path:
    (found,) = [p for p in root.glob("*/*/runs/*") if fmt.is_run_dir(p)]
    return found


def metric_rows(run_dir: Path) -> list[dict]:
    out = []
    for line in (run_dir / fmt.EVENTS_FILE).read_bytes().splitlines():
        record = fmt.decode_event(line)
        if record and record["type"] == fmt.METRICS:
            data = dict(record["data"])
            data.pop(fmt.TIME_KEY)
            out.append(data)
    return out


def test_a_wandb_training_script_runs_into_a_runicorn_run(tmp_path: Path) -> None:
    done = run_script(tmp_path, TRAIN_SCRIPT, "--lr", "0.05")
    assert done.returncode == 0, done.stderr
    run_dir = only_run(tmp_path / "root")
    assert run_dir.parent.parent == tmp_path / "root" / "mnist" / "baseline"
    assert json.loads((run_dir / fmt.CONFIG_FILE).read_text()) == {
        "lr": 0.05,
        "epochs": 3,
        "fail": False,
        "exit_code": None,
    }
    rows = metric_rows(run_dir)
    assert len(rows) == 15 and [r[fmt.STEP_KEY] for r in rows] == list(range(15))
    assert rows[4] == {"val/acc": 0.5, "epoch": 0, fmt.STEP_KEY: 4}
    assert rows[5] == {"train/loss": 1.0 / 5, "lr": 0.05, fmt.STEP_KEY: 5}
    summary = json.loads((run_dir / fmt.SUMMARY_FILE).read_text())
    assert summary["val/acc"] == {"max": 0.7} and summary["test_acc"] == 0.91 and summary["epoch"] == 2
    assert json.loads((run_dir / fmt.STATUS_FILE).read_text())["status"] == "finished"
    meta = json.loads((run_dir / fmt.META_FILE).read_text())
    assert meta["tags"] == ["cpu"] and meta["metrics"]["val/*"]["step_metric"] == "epoch"


def test_an_uncaught_exception_fails_the_run_after_writing_its_rows(tmp_path: Path) -> None:
    done = run_script(tmp_path, TRAIN_SCRIPT, "--fail")
    assert done.returncode == 1 and "diverged" in done.stderr
    run_dir = only_run(tmp_path / "root")
    status = json.loads((run_dir / fmt.STATUS_FILE).read_text())
    assert status["status"] == "failed" and status["exit_code"] == 1
    assert metric_rows(run_dir)[-1] == {"val/acc": 0.6, "epoch": 1, fmt.STEP_KEY: 9}


def test_sys_exit_without_finish_records_the_exit_code(tmp_path: Path) -> None:
    done = run_script(tmp_path, TRAIN_SCRIPT, "--exit-code", "4")
    assert done.returncode == 4
    run_dir = only_run(tmp_path / "root")
    status = json.loads((run_dir / fmt.STATUS_FILE).read_text())
    assert (status["status"], status["exit_code"]) == ("failed", 4)
    assert json.loads((run_dir / fmt.SUMMARY_FILE).read_text())["test_acc"] == 0.91


def test_the_pth_line_installs_runicorn_wandb_only_when_asked(tmp_path: Path) -> None:
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    shutil.copy(REPO / "runicorn_wandb.pth", site_dir)
    probe = (
        "import site, sys; site.addsitedir(sys.argv[1]); "
        "import importlib.util; print(importlib.util.find_spec('wandb') and __import__('wandb').__name__)"
    )
    env = {k: v for k, v in os.environ.items() if k != "RUNICORN_WANDB"}
    env["PYTHONPATH"] = str(REPO)
    off = subprocess.run(
        [sys.executable, "-c", probe, str(site_dir)], env=env, capture_output=True, text=True
    )
    on = subprocess.run(
        [sys.executable, "-c", probe, str(site_dir)],
        env={**env, "RUNICORN_WANDB": "1"},
        capture_output=True,
        text=True,
    )
    assert off.stdout.strip() in ("None", "wandb") and "runicorn" not in off.stdout, off.stderr
    assert on.stdout.strip() == "runicorn.wandb", on.stderr
