"""The ``runicorn`` command line: argument parsing and messages only; the work lives elsewhere."""

from __future__ import annotations

import argparse
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from runicorn.errors import RunicornError

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


def _add_config(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="show or set the user-level settings")
    p.add_argument("--show", action="store_true", help="print the resolved settings and where they come from")
    p.add_argument("--set-user-root", metavar="PATH", help="remember PATH as the default storage root")
    p.add_argument(
        "--set",
        nargs=2,
        metavar=("KEY", "VALUE"),
        help="remember a setting in the user config (KEY as in --show, or dotted: notify.slack.webhook)",
    )
    p.set_defaults(handler=_run_config)


def _run_config(args: argparse.Namespace) -> int:
    from pathlib import Path

    from runicorn import settings

    if args.set_user_root:
        root = Path(args.set_user_root).expanduser().absolute()
        path = settings.write_user_config({"user_root": str(root)})
        print(f"user storage root set to {root} (saved in {path})")
    if args.set:
        name = settings.setting_name(args.set[0])
        path = settings.write_user_config({name: args.set[1]})
        shown = "(hidden)" if name in settings.SECRET_SETTINGS else repr(args.set[1])
        print(f"{name} set to {shown} (saved in {path})")
    if args.show or not (args.set_user_root or args.set):
        from runicorn.notify.redact import redact_url

        resolved = settings.resolve()
        print(f"config file : {settings.user_config_path()}")
        for s in settings.SETTINGS_TABLE:
            value = getattr(resolved, s.name)
            if s.name in settings.SECRET_SETTINGS and value:
                value = redact_url(value) if "://" in value else "*** (set)"
            print(f"{s.name:<18}: {value}  (env {s.env}; {s.help})")
    return 0


def _add_viewer(sub: argparse._SubParsersAction) -> None:
    """``runicorn viewer`` (runicorn.viewer.server)."""
    p = sub.add_parser("viewer", help="serve the read-only web viewer over a storage root")
    p.add_argument("--storage", metavar="PATH", help="storage root to show (default: the configured one)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1; any other address requires a token)",
    )
    p.add_argument("--port", type=int, default=8000, help="port to bind (default 8000; 0 picks a free one)")
    p.add_argument("--open", action="store_true", help="open the viewer in a web browser")
    p.add_argument("--token", metavar="T", help="require this token (default: a random one off loopback)")
    p.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="allow this web origin to call the API (repeatable; none by default)",
    )
    p.set_defaults(handler=_run_viewer)


def _run_viewer(args: argparse.Namespace) -> int:
    from runicorn import settings
    from runicorn.viewer.server import serve

    resolved = settings.resolve(storage=args.storage)
    return serve(
        resolved,
        host=args.host,
        port=args.port,
        token=args.token,
        open_browser=args.open,
        cors_origins=args.cors_origin,
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


def _add_archive(sub: argparse._SubParsersAction) -> None:
    """``runicorn export`` and ``runicorn import`` (runicorn.archive)."""
    p = sub.add_parser("export", help="write runs into a .zip or .tar.gz archive with a manifest")
    p.add_argument("out", metavar="OUT", help="the archive to write: OUT.zip or OUT.tar.gz")
    p.add_argument("--storage", metavar="ROOT", help="storage root to export from")
    p.add_argument("--project", action="append", default=[], metavar="P", help="only runs of project P")
    p.add_argument("--name", action="append", default=[], metavar="N", help="only runs of experiment name N")
    p.add_argument("--run", action="append", default=[], metavar="ID", nargs="+", help="only these run ids")
    p.set_defaults(handler=_run_export)
    p = sub.add_parser("import", help="import runs from archives (ours or the PyPI Runicorn package's)")
    p.add_argument("files", nargs="+", metavar="FILE", help="archives to import (.zip, .tar, .tar.gz)")
    p.add_argument("--storage", metavar="ROOT", help="storage root to import into")
    p.set_defaults(handler=_run_import)


def _progress() -> Progress:
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    console = Console(stderr=True)
    return Progress(*columns, console=console, transient=True, disable=not console.is_terminal)


def _updater(bar: Progress, task: TaskID) -> Callable[[int, int], None]:
    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return update


def _run_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from runicorn import archive, settings

    resolved = settings.resolve(storage=args.storage)
    out = Path(args.out)
    archive.archive_kind(out)
    run_ids = [run_id for group in args.run for run_id in group]
    runs = archive.select_runs(resolved.storage, args.project, args.name, run_ids)
    with _progress() as bar:
        task = bar.add_task(f"exporting {len(runs)} runs", total=None)
        result = archive.export_runs(resolved.storage, out, runs, _updater(bar, task))
    print(f"exported {result.runs} runs ({result.files} files, {result.bytes} bytes) to {result.path}")
    return 0


def _run_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from runicorn import archive, settings

    resolved = settings.resolve(storage=args.storage)
    limits = archive.ArchiveLimits.from_settings(resolved)
    failed = 0
    for file in args.files:
        try:
            with _progress() as bar:
                task = bar.add_task(f"importing {Path(file).name}", total=None)
                results = archive.import_archive(Path(file), resolved.storage, limits, _updater(bar, task))
        except RunicornError as err:
            _print_error(err, args.debug)
            failed += 1
            continue
        for r in results:
            where = f"{r.project}/{r.name}"
            if r.outcome == "imported":
                print(f"imported {r.run_id} into {where} ({r.files} files)")
            elif r.outcome == "skipped":
                print(f"skipped  {r.run_id}: an identical run is already in {where}")
            else:
                print(f"imported {r.run_id} as {r.new_id} into {where}: a different run already has that id")
    return 1 if failed else 0


def _add_notify(sub: argparse._SubParsersAction) -> None:
    """``runicorn notify test [CHANNEL]`` (runicorn.notify)."""
    p = sub.add_parser("notify", help="check the chat and e-mail notification channels")
    actions = p.add_subparsers(dest="notify_action", metavar="ACTION", required=True)
    t = actions.add_parser("test", help="send a test message through the configured channels")
    t.add_argument(
        "channel", nargs="?", metavar="CHANNEL", help="only this one: dingtalk, feishu, slack, ..."
    )
    t.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help="per attempt (default 10)")
    t.set_defaults(handler=_run_notify_test)


