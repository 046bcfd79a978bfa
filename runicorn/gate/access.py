"""Who may talk to the viewer: the loopback Host check, the origin rule and the token check
(docs/viewer.md#security, docs/viewer.md#token).

:class:`AccessGate` is a plain ASGI middleware that sees every HTTP request and WebSocket
handshake before any route does.

- A request that changes anything (not GET, HEAD or OPTIONS) and every WebSocket handshake must
  come from the viewer's own page, an allowed ``--cors-origin`` page, or no web page at all
  (:mod:`.origin`); otherwise 403 in the API's error shape, or a refused handshake.

- With a token, a request passes when it carries it as ``Authorization: Bearer <token>``,
  ``?token=<token>`` or the ``runicorn_token`` cookie. A request that brought it in the query
  gets the cookie set on its answer, so a browser opened on the printed URL keeps working; a
  browser opening a page that way is sent (303) to the same URL without the token, so the token
  does not stay in the address bar, the history or a bookmark.
  Otherwise: 401 in the API's error shape (an HTML page for a browser), and a refused handshake
  for a WebSocket.
- A CORS preflight from an allowed ``--cors-origin`` passes without the token (a browser never
  sends credentials with one); the CORS middleware answers it.
- Without a token (loopback only), the ``Host`` header must name a loopback address, so a web
  page on another site cannot reach the viewer through DNS rebinding.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode

from starlette.responses import HTMLResponse

from runicorn.gate.error_shape import error_response
from runicorn.gate.origin import SAFE_METHODS, OriginRule, own_origin

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


def _opens_a_page(scope: Scope, headers: dict[str, str]) -> bool:
    """A browser opening a page of the web UI (not an API call, not a script)."""
    path = scope.get("path", "")
    return (
        scope.get("method") in ("GET", "HEAD")
        and not (path == "/api" or path.startswith("/api/"))
        and "text/html" in headers.get("accept", "")
    )


async def drain_body(receive: Receive, max_bytes: int = 1 << 20) -> None:
    """Read (up to ``max_bytes`` of) a refused request's body, so a client still sending it gets
    the answer instead of a broken pipe."""
    read = 0
    while read <= max_bytes:
        message = await receive()
        if message["type"] != "http.request":
            return
        read += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


class AccessGate:
    """Checks every request; ``token`` None means loopback-only without a token;
    ``origin_rule`` names the other sites' pages allowed to change things (none by default)."""

    def __init__(self, app: ASGIApp, token: str | None, origin_rule: OriginRule | None = None) -> None:
        self.app = app
        self.token = token
        self.origin_rule = origin_rule or OriginRule()

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
        if self.token is None and _host_name(headers.get("host", "127.0.0.1")) not in LOOPBACK_HOSTS:
            why = "this viewer only answers to a loopback host name"
            hint = "open it as http://127.0.0.1:<port>/, or start it with --token to allow other hosts"
            await self._refuse(scope, receive, send, headers, 403, why, hint)
            return
        refusal = self._foreign_page(scope, headers)
        if refusal is not None:
            await self._refuse(scope, receive, send, headers, 403, *refusal)
            return
        if self.token is None or self._allowed_preflight(scope, headers):
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
            if _opens_a_page(scope, headers):
                await self._redirect_without_token(scope, send)
                return
            send = self._with_cookie(send)
        await self.app(scope, receive, send)

    def _foreign_page(self, scope: Scope, headers: dict[str, str]) -> tuple[str, str] | None:
        """(why, hint) when a web page of another site sends a request that changes things or
        opens a WebSocket; None when the request may go on."""
        if scope["type"] == "http" and scope.get("method", "GET") in SAFE_METHODS:
            return None
        origin, fetch_site = headers.get("origin"), headers.get("sec-fetch-site")
        host = headers.get("host", "")
        scheme = scope.get("scheme", "http")
        if self.origin_rule.page_allowed(scheme, host, origin, fetch_site):
            return None
        sender = f"the page at {origin}" if origin is not None else f"a {fetch_site} page"
        what = "WebSocket connections" if scope["type"] == "websocket" else "requests that change things"
        own = own_origin(scheme, host) or "the viewer's own address"
        allow = f"start it with --cors-origin {origin}" if origin else "start it with --cors-origin ORIGIN"
        return (
            f"{what} from {sender} are refused: only the viewer's own pages may send them",
            f"use the viewer's own page at {own}/, or {allow} to allow that page",
        )

    def _allowed_preflight(self, scope: Scope, headers: dict[str, str]) -> bool:
        """A CORS preflight (it never carries the token) from an allowed ``--cors-origin``."""
        return (
            scope["type"] == "http"
            and scope.get("method") == "OPTIONS"
            and "access-control-request-method" in headers
            and self.origin_rule.is_allowed_origin(headers.get("origin"))
        )

    def _cookie_header(self) -> bytes:
        assert self.token is not None
        return f"{TOKEN_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict".encode()

    async def _redirect_without_token(self, scope: Scope, send: Send) -> None:
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        rest = urlencode([(k, v) for k, v in query if k != "token"])
        path = scope.get("raw_path") or scope["path"].encode()
        location = path + (b"?" + rest.encode() if rest else b"")
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [
                    (b"location", location),
                    (b"set-cookie", self._cookie_header()),
                    (b"cache-control", b"no-store"),
                    (b"content-length", b"0"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    def _with_cookie(self, send: Send) -> Send:
        cookie = self._cookie_header()

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
        await drain_body(receive)
        if "text/html" in headers.get("accept", "") and status == 401:
            page = HTMLResponse(_LOGIN_PAGE, status_code=status)
            await page(scope, receive, send)
            return
        await error_response(why, status, hint)(scope, receive, send)
