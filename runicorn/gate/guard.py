"""The one middleware stack in front of every HTTP service of Runicorn, the viewer and the job
agent (docs/viewer.md#security-model, docs/agent.md#security-model), and the app it guards.

:func:`service_app` makes the FastAPI app with the API's one error shape and no docs pages of
FastAPI's own (they need a CDN). :meth:`Guard.install` then wraps it, outermost first: the
security headers (on every answer, refusals included); CORS for the allowed pages, outside the
gate so that such a page can read a refusal too; the :class:`~runicorn.gate.access.AccessGate`
(token, origin, loopback host), which sees every request before any route does.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from runicorn.gate.access import VIEWER_TOKEN_HINT, AccessGate
from runicorn.gate.error_shape import install_error_handlers
from runicorn.gate.origin import OriginRule
from runicorn.gate.security_headers import SecurityHeaders


def service_app(
    title: str, description: str, lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]]
) -> FastAPI:
    """A service's app: errors in the one shape, a JSON body only when it says so."""
    from runicorn import __version__

    app = FastAPI(
        title=title,
        version=__version__,
        description=description,
        docs_url=None,  # FastAPI's Swagger page needs a CDN (the viewer serves its own reference)
        redoc_url=None,
        lifespan=lifespan,
        strict_content_type=True,  # a JSON body must say so: no plain-text "simple request" posts
    )
    install_error_handlers(app)
    return app


@dataclass(frozen=True)
class Guard:
    """Who may talk to a service. ``token`` None: loopback host names only, without a token;
    ``browser_login``: the token may also come as ``?token=`` or this port's cookie (the
    viewer; the agent takes the Bearer header only), and allowed pages send cookies;
    ``token_hint``: where the token is; ``connect_origins``: other services its pages may call
    (the viewer's Jobs page calls the agent)."""

    token: str | None
    origin_rule: OriginRule
    browser_login: bool = True
    token_hint: str = VIEWER_TOKEN_HINT
    connect_origins: tuple[str, ...] = ()

    def install(self, app: FastAPI) -> None:
        """Wrap ``app``; call it after adding any middleware of the service's own (these run
        before it)."""
        app.add_middleware(
            AccessGate,
            token=self.token,
            origin_rule=self.origin_rule,
            browser_login=self.browser_login,
            token_hint=self.token_hint,
        )
        if self.origin_rule.allowed:
            app.add_middleware(
                CORSMiddleware,
                allow_origins=sorted(self.origin_rule.allowed),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
                allow_credentials=self.browser_login,
            )
        app.add_middleware(SecurityHeaders, connect_origins=self.connect_origins)
