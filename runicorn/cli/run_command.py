"""`runicorn run`: a command recorded as a run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runicorn.cli.options import add_storage


def _add_run(sub: argparse._SubParsersAction) -> None:
    """``runicorn run`` (runicorn.launch): a command recorded as a run."""
    p = sub.add_parser(
        "run",
        help="run a command on a pty and record it as a run (console, exit code, git, system metrics)",
        usage="runicorn run [options] [--] CMD [ARGS...]",
    )
    p.add_argument("--project", metavar="P", help="project (default: the git repository's or folder's name)")
    p.add_argument("--name", metavar="N", help="experiment name (default: the script's name)")
    p.add_argument("--tag", action="append", default=[], metavar="T", help="a tag (repeatable)")
    p.add_argument("--notes", metavar="TEXT", help="notes about the run")
    add_storage(p)
    p.add_argument(
        "--timeout",
        metavar="0|SECONDS|5h|2d",
        help="stop each attempt after this long: SIGTERM, SIGKILL after a grace, exit 124 "
        "(default: RUNICORN_RUN_TIMEOUT, 0 = none)",
    )
    p.add_argument("--retries", type=int, default=0, metavar="K", help="run again up to K times on failure")
    p.add_argument("--retry-delay", default="0", metavar="S", help="wait between attempts (seconds, 5m...)")
    p.add_argument("--retry-on-timeout", action="store_true", help="also retry an attempt that timed out")
    p.add_argument(
        "--notify",
        action="append",
        default=[],
        metavar="CHANNEL",
        help="send notifications to this channel only (repeatable; default: every configured "
        "channel; none: no notification). See docs/notify.md",
    )
    p.add_argument("--require-clean", action="store_true", help="refuse to start with uncommitted changes")
    p.add_argument(
        "--run-id",
        metavar="ID",
        help="record into the run with this id (continued when it exists, as a job's attempts are)",
    )
    p.add_argument("--container-plan", type=Path, help=argparse.SUPPRESS)  # an agent's Docker job
    p.add_argument("command", nargs=argparse.REMAINDER, metavar="CMD", help="the command and its arguments")
    p.set_defaults(handler=_run_run)


def _run_run(args: argparse.Namespace) -> int:
    from runicorn import settings
    from runicorn.launch import Launcher, LaunchOptions
    from runicorn.launch.notify_observer import NotifyObserver
    from runicorn.launch.recorder_env import take_recorder_env
    from runicorn.launch.timeout import parse_duration

    command_env = take_recorder_env()  # an agent's job: its settings for us, not for the command
    if command_env is not None and command_env.problem:
        print(f"runicorn run: {command_env.problem}; going on without them", file=sys.stderr, flush=True)

    command = list(args.command)
    if command[:1] == ["--"]:
        command = command[1:]
    resolved = settings.resolve(storage=args.storage)
    timeout = args.timeout if args.timeout is not None else resolved.run_timeout
    options = LaunchOptions(
        command=command,
        project=args.project,
        name=args.name,
        tags=args.tag,
        notes=args.notes,
        timeout_s=parse_duration(timeout, "--timeout"),
        retries=args.retries,
        retry_delay_s=parse_duration(args.retry_delay, "--retry-delay") or 0.0,
        retry_on_timeout=args.retry_on_timeout,
        grace_s=resolved.run_grace_s,
        notify=args.notify,
        require_clean=args.require_clean,
        run_id=args.run_id,
        base_env=command_env.env if command_env is not None else None,
        container_plan=args.container_plan,
    )
    launcher = Launcher(resolved, options)
    notify = NotifyObserver.from_settings(resolved, options.notify, report=launcher.note)
    launcher.observers.append(notify)
    if not resolved.sync_url:
        return launcher.launch().exit_code
    from runicorn.sync import SyncObserver

    sync = SyncObserver(resolved, report=lambda text: print(text, file=sys.stderr))
    launcher.observers.append(sync)
    try:
        return launcher.launch().exit_code
    finally:
        sync.finish()
