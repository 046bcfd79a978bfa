"""A run's media list and files (docs/api.md#media). Paths leaving ``media/`` answer 404."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse

from runicorn.store import StoreReader

# Media files are the user's bytes: never let a browser run them as a page of this site.
_MEDIA_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
    "Cache-Control": "private, max-age=3600",
}


def router(reader: StoreReader) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["media"])

    @api.get("/runs/{key}/media")
    def media_list(key: str) -> dict[str, Any]:
        return reader.media(key)

    @api.get("/runs/{key}/media/{path:path}")
    def media_file(key: str, path: str) -> FileResponse:
        return FileResponse(reader.media_file(key, path), headers=_MEDIA_HEADERS)

    return api
