"""``runicorn viewer``: serves :func:`create_app` with uvicorn (docs/viewer.md, docs/cli.md#viewer).

Binds 127.0.0.1 by default and connects nowhere by itself: the mirrors of the mirror file
resume only with ``resume_mirrors`` (``--resume-mirrors``). A non-loopback ``host`` requires a
token: the one given, or a new random one printed in the URL at start (like Jupyter). The socket
is bound before uvicorn starts, so a busy port is a clear error and ``port`` 0 prints the port it
got (a port outside 0-65535 is refused by name). SIGTERM and Ctrl-C stop the server within about
a second (open WebSockets are closed, not waited for).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import secrets
import socket
import sys
import threading
import webbrowser
from collections.abc import Sequence
from urllib.parse import quote

from runicorn.errors import ConfigError
from runicorn.settings import Settings

GRACEFUL_SHUTDOWN_S = 0.5  # then requests still running (a long first read) are cancelled


class QuietCancelledRequests(logging.Filter):
    """Drops uvicorn's traceback for a request cancelled because the viewer is stopping (a long
    read still running when the grace period ends): stopping is not an error to show the user."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, asyncio.CancelledError):
            return False
        return "timeout graceful shutdown exceeded" not in record.getMessage()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def needed_token(host: str, token: str | None) -> str | None:
    """The token the server will require: the given one, a new one off loopback, else None."""
    if token is not None:
        if len(token) < 8:
            raise ConfigError(
                "--token is too short", "use at least 8 characters, or leave it out to get a random one"
            )
        return token
    return None if is_loopback(host) else secrets.token_urlsafe(24)


def check_port(port: int) -> int:
    """``port`` when it is one a socket can bind (0 picks a free one); ConfigError otherwise."""
    if not 0 <= port <= 65535:
        raise ConfigError(
            f"--port {port} is not a TCP port",
            "use a port from 1 to 65535, or 0 to pick a free one",
        )
    return port


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; ConfigError naming the address when that fails."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ConfigError(
            f"cannot resolve --host {host}: {exc}", "use an IP address such as 127.0.0.1"
        ) from exc
    family, _, _, _, address = infos[0]
    # Named TCP, so the event loop turns Nagle's algorithm off on each connection: otherwise a
    # reply's body waits for the client's delayed ACK of its headers, 40 ms a kept-alive request.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            "another program uses that port: pick another with --port (0 picks a free one)",
        ) from exc
    sock.set_inheritable(True)
    return sock


def viewer_url(host: str, port: int, token: str | None) -> str:
    shown = host
    if host in ("0.0.0.0", "::", ""):
        shown = socket.gethostname()
    elif ":" in host and not host.startswith("["):
        shown = f"[{host}]"
    url = f"http://{shown}:{port}/"
    return f"{url}?token={quote(token)}" if token else url


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    open_browser: bool = False,
    cors_origins: Sequence[str] = (),
    resume_mirrors: bool = False,
) -> int:
    """Run the viewer until SIGTERM / Ctrl-C. Prints the URL (with the token when one is needed)."""
    import uvicorn

    from runicorn.remote.registry import Registry
    from runicorn.viewer.app import create_app

    check_port(port)
    token = needed_token(host, token)
    app = create_app(settings, token=token, cors_origins=cors_origins, resume_mirrors=resume_mirrors)
    sock = bind(host, port)
    bound_port = sock.getsockname()[1]
    url = viewer_url(host, bound_port, token)
    print(f"Runicorn viewer: {url}", flush=True)
    print(f"storage root   : {settings.storage}", flush=True)
    if not settings.storage.is_dir():
        print("                 (does not exist yet: runs appear once something writes there)", flush=True)
    if token and not is_loopback(host):
        print("reachable from the network: the token in the URL is required on every request", flush=True)
    saved = len(Registry(settings.storage).mirrors())
    if saved and not resume_mirrors:
        print(f"mirrors        : {saved} in the mirror file, not resumed (--resume-mirrors does)", flush=True)
    print("press Ctrl-C to stop", flush=True)
    if open_browser:
        threading.Timer(0.3, webbrowser.open, args=(url,)).start()
    config = uvicorn.Config(
        app,
        log_level="warning",
        ws="websockets-sansio",
        # typed int, but handed to asyncio.wait_for, which takes any number of seconds
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,  # type: ignore[arg-type]
        server_header=False,
    )
    server = uvicorn.Server(config)
    quiet = QuietCancelledRequests()
    logging.getLogger("uvicorn.error").addFilter(quiet)
    try:
        server.run(sockets=[sock])
    finally:
        logging.getLogger("uvicorn.error").removeFilter(quiet)
        sock.close()
    print("viewer stopped", file=sys.stderr, flush=True)
    return 0
