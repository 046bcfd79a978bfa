"""``create_agent_app(agent)``: the job service's FastAPI app (docs/agent.md#api).

Separate from the read-only viewer, with the same guard in front (runicorn/gate/access.py):
off loopback every request needs the token, and every request that changes something must come
from no web page or an allowed one (the origin rule, runicorn/gate/origin.py). Errors have the
API's one shape (runicorn/gate/error_shape.py). The scheduler thread runs for the app's life.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from runicorn.agent import routes_jobs, routes_projects
from runicorn.agent.service import Agent
from runicorn.gate.access import AccessGate
from runicorn.gate.error_shape import install_error_handlers
from runicorn.gate.origin import OriginRule
from runicorn.gate.security_headers import SecurityHeaders


def create_agent_app(agent: Agent, *, token: str | None = None, cors_origins: Sequence[str] = ()) -> FastAPI:
    """``token``: required on every request when set; ``cors_origins``: web pages (a viewer's)
    allowed to call the API, its write endpoints included (never ``*``)."""
    from runicorn import __version__

    origin_rule = OriginRule(cors_origins)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        agent.start()
        try:
            yield
        finally:
            agent.scheduler.stop()

    app = FastAPI(
        title="Runicorn agent",
        version=__version__,
        description="The job queue of one storage root. See docs/agent.md.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        strict_content_type=True,
    )
    install_error_handlers(app)

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "version": __version__,
            "storage": str(agent.root),
            "gpus": agent.census.indices,
            "executors": sorted(agent.scheduler.executors),
        }

    app.include_router(routes_jobs.router(agent))
    app.include_router(routes_projects.router(agent))
    if origin_rule.allowed:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=sorted(origin_rule.allowed),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            allow_credentials=True,
        )
    app.add_middleware(AccessGate, token=token, origin_rule=origin_rule)
    app.add_middleware(SecurityHeaders)
    return app
