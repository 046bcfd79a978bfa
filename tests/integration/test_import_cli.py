"""``runicorn export`` and ``runicorn import`` as a user runs them: a real process, a run written by
the SDK, the exit code and the lines printed (docs/archives.md, docs/cli.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from runicorn import format as fmt


def _cli(*args: str, config: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, RUNICORN_CONFIG_FILE=str(config))
    env.pop("RUNICORN_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "runicorn.cli", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_an_sdk_run_exported_and_imported_by_the_cli_arrives_byte_for_byte(
    make_run: Any, storage_root: Path, tmp_path: Path
) -> None:
    run = make_run(project="demo", name="exp1", steps=20)
    archive, target, config = tmp_path / "demo.zip", tmp_path / "elsewhere", tmp_path / "config.json"

    exported = _cli(
        "export", "--storage", str(storage_root), "--project", "demo", str(archive), config=config
    )
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith("exported 1 runs (") and str(archive) in exported.stdout

    imported = _cli("import", "--storage", str(target), str(archive), config=config)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith(f"imported {run.id} into demo/exp1 (")
    landed = fmt.run_dir(target, "demo", "exp1", run.id)
    for name in (fmt.META_FILE, fmt.STATUS_FILE, fmt.EVENTS_FILE):
        assert (landed / name).read_bytes() == (run.dir / name).read_bytes()

    again = _cli("import", "--storage", str(target), str(archive), config=config)
    assert again.returncode == 0 and again.stdout.startswith(f"skipped  {run.id}")


def test_a_file_that_is_no_archive_is_refused_with_error_and_hint(tmp_path: Path) -> None:
    junk = tmp_path / "notes.zip"
    junk.write_text("not an archive\n")
    refused = _cli("import", "--storage", str(tmp_path / "root"), str(junk), config=tmp_path / "c.json")
    assert refused.returncode == 1
    lines = refused.stderr.splitlines()
    assert lines[0].startswith("error: ") and str(junk) in lines[0]
    assert lines[1].startswith("hint: ") and "Traceback" not in refused.stderr
    assert not (tmp_path / "root").exists()


SAVE_CHECKPOINT = """
import torch
import runicorn.wandb as wandb

wandb.init(project="ckpt", name="resnet")
wandb.log({"loss": 0.5})
torch.save({"w": torch.arange(1000, dtype=torch.float32)}, "model.pt")
wandb.save("model.pt")
wandb.finish()
"""


def test_a_run_holding_a_saved_torch_checkpoint_exports_and_imports(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(SAVE_CHECKPOINT)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB_", "RUNICORN_"))}
    env.update(RUNICORN_DIR=str(tmp_path / "root"), PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    trained = subprocess.run(
        [sys.executable, "train.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert trained.returncode == 0, trained.stderr
    (saved,) = (tmp_path / "root").rglob("model.pt")
    assert saved.read_bytes()[:4] == b"PK\x03\x04"  # a torch checkpoint is a zip
    config = tmp_path / "config.json"

    exported = _cli("export", "--storage", str(tmp_path / "root"), str(tmp_path / "out.zip"), config=config)
    assert exported.returncode == 0, exported.stderr
    imported = _cli("import", "--storage", str(tmp_path / "there"), str(tmp_path / "out.zip"), config=config)
    assert imported.returncode == 0, imported.stderr
    (landed,) = (tmp_path / "there").rglob("model.pt")
    assert landed.read_bytes() == (tmp_path / "model.pt").read_bytes()
