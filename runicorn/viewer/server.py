"""``runicorn viewer``: serves :func:`create_app` with uvicorn (docs/viewer.md, docs/cli.md#viewer).

Binds 127.0.0.1 by default and connects nowhere by itself: the mirrors of the mirror file
resume only with ``resume_mirrors`` (``--resume-mirrors``). A non-loopback ``host`` requires a
token: the one given, or a new random one printed in the URL at start (like Jupyter). The socket
is bound before uvicorn starts, so a busy port is a clear error and ``port`` 0 prints the port it
got (a port outside 0-65535 is refused by name). SIGTERM and Ctrl-C stop the server within about
a second (open WebSockets are closed, not waited for).
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
import webbrowser
from collections.abc import Sequence
from urllib.parse import quote

from runicorn.gate.listen import (
    GRACEFUL_SHUTDOWN_S,
    QuietCancelledRequests,
    bind,
    check_port,
    is_loopback,
    needed_token,
)
from runicorn.settings import Settings


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
    read_only_source: str | None = None,
) -> int:
    """Run the viewer until SIGTERM / Ctrl-C. Prints the URL (with the token when one is needed)."""
    import uvicorn

    from runicorn.remote.registry import Registry
    from runicorn.viewer.app import create_app

    check_port(port)
    token = needed_token(host, token)
    app = create_app(
        settings,
        token=token,
        cors_origins=cors_origins,
        resume_mirrors=resume_mirrors,
        read_only_source=read_only_source,
    )
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
