"""The configured channels, from resolved settings (or a plain mapping of setting names): a
channel exists when its address is set; its events are its own ``notify_<channel>_events`` or
else ``notify_events``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from runicorn.errors import ConfigError
from runicorn.notify.channel import Channel
from runicorn.notify.dingtalk import DingTalk
from runicorn.notify.feishu import Feishu
from runicorn.notify.message import parse_events
from runicorn.notify.redact import redact_url
from runicorn.notify.slack import Slack
from runicorn.notify.smtp import SECURITIES, Smtp
from runicorn.notify.webhook import Webhook
from runicorn.settings import SETTINGS_TABLE, Settings, setting_name

CHANNEL_NAMES = ("dingtalk", "feishu", "slack", "webhook", "smtp")
NO_CHANNEL = "none"  # in notify_channels / `--notify none`: no notification at all


def channels_from_settings(settings: Settings | Mapping[str, Any]) -> list[Channel]:
    """Every channel whose address is set, in the order of :data:`CHANNEL_NAMES`."""
    if isinstance(settings, Mapping):
        given = {setting_name(key): value for key, value in settings.items()}
        values = {s.name: given.get(s.name, s.default) for s in SETTINGS_TABLE}
    else:
        values = {s.name: getattr(settings, s.name) for s in SETTINGS_TABLE}

    def get(key: str) -> str:
        return str(values.get(f"notify_{key}") or "").strip()

    def events(channel: str) -> frozenset[str]:
        own = get(f"{channel}_events")
        where = f"notify_{channel}_events" if own else "notify_events"
        return parse_events(own or get("events"), where)

    channels: list[Channel] = []
    if get("dingtalk_webhook"):
        url = _url(get("dingtalk_webhook"), "notify_dingtalk_webhook")
        channels.append(DingTalk(url, events("dingtalk"), get("dingtalk_secret"), get("dingtalk_keyword")))
    if get("feishu_webhook"):
        url = _url(get("feishu_webhook"), "notify_feishu_webhook")
        channels.append(Feishu(url, events("feishu"), get("feishu_secret")))
    if get("slack_webhook"):
        channels.append(Slack(_url(get("slack_webhook"), "notify_slack_webhook"), events("slack")))
    if get("webhook_url"):
        url = _url(get("webhook_url"), "notify_webhook_url")
        channels.append(Webhook(url, events("webhook"), get("webhook_secret")))
    if get("smtp_host"):
        channels.append(_smtp(get, str(values.get("notify_smtp_password") or ""), events("smtp")))
    return channels


def _url(url: str, setting: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{setting} is not an http(s) URL: {redact_url(url)}",
            "paste the webhook address exactly as the service shows it",
        )
    return url


def _smtp(get: Any, password: str, events: frozenset[str]) -> Smtp:
    security = get("smtp_security").lower() or "starttls"
    if security not in SECURITIES:
        raise ConfigError(f"notify_smtp_security is {security!r}", f"use one of {', '.join(SECURITIES)}")
    recipients = tuple(to.strip() for to in get("smtp_to").split(",") if to.strip())
    if not recipients:
        raise ConfigError(
            "notify_smtp_host is set but notify_smtp_to names no recipient",
            "set RUNICORN_NOTIFY_SMTP_TO to one or more comma-separated addresses",
        )
    try:
        port = int(get("smtp_port") or 0)
    except ValueError:
        raise ConfigError(
            f"notify_smtp_port is not a number: {get('smtp_port')!r}", "give a port such as 587"
        ) from None
    return Smtp(
        get("smtp_host"),
        events,
        port=port,
        security=security,
        user=get("smtp_user"),
        password=password,
        sender=get("smtp_from"),
        recipients=recipients,
    )


def selected_channels(settings: Settings, names: Sequence[str] | None = None) -> list[Channel]:
    """The configured channels that ``names`` (``runicorn run --notify``), else the
    ``notify_channels`` setting, select: every configured one when they name none."""
    where = "--notify"
    if not names:
        names = [n for n in settings.notify_channels.split(",") if n.strip()]
        where = "notify_channels"
    return select_channels(channels_from_settings(settings), names, where)


def select_channels(configured: Sequence[Channel], names: Sequence[str], where: str) -> list[Channel]:
    """The channels ``names`` selects among ``configured`` (all of them when it names none; none
    for ``none``). Raises ConfigError, naming ``where``, for a name that is no channel or is
    not configured."""
    wanted = [n.strip().lower() for n in names if n.strip()]
    if not wanted:
        return list(configured)
    if NO_CHANNEL in wanted:
        if len(set(wanted)) > 1:
            raise ConfigError(
                f"{where}: {NO_CHANNEL} was given with channels ({', '.join(wanted)})",
                f"give either {NO_CHANNEL} or the channels to use",
            )
        return []
    for name in wanted:
        if name not in CHANNEL_NAMES:
            raise ConfigError(
                f"{where}: no channel is called {name!r}",
                f"use one of {', '.join(CHANNEL_NAMES)}, or {NO_CHANNEL}",
            )
        if not any(c.name == name for c in configured):
            raise ConfigError(
                f"{where} {name}: the {name} channel is not configured",
                "set its address (see `runicorn config --show` and docs/notify.md)",
            )
    return [c for c in configured if c.name in wanted]
