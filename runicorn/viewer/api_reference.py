"""``GET /docs``: the API reference as one self-contained HTML page, built from the app's OpenAPI
schema. FastAPI's own Swagger page loads its script from a CDN and stays blank offline; this page
needs nothing but the viewer. The machine-readable schema stays at ``/openapi.json``."""

from __future__ import annotations

import html
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

_STYLE = """body{font:14px/1.5 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em}
body{color:#1f2430}
h1{font-size:1.5em}h2{font-size:1.1em;margin:1.6em 0 .4em}code{font:13px ui-monospace,monospace}
.op{border:1px solid #dde1ea;border-radius:8px;padding:.6em .9em;margin:.5em 0}
.m{display:inline-block;min-width:4.5em;font-weight:600}.get{color:#1c7c54}.post{color:#5b4fd6}
.params{color:#5b6170;margin:.3em 0 0 4.8em}p.d{margin:.3em 0 0 4.8em;color:#3a3f4b}"""


def reference_html(schema: dict[str, Any]) -> str:
    """Every path and method of ``schema``, with its summary, description and parameters."""
    info = schema.get("info", {})
    parts = [
        "<!doctype html><meta charset='utf-8'>",
        f"<title>{html.escape(info.get('title', 'API'))}</title><style>{_STYLE}</style>",
        f"<h1>{html.escape(info.get('title', 'API'))} {html.escape(str(info.get('version', '')))}</h1>",
        f"<p>{html.escape(info.get('description', ''))}",
        " Machine-readable: <a href='/openapi.json'>/openapi.json</a>.</p>",
    ]
    by_tag: dict[str, list[str]] = {}
    for path, methods in sorted(schema.get("paths", {}).items()):
        for method, op in methods.items():
            params = ", ".join(
                f"<code>{html.escape(p['name'])}</code> ({html.escape(p.get('in', ''))})"
                for p in op.get("parameters", [])
            )
            if "requestBody" in op:
                params = f"{params}, JSON or form body" if params else "JSON or form body"
            text = op.get("description") or ""
            block = (
                f"<div class='op'><span class='m {method}'>{method.upper()}</span>"
                f" <code>{html.escape(path)}</code>"
                f" — {html.escape(op.get('summary', ''))}"
                + (f"<p class='d'>{html.escape(text)}</p>" if text else "")
                + (f"<div class='params'>{params}</div>" if params else "")
                + "</div>"
            )
            by_tag.setdefault((op.get("tags") or ["other"])[0], []).append(block)
    for tag, blocks in by_tag.items():
        parts.append(f"<h2>{html.escape(tag)}</h2>")
        parts.extend(blocks)
    return "".join(parts)


def add_api_reference(app: FastAPI) -> None:
    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def api_reference() -> str:
        return reference_html(app.openapi())
