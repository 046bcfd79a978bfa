"""One way of cleaning names into folder names (``format.folder_name``, docs/format.md#names),
whichever door a run comes in by: ``runicorn run`` (the script's and the folder's names),
``wandb.init`` (project and name) and ``runicorn import`` of TensorBoard logs (the log and run
directories' names). Each is driven here as a user drives it, in a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from runicorn.store import StoreReader

HOSTILE_PROJECT = "My Project!"
HOSTILE_NAME = "lr=0.1 run!"


def cli(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "runicorn.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done


def places(root: Path) -> set[tuple[str, str]]:
    reader = StoreReader(root)
    try:
        return {(r.project, r.name) for r in reader.index.query(limit=None).runs}
    finally:
        reader.close()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("RUNICORN_", "WANDB_"))}
    return {**clean, "RUNICORN_CONFIG_FILE": str(tmp_path / "no-config.json"), "WANDB_SILENT": "true"}


def test_runicorn_run_wandb_init_and_tensorboard_import_clean_a_name_the_same_way(
    tmp_path: Path, env: dict[str, str]
) -> None:
    root = tmp_path / "store"
    folder = tmp_path / HOSTILE_PROJECT
    folder.mkdir()
    script = folder / f"{HOSTILE_NAME}.py"
    script.write_text("print('hi')\n")
    cli(["run", "--storage", str(root), "--", sys.executable, script.name], folder, env)
    assert places(root) == {("My_Project", "lr_0.1_run")}

    wandb_script = (
        "import runicorn.wandb as wandb\n"
        f"run = wandb.init(project={HOSTILE_PROJECT!r}, name={HOSTILE_NAME!r}, dir={str(root)!r})\n"
        "run.log({'loss': 1.0}); run.finish()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", wandb_script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert places(root) == {("My_Project", "lr_0.1_run")}  # the same folder: two runs in it

    tensorboard_x = pytest.importorskip("tensorboardX")
    logdir = tmp_path / "logs" / HOSTILE_PROJECT
    writer = tensorboard_x.SummaryWriter(str(logdir / HOSTILE_NAME))
    writer.add_scalar("loss", 1.0, 0)
    writer.close()
    cli(["import", str(logdir), "--storage", str(root)], tmp_path, env)
    reader = StoreReader(root)
    try:
        runs = reader.index.query(limit=None).runs
    finally:
        reader.close()
    assert sorted((r.project, r.name) for r in runs) == [("My_Project", "lr_0.1_run")] * 3


def test_a_name_the_storage_layout_uses_for_itself_gets_an_underscore(
    tmp_path: Path, env: dict[str, str]
) -> None:
    root = tmp_path / "store"
    folder = tmp_path / "runs"
    folder.mkdir()
    (folder / "media.py").write_text("print('hi')\n")
    cli(["run", "--storage", str(root), "--", sys.executable, "media.py"], folder, env)
    assert places(root) == {("runs_", "media_")}


def test_an_experiment_named_media_is_listed_like_any_other(tmp_path: Path, env: dict[str, str]) -> None:
    """A name a run folder uses inside itself (``media``) names an experiment as well."""
    root = tmp_path / "store"
    script = (
        "import runicorn as rn; rn.init(project='demo', name='media'); rn.log({'loss': 1.0}); rn.finish()"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env={**env, "RUNICORN_DIR": str(root)}
    )
    assert done.returncode == 0
    assert places(root) == {("demo", "media")}
    listed = cli(["ls", "--storage", str(root)], tmp_path, env)
    assert "demo" in listed.stdout and "media" in listed.stdout
