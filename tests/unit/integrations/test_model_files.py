"""The model files an adapter records (runicorn/integrations/model_files.py): stored once while
unchanged, however often an adapter sees them (log_model="all" sees each kept checkpoint at every
save), stored again once they change."""

from __future__ import annotations

import os
from pathlib import Path

import runicorn
from runicorn.integrations.model_files import MODEL_FILES_KEY, ModelFiles


def test_an_unchanged_checkpoint_is_stored_once_and_a_changed_one_again(
    storage_root: Path, tmp_path: Path
) -> None:
    run = runicorn.init(project="p", storage=storage_root, capture_console=False, system_metrics=False)
    stored: list[str] = []
    log_artifact = run.log_artifact

    def counting(path: str, **kwargs: object) -> object:  # the real call, counted
        stored.append(path)
        return log_artifact(path, **kwargs)

    run.log_artifact = counting  # type: ignore[method-assign]
    ckpt = tmp_path / "epoch=1.ckpt"
    folder = tmp_path / "checkpoint-10"
    folder.mkdir()
    ckpt.write_bytes(b"weights 1")
    (folder / "model.safetensors").write_bytes(b"w")
    files = ModelFiles()
    for _ in range(3):  # three saves that leave these two as they were
        files.record(run, ckpt, step=1)
        files.record(run, folder, step=10)
    assert len(stored) == 2

    ckpt.write_bytes(b"weights 2, longer")
    os.utime(folder / "model.safetensors", ns=(1, 1))
    files.record(run, ckpt, step=1)
    files.record(run, folder, step=10)
    files.record(run, ckpt, step=1, best=True)  # the same file, now the best: listed anew
    assert len(stored) == 5
    run.finish()
    listed = runicorn.format.read_json(run.dir / runicorn.format.SUMMARY_FILE)[MODEL_FILES_KEY]
    # the new bytes are a new version; the folder, touched but the same bytes, its old one
    assert [e["artifact"] for e in listed] == [f"model-{run.id}:v2", f"model-{run.id}:v1"]
    assert listed[0]["best"] is True
