"""``create_agent_app(agent, token=...)``: the job service's FastAPI app (docs/agent.md#api).

Separate from the read-only viewer, with the same guard in front (runicorn/gate/access.py):
every request needs the owner's token as a Bearer header, on loopback too (other local users
reach loopback as well), and every request that changes something must come from no web page or
an allowed one (the origin rule, runicorn/gate/origin.py). Errors have the API's one shape
(runicorn/gate/error_shape.py). The scheduler thread runs for the app's life.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from runicorn.agent import routes_jobs, routes_projects
from runicorn.agent.service import Agent
from runicorn.errors import ConfigError
from runicorn.gate.guard import Guard, service_app
from runicorn.gate.origin import OriginRule

AGENT_TOKEN_HINT = (
    "send the agent's token as 'Authorization: Bearer <token>': `runicorn agent token` prints it "
    "(the runicorn CLI of its owner finds it by itself)"
)


def create_agent_app(agent: Agent, *, token: str, cors_origins: Sequence[str] = ()) -> FastAPI:
    """``token``: required on every request (the owner's: runicorn/gate/owner_token.py);
    ``cors_origins``: web pages (a viewer's) allowed to call the API, its write endpoints
    included (never ``*``)."""
    from runicorn import __version__

    if not token:
        raise ConfigError("the agent needs a token", "pass the owner's token (runicorn/gate/owner_token.py)")

    origin_rule = OriginRule(cors_origins)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        agent.start()
        try:
            yield
        finally:
            agent.scheduler.stop()

    app = service_app("Runicorn agent", "The job queue of one storage root. See docs/agent.md.", lifespan)

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
    # an allowed page (a viewer's) can read a 401 and ask for the token
    Guard(token, origin_rule, browser_login=False, token_hint=AGENT_TOKEN_HINT).install(app)
    return app
