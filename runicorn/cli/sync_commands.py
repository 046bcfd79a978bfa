"""`runicorn sync` and `runicorn pull`: runs to and from an object store."""

from __future__ import annotations

import argparse

from runicorn.cli.output import _bar


def _add_sync(sub: argparse._SubParsersAction) -> None:
    """``runicorn sync`` and ``runicorn pull`` (runicorn.sync)."""
    p = sub.add_parser("sync", help="upload the runs of a storage root to s3://BUCKET/PREFIX (resumable)")
    p.add_argument("root", metavar="ROOT", help="the storage root to upload")
    p.add_argument("url", metavar="s3://BUCKET/PREFIX", help="where the runs go")
    p.add_argument("--watch", action="store_true", help="keep running runs in sync until Ctrl-C")
    p.add_argument(
        "--interval", type=float, default=2.0, metavar="SECONDS", help="with --watch: seconds between syncs"
    )
    p.add_argument("--endpoint-url", metavar="URL", help="the object store's endpoint (non-AWS stores)")
    p.set_defaults(handler=_run_sync)
    p = sub.add_parser("pull", help="bring runs from s3://BUCKET/PREFIX back as ordinary run folders")
    p.add_argument(
        "url", metavar="s3://BUCKET/PREFIX", help="a prefix that `runicorn sync` wrote, or one run"
    )
    p.add_argument("root", metavar="ROOT", help="the storage root the runs land in")
    p.add_argument("--endpoint-url", metavar="URL", help="the object store's endpoint (non-AWS stores)")
    p.set_defaults(handler=_run_pull)


def _run_sync(args: argparse.Namespace) -> int:
    from pathlib import Path

    from runicorn import settings
    from runicorn.sync.command import run_sync_command

    resolved = settings.resolve(sync_endpoint_url=args.endpoint_url)
    root = Path(args.root).expanduser().absolute()
    return run_sync_command(root, args.url, resolved, args.watch, args.interval, _bar)


def _run_pull(args: argparse.Namespace) -> int:
    from pathlib import Path

    from runicorn import settings
    from runicorn.sync.command import run_pull_command

    resolved = settings.resolve(sync_endpoint_url=args.endpoint_url)
    return run_pull_command(args.url, Path(args.root).expanduser().absolute(), resolved, _bar)
