"""The ``runicorn`` command line: argument parsing and messages only; the work lives elsewhere."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from runicorn.errors import RunicornError


def _add_config(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="show or set the user-level settings")
    p.add_argument("--show", action="store_true", help="print the resolved settings and where they come from")
    p.add_argument("--set-user-root", metavar="PATH", help="remember PATH as the default storage root")
    p.set_defaults(handler=_run_config)


def _run_config(args: argparse.Namespace) -> int:
    from pathlib import Path

    from runicorn import settings

    if args.set_user_root:
        root = Path(args.set_user_root).expanduser().absolute()
        path = settings.write_user_config({"user_root": str(root)})
        print(f"user storage root set to {root} (saved in {path})")
    if args.show or not args.set_user_root:
        resolved = settings.resolve()
        print(f"config file : {settings.user_config_path()}")
        for s in settings.SETTINGS_TABLE:
            print(f"{s.name:<18}: {getattr(resolved, s.name)}  (env {s.env}; {s.help})")
    return 0


def _add_viewer(sub: argparse._SubParsersAction) -> None:
    """Filled in by the viewer (runicorn.viewer)."""


def _add_mirror(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("mirror", help="copy runs from an SSH server into the local storage, live")
    p.add_argument("source", metavar="USER@HOST[:PORT]:/REMOTE/PATH",
                   help="a remote storage root, project, name, runs folder or single run")
    p.add_argument("--storage", metavar="LOCAL", help="local storage root (default: the configured one)")
    p.add_argument("--interval", type=float, default=2.0, metavar="SECONDS", help="seconds between sync cycles")
    p.add_argument("--key", metavar="PATH", help="private key file (default: SSH agent, then ~/.ssh keys)")
    p.add_argument("--password-prompt", action="store_true", help="ask for the password (kept in memory only)")
    p.add_argument("--trust-fingerprint", metavar="SHA256:...",
                   help="accept an unknown host key with this fingerprint without asking")
    p.set_defaults(handler=_run_mirror)


def _run_mirror(args: argparse.Namespace) -> int:
    from runicorn.remote.mirror_command import run_mirror_command

    return run_mirror_command(args)


def _add_archive(sub: argparse._SubParsersAction) -> None:
    """Filled in by export / import (runicorn.archive)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="runicorn", description="Local-first, offline experiment tracker.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_config(sub)
    _add_viewer(sub)
    _add_mirror(sub)
    _add_archive(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from runicorn import __version__

        print(__version__)
        return 0
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except RunicornError as err:
        if args.debug:
            traceback.print_exc()
        print(f"error: {err.message}", file=sys.stderr)
        if err.hint:
            print(f"hint: {err.hint}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
