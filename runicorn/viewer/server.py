"""``runicorn viewer``: serves :func:`create_app` with uvicorn (docs/viewer.md, docs/cli.md#viewer).

Binds 127.0.0.1 by default and connects nowhere by itself: the mirrors of the mirror file
resume only with ``resume_mirrors`` (``--resume-mirrors``). Every request needs the owner's
token, on loopback too (other local users reach loopback as well), like Jupyter: the one given,
else the one kept in the user's viewer token file (made on first start, so bookmarks keep
working), printed in the URL at start. ``no_token`` (``--no-token``) serves loopback without
one, for a single-user laptop. The socket
is bound before uvicorn starts, so a busy port is a clear error and ``port`` 0 prints the port it
got (a port outside 0-65535 is refused by name). SIGTERM and Ctrl-C stop the server within about
a second (open WebSockets are closed, not waited for).
"""

from __future__ import annotations

import socket
import sys
import threading
import webbrowser
from collections.abc import Callable, Sequence
from urllib.parse import quote

from runicorn.errors import ConfigError
from runicorn.gate.listen import bind, check_port, checked_token, is_loopback, serve_app
from runicorn.gate.owner_token import owner_token, viewer_token_path
from runicorn.settings import Settings
from runicorn.store.query.columns_warmer import ColumnsWarmer


def viewer_url(host: str, port: int, token: str | None) -> str:
    shown = host
    if host in ("0.0.0.0", "::", ""):
        shown = socket.gethostname()
    elif ":" in host and not host.startswith("["):
        shown = f"[{host}]"
    url = f"http://{shown}:{port}/"
    return f"{url}?token={quote(token)}" if token else url


def viewer_token(host: str, given: str | None, no_token: bool) -> str | None:
    """The token the viewer will require: ``given`` (``--token``), else the owner's viewer token
    file (made on first use); None with ``no_token``, which only a loopback ``host`` allows."""
    if no_token:
        if given:
            raise ConfigError("--no-token and --token contradict each other", "give one of them")
        if not is_loopback(host):
            raise ConfigError(
                f"--no-token serves loopback only, not --host {host}",
                "leave out --no-token: anyone who can reach the address would read your runs",
            )
        return None
    return checked_token(given) if given else owner_token(viewer_token_path())


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    no_token: bool = False,
    open_browser: bool = False,
    cors_origins: Sequence[str] = (),
    resume_mirrors: bool = False,
    read_only_source: str | None = None,
    fetch_first: Callable[[str], None] | None = None,
    columns_warmer: ColumnsWarmer | None = None,
) -> int:
    """Run the viewer until SIGTERM / Ctrl-C. Prints the URL, with the token unless ``no_token``.
    ``columns_warmer``: started by the caller (see :func:`~runicorn.viewer.app.create_app`)."""
    from runicorn.remote.registry import Registry
    from runicorn.viewer.app import create_app

    check_port(port)
    token = viewer_token(host, token, no_token)
    app = create_app(
        settings,
        token=token,
        cors_origins=cors_origins,
        resume_mirrors=resume_mirrors,
        read_only_source=read_only_source,
        fetch_first=fetch_first,
        columns_warmer=columns_warmer,
    )
    sock = bind(host, port)
    bound_port = sock.getsockname()[1]
    url = viewer_url(host, bound_port, token)
    # one write: whoever reads the URL line reads the lines that qualify it too
    lines = [
        f"Runicorn viewer: {url}",
        f"storage root   : {settings.storage}  (chosen by: {settings.storage_rule})",
    ]
    if not settings.storage.is_dir():
        lines.append("                 (does not exist yet: runs appear once something writes there)")
    if token is None:
        lines.append(
            "no token       : --no-token: every user of this machine can open it (fine on a one-user laptop)"
        )
    elif not is_loopback(host):
        lines.append("reachable from the network: the token in the URL is required on every request")
    else:
        lines.append("token          : required on every request (`runicorn viewer token` prints it)")
    saved = len(Registry(settings.storage).mirrors())
    if saved and not resume_mirrors:
        lines.append(f"mirrors        : {saved} in the mirror file, not resumed (--resume-mirrors does)")
    lines.append("press Ctrl-C to stop")
    print("\n".join(lines), flush=True)
    if open_browser:
        threading.Timer(0.3, webbrowser.open, args=(url,)).start()
    serve_app(app, sock)
    print("viewer stopped", file=sys.stderr, flush=True)
    return 0
