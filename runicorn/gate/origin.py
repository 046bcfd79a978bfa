"""Which web pages may change things through a local server: the origin rule (docs/viewer.md#security-model).

A web page the user visits can send requests to ``http://127.0.0.1:<port>`` like any other: a
form post or a ``fetch()`` with a plain body needs no CORS preflight, and a WebSocket handshake
needs none at all. The browser names the page that sent it in the ``Origin`` header (and, for
some requests, ``Sec-Fetch-Site``), and a page cannot forge either. So:

- a request that changes anything (any method but GET, HEAD and OPTIONS) and every WebSocket
  handshake pass only when ``Origin`` is the server's own origin (``scheme://host:port`` as the
  request's ``Host`` header says) or one of the allowed origins (``--cors-origin``);
- without ``Origin``, ``Sec-Fetch-Site`` must be ``same-origin`` or ``none`` (typed in the
  address bar) when present;
- a request with neither header is not from a web page (curl, a script, our own CLI): allowed.

Pure functions over header values, no web framework: any of our servers can apply them.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from runicorn.errors import ConfigError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PAGE_SCHEMES = {"http": "http", "https": "https", "ws": "http", "wss": "https"}


def normalize_origin(origin: str) -> str | None:
    """``scheme://host[:port]`` in one spelling (lower case, default port left out); None when
    ``origin`` is not an http(s) origin (``null``, a path, a bad port)."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/"):
        return None
    if parts.query or parts.fragment or parts.username or parts.password:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def own_origin(scheme: str, host_header: str) -> str | None:
    """The origin of the server's own pages for a request that arrived with ``scheme``
    (http, https, ws, wss) and this ``Host`` header."""
    page_scheme = _PAGE_SCHEMES.get(scheme.lower())
    if page_scheme is None or not host_header.strip():
        return None
    return normalize_origin(f"{page_scheme}://{host_header.strip()}")


def allowed_origins(origins: Iterable[str]) -> frozenset[str]:
    """The ``--cors-origin`` values, checked: each must be one ``scheme://host[:port]``."""
    out = set()
    for origin in origins:
        if origin.strip() == "*":
            raise ConfigError(
                "--cors-origin '*' would let every web site use this server, its write endpoints included",
                "name each web origin allowed to call it, e.g. --cors-origin http://localhost:5173",
            )
        normal = normalize_origin(origin)
        if normal is None:
            raise ConfigError(
                f"--cors-origin {origin!r} is not a web origin",
                "give scheme, host and port only, e.g. --cors-origin http://localhost:5173",
            )
        out.add(normal)
    return frozenset(out)


class OriginRule:
    """The rule above over one set of allowed origins (already checked by :func:`allowed_origins`)."""

    def __init__(self, allowed: Iterable[str] = ()) -> None:
        self.allowed = allowed_origins(allowed)

    def page_allowed(self, scheme: str, host_header: str, origin: str | None, fetch_site: str | None) -> bool:
        """Whether the page that sent this request (if any) may change things here."""
        if origin is not None:
            normal = normalize_origin(origin)
            return normal is not None and (
                normal == own_origin(scheme, host_header) or normal in self.allowed
            )
        if fetch_site is not None:
            return fetch_site.strip().lower() in ALLOWED_FETCH_SITES
        return True

    def is_allowed_origin(self, origin: str | None) -> bool:
        """Whether ``origin`` is one of the ``--cors-origin`` values."""
        if origin is None:
            return False
        normal = normalize_origin(origin)
        return normal is not None and normal in self.allowed
