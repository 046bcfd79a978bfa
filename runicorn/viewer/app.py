"""``create_app(settings)``: the viewer's FastAPI app over one storage root (docs/api.md).

Everything the app needs is passed in; nothing is read from globals or the environment at import
time. The app holds one :class:`~runicorn.store.StoreReader` (caches keyed by file size and mtime,
nothing written) at ``app.state.reader``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from runicorn.gate.guard import Guard, service_app
from runicorn.gate.origin import OriginRule
from runicorn.settings import Settings
from runicorn.store import StoreReader
from runicorn.store.metrics.decode_pool import default_workers
from runicorn.store.metrics.decoded_cache import DecodedCache
from runicorn.store.query.columns_cache import ColumnsCache
from runicorn.store.query.columns_warmer import ColumnsWarmer
from runicorn.viewer import (
    routes_alerts,
    routes_artifacts,
    routes_gpu,
    routes_import,
    routes_jobs,
    routes_logs,
    routes_media,
    routes_meta,
    routes_metrics,
    routes_research,
    routes_runs,
    routes_ssh,
    routes_sweeps,
)
from runicorn.viewer.api_reference import add_api_reference
from runicorn.viewer.fetch_first import FetchFirst
from runicorn.viewer.read_only_source import ReadOnlySource
from runicorn.viewer.web_ui import DEFAULT_WEB_DIST, add_web_ui

LOG_POLL_INTERVAL_S = 0.2


def agent_origins(agent_url: str) -> list[str]:
    """The web origin of ``agent_url`` (``scheme://host[:port]``), or none for no or a bad URL."""
    parts = urlsplit(agent_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return []
    return [f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"]


def create_app(
    settings: Settings,
    *,
    token: str | None = None,
    cors_origins: Sequence[str] = (),
    nvml: ModuleType | Any | None = None,
    web_dist: Path | None = None,
    log_poll_interval_s: float = LOG_POLL_INTERVAL_S,
    resume_mirrors: bool = False,
    read_only_source: str | None = None,
    fetch_first: Callable[[str], None] | None = None,
    columns_warmer: ColumnsWarmer | None = None,
) -> FastAPI:
    """The viewer app.

    ``token``: required on every request and WebSocket when set (see :mod:`runicorn.gate.access`);
    None serves loopback host names only, without a token (library use and tests; the
    ``runicorn viewer`` command uses the owner's token unless ``--no-token``).
    ``cors_origins``: origins allowed to call the API from another site (none by default; ``*``
    is refused with a ConfigError: it would let any web site use the write endpoints).
    ``nvml``: the NVML module for ``/api/gpu`` (tests pass a fake; default ``pynvml``).
    ``web_dist``: the built web UI (default ``runicorn/web_dist``).
    ``resume_mirrors``: restart the SSH mirrors of the mirror file at start (off: the viewer
    connects nowhere until asked).
    ``read_only_source``: the bucket URL when ``settings.storage`` is a bucket's cache (imports
    and mirrors into it are refused: :mod:`.read_only_source`).
    ``fetch_first``: with a bucket's cache, waits until the run at a path has landed in it
    (:mod:`.fetch_first`).
    ``columns_warmer``: the process computing the research view's first columns answer as the
    ``runicorn viewer`` command starts (:mod:`runicorn.store.query.columns_warmer`); stopped with
    the app.
    """
    origin_rule = OriginRule(cors_origins)  # ConfigError for '*' or a malformed origin

    reader = StoreReader(
        settings.storage,
        decode_workers=default_workers(),
        decoded_cache=DecodedCache(),
        columns_cache=ColumnsCache(),
        columns_warmer=columns_warmer,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if columns_warmer is not None:  # a first start: what it parsed is taken after the first scan
            reader.columns.read_ahead(asked=False)
        try:
            yield
        finally:
            await run_in_threadpool(reader.close)  # stops the store's decoding processes

    app = service_app(
        "Runicorn viewer", "Read-only API over a Runicorn storage root. See docs/api.md.", lifespan
    )
    app.state.reader = reader
    app.state.settings = settings

    app.include_router(routes_meta.router(reader, settings, token_required=token is not None))
    app.include_router(routes_research.router(reader))  # before /api/runs/{key}
    app.include_router(routes_runs.router(reader))
    app.include_router(routes_metrics.router(reader))
    app.include_router(routes_logs.router(reader, poll_interval_s=log_poll_interval_s))
    app.include_router(routes_media.router(reader))
    app.include_router(routes_alerts.router(reader))
    app.include_router(routes_gpu.router(nvml))
    app.include_router(routes_sweeps.router(reader))
    # Routers of other parts go here, one line each (before the web UI's catch-all route):
    app.include_router(routes_import.router(settings))
    app.include_router(routes_ssh.router(settings, resume_mirrors=resume_mirrors))
    app.include_router(routes_artifacts.router(reader))
    app.include_router(routes_jobs.router(reader, settings))

    add_api_reference(app)
    add_web_ui(app, DEFAULT_WEB_DIST if web_dist is None else Path(web_dist))

    if read_only_source is not None:
        app.add_middleware(ReadOnlySource, source=read_only_source)
    if fetch_first is not None:
        app.add_middleware(FetchFirst, reader=reader, fetch_first=fetch_first)
    # the page may call the agent (Jobs buttons)
    Guard(token, origin_rule, connect_origins=tuple(agent_origins(settings.agent_url))).install(app)
    return app
