"""Runs a script the way a user runs one under ``RUNICORN_WANDB=1``: a fresh Python whose start-up
processes the wheel's ``runicorn_wandb.pth`` line, so that the script's own ``import wandb`` (and a
library's) gets ``runicorn.wandb`` with nothing in the script about Runicorn. Also reads back what
the run wrote."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from runicorn import format as fmt

REPO = Path(__file__).resolve().parents[2]

# What site.py does with a site-packages folder at start-up, for a folder holding only our .pth
# (the wheel puts it in site-packages; an editable install may not), then the script as __main__.
START_UP = (
    "import runpy, site, sys; site.addsitedir(sys.argv[1]); sys.argv = sys.argv[2:]; "
    "runpy.run_path(sys.argv[0], run_name='__main__')"
)


def run_with_shim(
    tmp_path: Path, source: str, *args: str, env: dict[str, str] | None = None, timeout_s: float = 140
) -> subprocess.CompletedProcess[str]:
    """Run ``source`` as a script with ``RUNICORN_WANDB=1`` (``env`` may say otherwise), storage
    root ``tmp_path/root``; fails the test with the script's stderr if it fails."""
    site_dir = tmp_path / "site"
    site_dir.mkdir(exist_ok=True)
    shutil.copy(REPO / "runicorn_wandb.pth", site_dir)
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(source))
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB_", "RUNICORN_"))}
    full_env.update(
        RUNICORN_WANDB="1",
        RUNICORN_DIR=str(tmp_path / "root"),
        PYTHONPATH=str(REPO),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        KERAS_BACKEND="torch",
    )
    full_env.update(env or {})
    done = subprocess.run(
        [sys.executable, "-c", START_UP, str(site_dir), str(script), *args],
        cwd=tmp_path,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return done


def only_run(root: Path) -> Path:
    (run_dir,) = [p for p in root.glob("*/*/runs/*") if fmt.is_run_dir(p)]
    return run_dir


def metric_rows(run_dir: Path) -> list[dict[str, Any]]:
    rows = []
    for line in (run_dir / fmt.EVENTS_FILE).read_bytes().splitlines():
        record = fmt.decode_event(line)
        if record and record["type"] == fmt.METRICS:
            rows.append(record["data"])
    return rows


def read_json(run_dir: Path, name: str) -> Any:
    return json.loads((run_dir / name).read_text())
