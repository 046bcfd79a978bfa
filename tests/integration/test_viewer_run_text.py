"""A run's uncommitted git diff and failure traceback, as the run page shows them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

import runicorn as rn
from runicorn import format as fmt


def test_dirty_tree_diff_and_traceback_are_served_as_text(
    tmp_path: Path, storage_root: Path, live_viewer, monkeypatch
) -> None:
    repo = tmp_path / "code"
    repo.mkdir()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (repo / "train.py").write_text("lr = 0.1\n")
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "first"], cwd=repo, check=True)
    (repo / "train.py").write_text("lr = 0.3\n")  # uncommitted change
    monkeypatch.chdir(repo)
    with pytest.raises(ValueError):
        with rn.init(storage=storage_root, capture_console=False, system_metrics=False) as run:
            raise ValueError("bad batch")
    meta = fmt.read_json(run.dir / fmt.META_FILE)
    assert meta["git"]["dirty"] is True and len(meta["git"]["commit"]) == 40

    base = live_viewer(storage_root)
    detail = httpx.get(f"{base}/api/runs/{run.id}", timeout=30).json()
    assert detail["has_git_diff"] is True and detail["has_traceback"] is True
    diff = httpx.get(f"{base}/api/runs/{run.id}/git-diff", timeout=30)
    assert diff.status_code == 200 and "+lr = 0.3" in diff.text and "-lr = 0.1" in diff.text
    tb = httpx.get(f"{base}/api/runs/{run.id}/traceback", timeout=30)
    assert tb.status_code == 200 and "ValueError: bad batch" in tb.text


def test_a_clean_run_has_no_diff(storage_root: Path, live_viewer, make_run) -> None:
    run = make_run(steps=3)
    (run.dir / fmt.GIT_DIFF_FILE).unlink(missing_ok=True)
    base = live_viewer(storage_root)
    answer = httpx.get(f"{base}/api/runs/{run.id}/git-diff", timeout=30)
    assert answer.status_code == 404 and answer.json()["status"] == 404
