"""`runicorn config` and `runicorn notify test`."""

from __future__ import annotations

import argparse

from runicorn.errors import ConfigError


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
        from runicorn.cli.setting_values import check_setting_value

        name = settings.setting_name(args.set[0])
        check_setting_value(name, args.set[1])  # refused here, not by every later run
        path = settings.write_user_config({name: args.set[1]})
        shown = "(hidden)" if name in settings.SECRET_SETTINGS else repr(args.set[1])
        print(f"{name} set to {shown} (saved in {path})")
    if args.show or not (args.set_user_root or args.set):
        from runicorn.notify.redact import redact_url

        resolved = settings.resolve()
        print(f"config file : {settings.user_config_path()}")
        print(f"storage root: {resolved.storage}  (chosen by: {resolved.storage_rule})")
        for s in settings.SETTINGS_TABLE:
            value = getattr(resolved, s.name)
            if s.name in settings.SECRET_SETTINGS and value:
                value = redact_url(value) if "://" in value else "*** (set)"
            print(f"{s.name:<18}: {value}  (env {s.env}; {s.help})")
    return 0


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
        on_result=lambda name, ok, detail, _event: answers.__setitem__(name, (ok, detail)),
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
