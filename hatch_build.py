"""Hatch build hook: builds the web UI (``web/``) into ``runicorn/web_dist`` before packaging.

Runs ``npm ci && npm run build`` in ``web/`` when ``runicorn/web_dist/index.html`` is missing or
older than any web source file, for wheels, sdists and editable installs alike. Users installing
a released wheel never need Node; building from a source checkout does. pip hides a build hook's
output, so ``make install`` runs this file as a script first (``python hatch_build.py``): it
builds the UI in the open, each step named and timed with npm's own progress, and pip's build
then finds it up to date.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:
    from hatchling.builders.hooks.plugin.interface import BuildHookInterface
except ImportError:  # run as a script (`make install`), before hatchling is installed
    BuildHookInterface = object

WEB_DIR = "web"
WEB_DIST = "runicorn/web_dist"
# What the build reads; node_modules is npm's, not ours.
# What building the UI runs, with what each step is for the one watching.
BUILD_STEPS = (
    (("ci", "--no-audit", "--no-fund"), "installing its packages, a minute or two on a cold clone"),
    (("run", "build"), "building it with vite"),
)
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


def build_web_ui(web: Path, say: Callable[[str], None]) -> None:
    """``npm ci`` then ``npm run build`` in ``web``, saying what each step does and how long it
    took, with npm's and vite's own output (their progress) passed through; RuntimeError when it
    cannot be built."""
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
    for number, (args, what) in enumerate(BUILD_STEPS, 1):
        say(f"web UI {number}/{len(BUILD_STEPS)}: {what} (npm {' '.join(args)} in {web})")
        started = time.monotonic()
        done = subprocess.run([npm, *args], cwd=web, check=False)
        if done.returncode != 0:
            raise RuntimeError(
                f"`npm {' '.join(args)}` failed in {web} (exit {done.returncode}); see its output above"
            )
        say(f"web UI {number}/{len(BUILD_STEPS)}: done in {time.monotonic() - started:.0f} s")


class WebUIBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        if ui_is_stale(root):
            build_web_ui(root / WEB_DIR, self.app.display_info)
        index = root / WEB_DIST / "index.html"
        if not index.is_file():
            raise RuntimeError(f"the web UI build did not produce {index}")
        build_data.setdefault("artifacts", []).append(f"/{WEB_DIST}/**")


def main() -> int:
    """``python hatch_build.py`` (``make install``): build the web UI when it is missing or stale,
    in the open, before pip's build (which hides a build hook's output) finds it up to date."""
    root = Path(__file__).resolve().parent
    if not ui_is_stale(root):
        print(f"web UI: {WEB_DIST} is up to date", flush=True)
        return 0
    try:
        build_web_ui(root / WEB_DIR, lambda line: print(line, flush=True))
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("hint: or use a built wheel: it carries the web UI", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
