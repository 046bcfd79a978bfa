"""Who may talk to a service (the viewer, the agent): the owner's token, the origin rule and,
without a token, the loopback Host check (docs/viewer.md#security-model, docs/agent.md#security-model).

:class:`AccessGate` is a plain ASGI middleware that sees every HTTP request and WebSocket
handshake before any route does.

- A request that changes anything (not GET, HEAD or OPTIONS) and every WebSocket handshake must
  come from the service's own page, an allowed ``--cors-origin`` page, or no web page at all
  (:mod:`.origin`); otherwise 403 in the API's error shape, or a refused handshake.
- With a token, a request passes when it carries it as ``Authorization: Bearer <token>``. With
  ``browser_login`` (the viewer) it may also bring it as ``?token=<token>``, or bring this
  port's cookie. A request that brought the token in the query gets the cookie set on its
  answer, so a browser opened on the printed URL keeps working; a browser opening a page that
  way is sent (303) to the same URL without the token, so the token does not stay in the address
  bar, the history or a bookmark. Otherwise: 401 in the API's error shape (for a browser, an
  HTML page asking for the token), and a refused handshake for a WebSocket.
- The cookie never carries the token: browsers send a ``127.0.0.1`` cookie to every port of the
  host, so another program on another port would learn it. Its name holds the port the request
  arrived on (``runicorn_8000``) and its value is an HMAC of the token and that port
  (:func:`cookie_value`): it opens this port only.
- Without a token (the viewer's ``--no-token``, loopback only), the ``Host`` header must name a
  loopback address, so a web page on another site cannot reach it through DNS rebinding.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode

from starlette.responses import HTMLResponse

from runicorn.gate.error_shape import error_response
from runicorn.gate.origin import SAFE_METHODS, OriginRule, own_origin

COOKIE_PREFIX = "runicorn_"
VIEWER_TOKEN_HINT = (
    "send the token the viewer printed at start: as 'Authorization: Bearer <token>', "
    "or open the printed URL ending in ?token=<token> (`runicorn viewer token` prints it)"
)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_LOGIN_PAGE = b"""<!doctype html><meta charset="utf-8"><title>Runicorn viewer: token needed</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>Token needed</h1>
<p>This Runicorn viewer answers its owner only. Open the full URL it printed at start (the one
ending in <code>?token=...</code>), or paste its token here: <code>runicorn viewer token</code>
prints it.</p>
<form method="get"><input name="token" type="password" autocomplete="off" aria-label="token"
 data-testid="login-token" size="48"> <button type="submit" data-testid="login-open">Open</button></form>
</body>"""


def cookie_name(port: int) -> str:
    """The cookie of the service on ``port``: one name per port, so two viewers never clobber
    each other's."""
    return f"{COOKIE_PREFIX}{port}"


def cookie_value(token: str, port: int) -> str:
    """What the cookie of the service on ``port`` holds: an HMAC of its token and that port,
    never the token itself."""
    return hmac.new(token.encode(), f"runicorn-cookie:{port}".encode(), hashlib.sha256).hexdigest()


def _cookies(header: str) -> dict[str, str]:
    """The cookies of a ``Cookie`` header by name; a malformed one (another program's, on another
    port of the same host) is skipped, never the whole header."""
    out: dict[str, str] = {}
    for part in header.split(";"):
        name, eq, value = part.strip().partition("=")
        if eq and name and name not in out:
            out[name] = value.strip().strip('"')
    return out


def _server_port(scope: Scope) -> int:
    server = scope.get("server")
    return int(server[1]) if server and len(server) > 1 and server[1] is not None else 0


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
    """Checks every request. ``token`` None means loopback-only without a token (the viewer's
    ``--no-token``); ``origin_rule`` names the other sites' pages allowed to change things (none
    by default); ``browser_login`` also takes the token from ``?token=`` and this port's cookie
    (the viewer; the agent takes the Bearer header only); ``token_hint`` says where the token is."""

    def __init__(
        self,
        app: ASGIApp,
        token: str | None,
        origin_rule: OriginRule | None = None,
        browser_login: bool = True,
        token_hint: str = VIEWER_TOKEN_HINT,
    ) -> None:
        self.app = app
        self.token = token
        self.origin_rule = origin_rule or OriginRule()
        self.browser_login = browser_login
        self.token_hint = token_hint

    def _given_tokens(self, scope: Scope, headers: dict[str, str]) -> tuple[list[str], str | None]:
        """The tokens a request carries (its Bearer header; with ``browser_login`` its
        ``?token=``), and the one from the query."""
        given: list[str] = []
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            given.append(auth[7:].strip())
        if not self.browser_login:
            return given, None
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        from_query = query.get("token", [None])[0]
        if from_query:
            given.append(from_query)
        return given, from_query

    def _token_ok(self, given: list[str]) -> bool:
        assert self.token is not None
        expected = self.token.encode()
        return any(hmac.compare_digest(g.encode(), expected) for g in given)

    def _cookie_ok(self, scope: Scope, headers: dict[str, str]) -> bool:
        if not self.browser_login:
            return False
        assert self.token is not None
        port = _server_port(scope)
        given = _cookies(headers.get("cookie", "")).get(cookie_name(port))
        return given is not None and hmac.compare_digest(
            given.encode(), cookie_value(self.token, port).encode()
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        if self.token is None and _host_name(headers.get("host", "127.0.0.1")) not in LOOPBACK_HOSTS:
            why = "this viewer only answers to a loopback host name"
            hint = "open it as http://127.0.0.1:<port>/, or start it without --no-token to allow other hosts"
            await self._refuse(scope, receive, send, headers, 403, why, hint)
            return
        refusal = self._foreign_page(scope, headers)
        if refusal is not None:
            await self._refuse(scope, receive, send, headers, 403, *refusal)
            return
        if self.token is None:
            await self.app(scope, receive, send)
            return
        given, from_query = self._given_tokens(scope, headers)
        if not (self._token_ok(given) or self._cookie_ok(scope, headers)):
            await self._refuse(scope, receive, send, headers, 401, "missing or wrong token", self.token_hint)
            return
        if scope["type"] == "http" and from_query is not None and self._token_ok([from_query]):
            if _opens_a_page(scope, headers):
                await self._redirect_without_token(scope, send)
                return
            send = self._with_cookie(scope, send)
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

    def _cookie_header(self, scope: Scope) -> bytes:
        assert self.token is not None
        port = _server_port(scope)
        value = cookie_value(self.token, port)
        return f"{cookie_name(port)}={value}; Path=/; HttpOnly; SameSite=Strict".encode()

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
                    (b"set-cookie", self._cookie_header(scope)),
                    (b"cache-control", b"no-store"),
                    (b"content-length", b"0"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    def _with_cookie(self, scope: Scope, send: Send) -> Send:
        cookie = self._cookie_header(scope)

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
        if self.browser_login and "text/html" in headers.get("accept", "") and status == 401:
            page = HTMLResponse(_LOGIN_PAGE, status_code=status)
            await page(scope, receive, send)
            return
        await error_response(why, status, hint)(scope, receive, send)
