"""A viewer over a bucket answers a run it lists with its data, never with an empty chart or log
because the run's files are still on their way into the cache: a request about one run
(``/api/runs/{key}/...``, its WebSockets too) first waits until that run has landed, which the
cache filler does ahead of its background fill, at most a bounded time
(runicorn/sync/cache_filler.py ``fetch_first``; docs/sync.md#the-viewer-over-a-bucket)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from runicorn.store.reader import StoreReader

RUNS_PATH = ("", "api", "runs")


class FetchFirst:
    """Waits (in a worker thread) for ``fetch_first(run relpath)`` before a run's request."""

    def __init__(self, app: ASGIApp, reader: StoreReader, fetch_first: Callable[[str], None]) -> None:
        self.app = app
        self.reader = reader
        self.fetch_first = fetch_first

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            parts = str(scope["path"]).split("/")
            if len(parts) > 3 and tuple(parts[:3]) == RUNS_PATH and parts[3]:
                info = self.reader.find_run(parts[3])
                if info is not None:
                    await run_in_threadpool(self.fetch_first, info.relpath)
        await self.app(scope, receive, send)
