"""Serves the built web UI (``runicorn/web_dist``) at ``/`` with a single-page-app fallback.

Any non-``/api`` path that is not a file of the build answers ``index.html`` (client-side
routes). Paths that would leave the build folder answer 404. Without a build, ``/`` answers a
short page saying how to get one; the API works either way.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, Response

DEFAULT_WEB_DIST = Path(__file__).resolve().parents[1] / "web_dist"
INDEX_FILE = "index.html"

NO_UI_PAGE = """<!doctype html><meta charset="utf-8"><title>Runicorn viewer</title>
<body style="font-family:sans-serif;max-width:42em;margin:3em auto;line-height:1.5">
<h1>Runicorn viewer</h1>
<p>The viewer is running, but its web interface was not built into this installation.</p>
<p>Build it from a source checkout with <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>
(or install a released package, which ships it), then restart <code>runicorn viewer</code>.</p>
<p>The API works now: <a href="/api/runs">/api/runs</a>, <a href="/api/projects">/api/projects</a>,
and its documentation at <a href="/docs">/docs</a>.</p>
</body>"""


def _build_file(web_dist: Path, path: str) -> Path | None:
    """The build's file for ``path``; None when missing or outside the build folder."""
    if not path or "\x00" in path or "\\" in path:
        return None
    try:
        base = web_dist.resolve(strict=True)
        target = (base / path).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not target.is_relative_to(base) or not target.is_file():
        return None
    return target


def add_web_ui(app: FastAPI, web_dist: Path) -> None:
    """The catch-all GET route; add it after every API router."""

    @app.get("/{path:path}", include_in_schema=False)
    def web_ui(path: str) -> Response:
        if path == "api" or path.startswith("api/"):
            raise HTTPException(404, f"no such endpoint: /{path}")
        index = web_dist / INDEX_FILE
        if not index.is_file():
            if path in ("", INDEX_FILE):
                return HTMLResponse(NO_UI_PAGE)
            raise HTTPException(404, f"no such page: /{path} (the web UI is not built)")
        found = _build_file(web_dist, path)
        if found is not None:
            return FileResponse(found)
        if path.startswith("assets/") or any(part in ("..", ".") for part in path.split("/")):
            raise HTTPException(404, f"no such file: /{path}")
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
