"""Headers every answer of the viewer carries, so other web pages cannot misuse it
(docs/viewer.md#security-model).

- ``X-Frame-Options: DENY`` and ``Content-Security-Policy: ... frame-ancestors 'none'``: no page
  of another site can show the viewer in a frame (and trick the user into clicking in it).
- The policy lets the web UI load only its own scripts and styles (inline styles allowed: the
  charts and the small built-in pages use them), images and media from itself, ``data:`` and
  ``blob:`` (downloads, thumbnails), and talk only to its own origin (HTTP and WebSocket).
- ``Referrer-Policy: no-referrer``: a URL with ``?token=`` never travels to another site.
- ``X-Content-Type-Options: nosniff``: a file is only ever what its type says.

An answer that set one of these itself keeps it (media files have a stricter, sandboxing policy);
a policy without ``frame-ancestors`` gets it added.
"""

from __future__ import annotations

from collections.abc import Sequence

from runicorn.gate.access import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    b"x-frame-options": b"DENY",
    b"content-security-policy": CONTENT_SECURITY_POLICY.encode(),
    b"referrer-policy": b"no-referrer",
    b"x-content-type-options": b"nosniff",
}


def security_headers(connect_origins: Sequence[str] = ()) -> dict[bytes, bytes]:
    """:data:`SECURITY_HEADERS`, with ``connect_origins`` (``scheme://host[:port]``) added to
    ``connect-src``: the viewer's Jobs page calls the agent at its ``agent_url``."""
    if not connect_origins:
        return SECURITY_HEADERS
    policy = CONTENT_SECURITY_POLICY.replace(
        "connect-src 'self'", "connect-src 'self' " + " ".join(connect_origins)
    )
    return {**SECURITY_HEADERS, b"content-security-policy": policy.encode()}


def with_security_headers(
    headers: list[tuple[bytes, bytes]], defaults: dict[bytes, bytes] = SECURITY_HEADERS
) -> list[tuple[bytes, bytes]]:
    """``headers`` plus the ones of ``defaults`` that are missing; ``frame-ancestors`` added to a
    policy."""
    out: list[tuple[bytes, bytes]] = []
    present = set()
    for name, value in headers:
        lower = name.lower()
        present.add(lower)
        if lower == b"content-security-policy" and b"frame-ancestors" not in value:
            value = value.rstrip(b"; ") + b"; frame-ancestors 'none'"
        out.append((name, value))
    out.extend((name, value) for name, value in defaults.items() if name not in present)
    return out


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every HTTP answer."""

    def __init__(self, app: ASGIApp, connect_origins: Sequence[str] = ()) -> None:
        self.app = app
        self.headers = security_headers(connect_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = with_security_headers(list(message.get("headers", [])), self.headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)
