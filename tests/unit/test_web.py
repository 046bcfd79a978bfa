"""Runs the web UI's own tests (vitest over web/src/lib, then the TypeScript type check) so that
`make test` covers them. Skipped only where Node.js/npm is not installed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"


@pytest.mark.timeout(120)
def test_web_logic_tests_pass() -> None:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed (Node.js 20+ runs the web UI's tests)")
    if not (WEB / "node_modules").is_dir():
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, capture_output=True, text=True)
        assert done.returncode == 0, f"npm ci failed:\n{done.stdout}\n{done.stderr}"
    env = {**os.environ, "NO_COLOR": "1", "CI": "1"}
    done = subprocess.run([npm, "test"], cwd=WEB, capture_output=True, text=True, env=env)
    assert done.returncode == 0, f"npm test failed:\n{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
    assert "passed" in done.stdout
