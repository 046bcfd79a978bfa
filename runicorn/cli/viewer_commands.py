"""`runicorn viewer` and `runicorn mirror`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from runicorn.cli.options import add_bind, add_cors_origin

if TYPE_CHECKING:
    from runicorn.settings import Settings
    from runicorn.store.query.columns_warmer import ColumnsWarmer


def _add_viewer(sub: argparse._SubParsersAction) -> None:
    """``runicorn viewer`` (runicorn.viewer.server)."""
    p = sub.add_parser("viewer", help="serve the read-only web viewer over a storage root")
    p.add_argument(
        "--storage",
        metavar="PATH",
        help="storage root to show (default: the configured one), or s3://BUCKET/PREFIX to show "
        "the runs synced there (read through a local cache)",
    )
    p.add_argument("--endpoint-url", metavar="URL", help="with s3://: the object store's endpoint")
    add_bind(p, 8000)
    p.add_argument("--open", action="store_true", help="open the viewer in a web browser")
    tokens = p.add_mutually_exclusive_group()
    tokens.add_argument(
        "--token",
        metavar="T",
        help="require this token (default: your own viewer token file, made on first start)",
    )
    tokens.add_argument(
        "--no-token",
        action="store_true",
        help="require no token, loopback only: every user of this machine can open it (a one-user laptop)",
    )
    add_cors_origin(
        p,
        "allow this web origin (scheme://host:port, never '*') to call the API "
        "and change things (repeatable; none by default)",
    )
    p.add_argument(
        "--resume-mirrors",
        action="store_true",
        help="restart the SSH mirrors listed in the storage root's mirror file (default: connect nowhere)",
    )
    p.set_defaults(handler=_run_viewer)
    actions = p.add_subparsers(dest="viewer_action", metavar="token")
    t = actions.add_parser("token", help="print the viewer's token (made now if no viewer started yet)")
    t.set_defaults(handler=_run_viewer_token)


def _run_viewer_token(args: argparse.Namespace) -> int:
    from runicorn.gate.owner_token import owner_token, viewer_token_path

    print(owner_token(viewer_token_path()))
    return 0


def _run_viewer(args: argparse.Namespace) -> int:
    from runicorn import settings
    from runicorn.sync.bucket import is_bucket_url

    if not (args.storage and is_bucket_url(args.storage)):
        from runicorn.store.query.columns_warmer import ColumnsWarmer

        resolved = settings.resolve(storage=args.storage)
        # started before the server is imported: its answer is ready about when the first page is
        warmer = ColumnsWarmer.start(resolved.storage)
        try:
            from runicorn.viewer.server import serve

            return _serve(serve, resolved, args, columns_warmer=warmer)
        finally:
            if warmer is not None:
                warmer.stop()
    from runicorn.sync.cache_filler import start_cache_filler

    url_settings = settings.resolve(sync_endpoint_url=args.endpoint_url)
    filler = start_cache_filler(args.storage, url_settings.sync_endpoint_url)
    try:
        from runicorn.viewer.server import serve  # imported while the filler checks the bucket

        cache = filler.wait_ready()
        print(f"bucket         : {args.storage} (read-only, cached in {cache})", flush=True)
        resolved = settings.resolve(storage=str(cache))
        return _serve(serve, resolved, args, read_only_source=args.storage, fetch_first=filler.fetch_first)
    finally:
        filler.stop()


def _serve(
    serve: Callable[..., int],
    resolved: Settings,
    args: argparse.Namespace,
    read_only_source: str | None = None,
    fetch_first: Callable[[str], None] | None = None,
    columns_warmer: ColumnsWarmer | None = None,
) -> int:
    return serve(
        resolved,
        host=args.host,
        port=args.port,
        token=args.token,
        no_token=args.no_token,
        open_browser=args.open,
        cors_origins=args.cors_origin,
        resume_mirrors=args.resume_mirrors,
        read_only_source=read_only_source,
        fetch_first=fetch_first,
        columns_warmer=columns_warmer,
    )


def _add_mirror(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("mirror", help="copy runs from an SSH server into the local storage, live")
    p.add_argument(
        "source",
        metavar="USER@HOST[:PORT]:/REMOTE/PATH",
        help="a remote storage root, project, name, runs folder or single run",
    )
    p.add_argument("--storage", metavar="LOCAL", help="local storage root (default: the configured one)")
    p.add_argument(
        "--interval", type=float, default=2.0, metavar="SECONDS", help="seconds between sync cycles"
    )
    p.add_argument("--key", metavar="PATH", help="private key file (default: SSH agent, then ~/.ssh keys)")
    p.add_argument(
        "--password-prompt", action="store_true", help="ask for the password (kept in memory only)"
    )
    p.add_argument(
        "--trust-fingerprint",
        metavar="SHA256:...",
        help="accept an unknown host key with this fingerprint without asking",
    )
    p.set_defaults(handler=_run_mirror)


def _run_mirror(args: argparse.Namespace) -> int:
    from runicorn.remote.mirror_command import run_mirror_command

    return run_mirror_command(args)
