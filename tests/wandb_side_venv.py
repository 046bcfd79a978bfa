"""The real ``wandb`` package, in its own virtual environment ``.venv-wandb`` (made by
scripts/test_setup.sh; never installed into the test venv, where ``import wandb`` is Runicorn's
shim). :func:`write_offline_runs` runs tests/data/wandb_offline_runs.py there, offline, so tests
read runs W&B itself wrote."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SIDE_PYTHON = REPO / ".venv-wandb" / "bin" / "python"
SCRIPT = REPO / "tests" / "data" / "wandb_offline_runs.py"
STEPS_OF_FULL_RUN = 300  # the script's STEPS


def wandb_env(folder: Path) -> dict[str, str]:
    """Offline, silent, every W&B folder (settings, cache, artifact staging) inside ``folder``,
    and nothing of Runicorn on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB_", "RUNICORN_"))}
    env.pop("PYTHONPATH", None)
    env.update(
        WANDB_MODE="offline",
        WANDB_SILENT="true",
        WANDB_DIR=str(folder),
        WANDB_CONFIG_DIR=str(folder / ".config"),
        WANDB_CACHE_DIR=str(folder / ".cache"),
        WANDB_DATA_DIR=str(folder / ".data"),
        WANDB_ARTIFACT_DIR=str(folder / ".artifacts"),
        WANDB_DISABLE_GIT="true",
        HOME=str(folder),
    )
    return env


def require_side_wandb() -> Path:
    """The side venv's python, or skip the test saying how to make it."""
    if not SIDE_PYTHON.exists():
        pytest.skip("no .venv-wandb with the real wandb package: scripts/test_setup.sh makes it")
    return SIDE_PYTHON


def write_offline_runs(folder: Path, *kinds: list[str]) -> Path:
    """Run the script once per ``kinds`` entry (its arguments) in ``folder``; the ``wandb/``
    folder holding the runs. A run that ends in an uncaught exception (``crash``) is expected."""
    python = require_side_wandb()
    folder.mkdir(parents=True, exist_ok=True)
    for args in kinds:
        result = subprocess.run(
            [str(python), str(SCRIPT), *args],
            cwd=folder,
            env=wandb_env(folder),
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0 and args[0] != "crash":
            raise AssertionError(f"wandb_offline_runs.py {' '.join(args)} failed:\n{result.stderr}")
    return folder / "wandb"
