"""Hatch build hook: builds the web UI (``web/``) into ``runicorn/web_dist`` before packaging.

Runs ``npm ci && npm run build`` in ``web/`` when ``runicorn/web_dist/index.html`` is missing or
older than any web source file, for wheels, sdists and editable installs alike. Users installing
a released wheel never need Node; building from a source checkout does.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

WEB_DIR = "web"
WEB_DIST = "runicorn/web_dist"
# What the build reads; node_modules is npm's, not ours.
WEB_SOURCES = ("src", "index.html", "package.json", "package-lock.json", "vite.config.ts", "tsconfig.json")


def newest_source_mtime(web: Path) -> float:
    newest = 0.0
    for name in WEB_SOURCES:
        path = web / name
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        elif path.is_dir():
            for child in path.rglob("*"):
                if child.is_file():
                    newest = max(newest, child.stat().st_mtime)
    return newest


def ui_is_stale(root: Path) -> bool:
    index = root / WEB_DIST / "index.html"
    web = root / WEB_DIR
    if not index.is_file():
        return True
    if not web.is_dir():  # an sdist without the sources: ship the build it carries
        return False
    return newest_source_mtime(web) > index.stat().st_mtime


class WebUIBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        if ui_is_stale(root):
            self._build(root / WEB_DIR)
        index = root / WEB_DIST / "index.html"
        if not index.is_file():
            raise RuntimeError(f"the web UI build did not produce {index}")
        build_data.setdefault("artifacts", []).append(f"/{WEB_DIST}/**")

    def _build(self, web: Path) -> None:
        if not (web / "package.json").is_file():
            raise RuntimeError(
                f"runicorn/web_dist is missing and there is no web UI source at {web}; "
                "install a released package, or build from a full source checkout"
            )
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(
                "building Runicorn from source needs Node.js and npm to build the web UI "
                f"(runicorn/web_dist is missing or older than {web}). Install Node.js 20+ with npm "
                "(for example `apt-get install nodejs npm`), or install a released wheel, which ships the UI."
            )
        for args in ([npm, "ci", "--no-audit", "--no-fund"], [npm, "run", "build"]):
            self.app.display_info(f"web UI: {' '.join(args[1:])} in {web}")
            done = subprocess.run(args, cwd=web, check=False)
            if done.returncode != 0:
                raise RuntimeError(
                    f"`npm {' '.join(args[1:])}` failed in {web} (exit {done.returncode}); "
                    "see its output above"
                )
