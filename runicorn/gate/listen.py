"""Listening sockets for Runicorn's HTTP services: a port checked by name, the socket bound
before uvicorn starts (so a busy port is a clear error and port 0 prints the port it got), the
check of a token given by hand, and :func:`serve_app`, which runs a service's app on that socket
until SIGTERM or Ctrl-C and stops it quietly."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from typing import Any

from runicorn.errors import ConfigError
from runicorn.gate.owner_token import MIN_TOKEN_CHARS

GRACEFUL_SHUTDOWN_S = 0.5  # then requests still running (a long first read) are cancelled


class QuietCancelledRequests(logging.Filter):
    """Drops uvicorn's traceback for a request cancelled because the service is stopping (a long
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


def checked_token(token: str, source: str = "--token") -> str:
    """``token`` when it is long enough to be a secret; ConfigError naming ``source`` otherwise."""
    if len(token) < MIN_TOKEN_CHARS or any(c.isspace() for c in token):
        raise ConfigError(
            f"{source} is too short or holds spaces",
            f"use at least {MIN_TOKEN_CHARS} characters without spaces, or leave it out to use your own "
            "token file",
        )
    return token


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


def serve_app(app: Any, sock: socket.socket) -> None:
    """Serve the ASGI ``app`` with uvicorn on ``sock`` (from :func:`bind`) until SIGTERM or
    Ctrl-C; then requests still running after :data:`GRACEFUL_SHUTDOWN_S` are cancelled, open
    WebSockets closed, and the socket closed."""
    import uvicorn

    config = uvicorn.Config(
        app,
        log_level="warning",
        ws="websockets-sansio",
        # typed int, but handed to asyncio.wait_for, which takes any number of seconds
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,  # type: ignore[arg-type]
        server_header=False,
    )
    quiet = QuietCancelledRequests()
    logging.getLogger("uvicorn.error").addFilter(quiet)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        logging.getLogger("uvicorn.error").removeFilter(quiet)
        sock.close()
