"""`runicorn viewer --storage s3://...` without the optional s3 extra ends with the error line
and its hint only: no "Fatal Python error" from a process ending while a thread still reads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def without_s3_extra(tmp_path: Path) -> Path:
    """A folder that, first on PYTHONPATH, makes ``s3fs`` and ``fsspec`` unimportable."""
    hidden = tmp_path / "hidden"
    (hidden / "fsspec").mkdir(parents=True)
    (hidden / "s3fs.py").write_text("raise ImportError('No module named s3fs')\n")
    (hidden / "fsspec" / "__init__.py").write_text("raise ImportError('No module named fsspec')\n")
    return hidden


@pytest.mark.parametrize("attempt", range(3))  # the crash came from a race: try it more than once
def test_a_bucket_viewer_without_s3fs_ends_with_the_error_and_hint_only(
    tmp_path: Path, without_s3_extra: Path, attempt: int
) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": f"{without_s3_extra}{os.pathsep}{REPO}",
        "RUNICORN_CONFIG_FILE": str(tmp_path / "config.json"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "runicorn.cli", "viewer", "--storage", "s3://bucket/prefix", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=50,
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr
    assert "error: reading or writing s3:// needs the s3fs package" in done.stderr
    assert "hint: pip install 'runicorn[s3]'" in done.stderr
    assert "Fatal Python error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
