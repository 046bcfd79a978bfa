"""Who may talk to the viewer: the token check and the loopback Host check (docs/viewer.md#token).

:class:`AccessGate` is a plain ASGI middleware that sees every HTTP request and WebSocket
handshake before any route does.

- With a token, a request passes when it carries it as ``Authorization: Bearer <token>``,
  ``?token=<token>`` or the ``runicorn_token`` cookie. A request that brought it in the query
  gets the cookie set on its answer, so a browser opened on the printed URL keeps working.
  Otherwise: 401 in the API's error shape (an HTML page for a browser), and a refused handshake
  for a WebSocket.
- Without a token (loopback only), the ``Host`` header must name a loopback address, so a web
  page on another site cannot reach the viewer through DNS rebinding.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from starlette.responses import HTMLResponse

from runicorn.viewer.error_shape import error_response

TOKEN_COOKIE = "runicorn_token"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_LOGIN_PAGE = b"""<!doctype html><meta charset="utf-8"><title>Runicorn viewer: token needed</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>Token needed</h1>
<p>This Runicorn viewer is reachable from the network, so it asks for the token it printed when
it started. Open the full URL it printed (the one ending in <code>?token=...</code>).</p>
</body>"""


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _host_name(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class AccessGate:
    """Checks every request; ``token`` None means loopback-only without a token."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    def _given_tokens(self, scope: Scope, headers: dict[str, str]) -> tuple[list[str], str | None]:
        given: list[str] = []
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            given.append(auth[7:].strip())
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        from_query = query.get("token", [None])[0]
        if from_query:
            given.append(from_query)
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # noqa: BLE001 - a malformed cookie header is just no cookie
            pass
        if TOKEN_COOKIE in cookie:
            given.append(cookie[TOKEN_COOKIE].value)
        return given, from_query

    def _token_ok(self, given: list[str]) -> bool:
        assert self.token is not None
        expected = self.token.encode()
        return any(hmac.compare_digest(g.encode(), expected) for g in given)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        if self.token is None:
            if _host_name(headers.get("host", "127.0.0.1")) not in LOOPBACK_HOSTS:
                why = "this viewer only answers to a loopback host name"
                hint = "open it as http://127.0.0.1:<port>/, or start it with --token to allow other hosts"
                await self._refuse(scope, receive, send, headers, 403, why, hint)
                return
            await self.app(scope, receive, send)
            return
        given, from_query = self._given_tokens(scope, headers)
        if not self._token_ok(given):
            hint = (
                "send the token the viewer printed at start: as 'Authorization: Bearer <token>', "
                "or open the printed URL ending in ?token=<token>"
            )
            await self._refuse(scope, receive, send, headers, 401, "missing or wrong token", hint)
            return
        if scope["type"] == "http" and from_query is not None and self._token_ok([from_query]):
            send = self._with_cookie(send)
        await self.app(scope, receive, send)

    def _with_cookie(self, send: Send) -> Send:
        assert self.token is not None
        cookie = f"{TOKEN_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict".encode()

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie)]
            await send(message)

        return send_with_cookie

    async def _refuse(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: dict[str, str],
        status: int,
        why: str,
        hint: str | None = None,
    ) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": why})
            return
        if "text/html" in headers.get("accept", "") and status == 401:
            page = HTMLResponse(_LOGIN_PAGE, status_code=status)
            await page(scope, receive, send)
            return
        await error_response(why, status, hint)(scope, receive, send)