def _run_notify_test(args: argparse.Namespace) -> int:
    import socket

    from runicorn import settings
    from runicorn.errors import ConfigError
    from runicorn.notify import CHANNEL_NAMES, Message, Notifier, channels_from_settings

    resolved = settings.resolve()
    channels = channels_from_settings(resolved)
    if args.channel:
        if args.channel not in CHANNEL_NAMES:
            raise ConfigError(
                f"no channel is called {args.channel!r}", f"use one of {', '.join(CHANNEL_NAMES)}"
            )
        channels = [c for c in channels if c.name == args.channel]
    if not channels:
        which = args.channel or "notification channel"
        raise ConfigError(f"no {which} is configured", "see `runicorn config --show` and docs/notify.md")
    answers: dict[str, tuple[bool, str]] = {}
    notifier = Notifier(
        channels,
        on_result=lambda name, ok, detail: answers.__setitem__(name, (ok, detail)),
        timeout_s=args.timeout,
        max_attempts=2,
        retry_backoff_s=1.0,
    )
    message = Message(
        "Runicorn test message",
        f"Sent by `runicorn notify test` on {socket.gethostname()}.",
        fields={"events": resolved.notify_events},
        link=resolved.viewer_url or None,
    )
    notifier.send(message, event=None)
    notifier.close(timeout_s=2 * args.timeout + 5)
    for channel in channels:
        ok, detail = answers.get(channel.name, (False, "no answer before the time ran out"))
        print(f"{channel.name:<9} {'ok' if ok else 'failed: ' + detail}")
    return 0 if all(answers.get(c.name, (False, ""))[0] for c in channels) else 1


def _print_error(err: RunicornError, debug: bool) -> None:
    """The CLI's error shape: ``error: what happened`` then ``hint: what to do`` (traceback with --debug)."""
    if debug:
        traceback.print_exc()
    print(f"error: {err.message}", file=sys.stderr)
    if err.hint:
        print(f"hint: {err.hint}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="runicorn", description="Local-first, offline experiment tracker.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_config(sub)
    _add_viewer(sub)
    _add_mirror(sub)
    _add_archive(sub)
    _add_notify(sub)
    return parser


def _unblock_stop_signals() -> None:
    """Unblock SIGINT and SIGTERM in this (main) thread before any other thread starts: a mask
    inherited from the program that started us would make Ctrl-C and ``kill`` do nothing, and
    the viewer and the mirror run until stopped."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


def main(argv: Sequence[str] | None = None) -> int:
    _unblock_stop_signals()
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
        _print_error(err, args.debug)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
