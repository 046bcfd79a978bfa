"""``/docs`` works with no network: one HTML page, no script or style from anywhere else."""

from __future__ import annotations

import re
from pathlib import Path

import httpx


def test_api_reference_lists_every_endpoint_and_loads_nothing_external(
    storage_root: Path, live_viewer
) -> None:
    base = live_viewer(storage_root)
    page = httpx.get(f"{base}/docs", timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    schema = httpx.get(f"{base}/openapi.json", timeout=30).json()
    for path in ("/api/runs", "/api/runs/{key}/metrics", "/api/gpu", "/api/import", "/api/ssh/connect"):
        assert path in schema["paths"] and f"<code>{path}</code>" in page.text
    assert not re.search(r"""(src|href)=['"]?(https?:)?//""", page.text)  # nothing from a CDN
