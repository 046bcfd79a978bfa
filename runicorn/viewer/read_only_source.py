"""A viewer over a bucket (``runicorn viewer --storage s3://...``) serves a cache folder that only
its reader process writes (runicorn/sync/cache_filler.py). The two things the viewer can write
into its storage root, an imported archive and an SSH mirror, would land in that cache and never
reach the bucket, so they are refused there, with what to do instead."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from runicorn.errors import RunicornError
from runicorn.gate.access import drain_body
from runicorn.gate.error_shape import runicorn_error_response

WRITING_PATHS = ("/api/import", "/api/ssh/mirror/start")


class ReadOnlySource:
    """Refuses (409) the requests that would write into the viewer's storage root."""

    def __init__(self, app: ASGIApp, source: str) -> None:
        self.app = app
        self.source = source

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in WRITING_PATHS:
            await drain_body(receive)
            what = "an import" if scope["path"] == "/api/import" else "an SSH mirror"
            error = RunicornError(
                f"this viewer shows {self.source} read-only: {what} would land in its local cache, "
                "not in the bucket",
                "import or mirror into a storage root (runicorn viewer --storage ROOT), then "
                f"runicorn sync ROOT {self.source}",
            )
            await runicorn_error_response(error, 409)(scope, receive, send)
            return
        await self.app(scope, receive, send)
