"""Runs the web UI's own tests (vitest over web/src/lib, then the TypeScript type check) so that
`make test` covers them. Skipped only where Node.js/npm is not installed."""

from __future__ import annotations

import os
import re
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


SRC = WEB / "src"
API_LAYER = (SRC / "api.ts", SRC / "api")
MAX_MODULE_LINES = 500
URL_LITERAL = re.compile(r"""["'`]/api[/"'`?]""")
API_MODULE_IMPORT = re.compile(r"""from\s+["'](?:\.\.?/)+api/""")


def web_modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.ts*") if p.suffix in (".ts", ".tsx"))


def in_api_layer(path: Path) -> bool:
    return path == API_LAYER[0] or API_LAYER[1] in path.parents


def test_only_the_api_layer_knows_the_viewers_urls() -> None:
    """A URL string (`"/api/runs"`) appears only in api.ts and web/src/api/, and pages import the
    api modules through api.ts alone (comments may name endpoints)."""
    spelled = [
        str(p.relative_to(WEB))
        for p in web_modules()
        if not in_api_layer(p) and URL_LITERAL.search(p.read_text())
    ]
    assert spelled == [], f"URLs outside the api layer: {spelled}"
    reaching = [
        str(p.relative_to(WEB))
        for p in web_modules()
        if not in_api_layer(p) and API_MODULE_IMPORT.search(p.read_text())
    ]
    assert reaching == [], f"import from api.ts, not api/*: {reaching}"


def test_no_web_module_is_over_the_house_limit() -> None:
    long = {
        str(p.relative_to(WEB)): n
        for p in web_modules()
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}, f"split these by what they define (at most {MAX_MODULE_LINES} lines): {long}"
