"""A run's media list and files (docs/api.md#media). Paths leaving ``media/`` answer 404.

A media file is sent from the file the store opened and checked, never by opening its path again
(:mod:`runicorn.viewer.open_file_response`): ranges, ``HEAD`` and ``If-Range`` work as before.
"""

from __future__ import annotations

import mimetypes
import os
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from runicorn.store import StoreReader
from runicorn.viewer.open_file_response import open_file_response

# Media files are the user's bytes: never let a browser run them as a page of this site.
_MEDIA_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
    "Cache-Control": "private, max-age=3600",
}
# A logged HTML page is shown in a frame of the web UI: framed by this site only, in a sandbox
# (an origin of its own, no scripts, no forms, no plugins), loading nothing but images of this site.
_HTML_HEADERS = {
    **_MEDIA_HEADERS,
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox; frame-ancestors 'self'"
    ),
    "X-Frame-Options": "SAMEORIGIN",
}
_HTML_SUFFIXES = (".html", ".htm")
# Types of the audio and video files a run may hold, whatever the system's MIME table says.
_MEDIA_TYPES = {
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".flac": "audio/flac",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
}


def router(reader: StoreReader) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["media"])

    @api.get("/runs/{key}/media")
    def media_list(key: str) -> dict[str, Any]:
        return reader.media(key)

    @api.get("/runs/{key}/media/{path:path}")
    def media_file(key: str, path: str, request: Request) -> Response:
        file = reader.open_media_file(key, path)
        try:
            name = os.path.basename(file.name).lower()
            headers = _MEDIA_HEADERS
            if name.endswith(_HTML_SUFFIXES):
                media_type, headers = "text/html; charset=utf-8", _HTML_HEADERS
            else:
                suffix = os.path.splitext(name)[1]
                media_type = (
                    _MEDIA_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
                )
            return open_file_response(file, request.headers, request.method, media_type, headers)
        except BaseException:
            file.close()
            raise

    # HEAD answers the headers GET would (a player may ask for the size first); not in the reference
    api.add_api_route("/runs/{key}/media/{path:path}", media_file, methods=["HEAD"], include_in_schema=False)

    @api.get("/runs/{key}/histograms")
    def histograms(key: str, max_steps: int = 200) -> dict[str, Any]:
        return reader.histograms(key, max_steps=max_steps)

    @api.get("/runs/{key}/text-values")
    def text_values(
        key: str, metric: str | None = None, start: int | None = None, limit: int = 10
    ) -> dict[str, Any]:
        """The values of the run's metric rows that are not numbers (text, null, lists): each
        key's last ``limit``, or ``limit`` values of ``metric`` from ``start``."""
        return reader.text_values(key, metric, start=start, limit=limit)

    @api.get("/runs/{key}/tables")
    def tables(key: str) -> dict[str, Any]:
        return reader.tables(key)

    @api.get("/runs/{key}/tables/rows")
    def table_rows(
        key: str,
        path: str,
        offset: int = 0,
        limit: int = 100,
        sort: str | None = None,
        desc: bool = Query(False),
    ) -> dict[str, Any]:
        return reader.table_rows(key, path, offset=offset, limit=limit, sort=sort, desc=desc)

    return api
