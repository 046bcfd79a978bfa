"""Whether a value can be kept for a setting: what ``runicorn config --set`` checks before it
writes the user config, so that a mistyped value is refused once, at the keyboard, instead of
failing every later run (docs/cli.md#runicorn-config).

It checks what the code that uses the setting would refuse: the type and range of the table
(runicorn/settings.py), the notification events and channels, webhook and viewer addresses,
the SMTP security and port, durations and the bucket URL.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlsplit

from runicorn import settings
from runicorn.errors import ConfigError

MODES = ("online", "disabled")
_URL_SETTINGS = frozenset(
    {
        "viewer_url",
        "agent_url",
        "sync_endpoint_url",
        "notify_dingtalk_webhook",
        "notify_feishu_webhook",
        "notify_slack_webhook",
        "notify_webhook_url",
    }
)
_COUNT_SETTINGS = frozenset({"max_archive_entries", "max_archive_bytes", "max_upload_bytes"})


def check_setting_value(name: str, text: str) -> None:
    """Raise ConfigError (``error`` + ``hint``) when ``text`` is no value the setting ``name``
    (a table name, see :func:`runicorn.settings.setting_name`) can take. An empty text clears a
    setting and is always accepted."""
    setting = next(s for s in settings.SETTINGS_TABLE if s.name == name)
    if text == "":
        return
    try:
        value = settings.coerce_setting(setting, text)
    except ConfigError as err:
        raise ConfigError(err.message, f"{setting.help} (default: {setting.default!r})") from None
    if isinstance(value, (int, float)) and not math.isfinite(value):
        raise ConfigError(f"setting {name}={text!r} is not a finite number", f"{setting.help}")
    if name in _COUNT_SETTINGS and value < 1:
        raise ConfigError(f"setting {name}={text!r} must be 1 or more", f"{setting.help}")
    if name in ("max_archive_ratio", "run_grace_s") and value < (1 if name == "max_archive_ratio" else 0):
        raise ConfigError(f"setting {name}={text!r} is out of range", f"{setting.help}")
    if name == "mode" and value not in MODES:
        raise ConfigError(f"setting mode={text!r} is not a mode", f"use one of {', '.join(MODES)}")
    if name == "run_timeout":
        from runicorn.launch.timeout import parse_duration

        parse_duration(text, "run_timeout")
    if name in _URL_SETTINGS:
        _check_url(name, text)
    if name == "sync_url":
        _check_bucket(text)
    if name.startswith("notify_"):
        _check_notify(name, text, value)


def _check_url(name: str, text: str) -> None:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        from runicorn.notify.redact import redact_url

        shown = "(hidden)" if name in settings.SECRET_SETTINGS else repr(redact_url(text))
        raise ConfigError(
            f"setting {name} is not an http(s) URL: {shown}",
            "give the whole address, such as https://host/path, exactly as the service shows it",
        )


def _check_bucket(text: str) -> None:
    from runicorn.sync.bucket import parse_bucket_url

    parse_bucket_url(text)


def _check_notify(name: str, text: str, value: Any) -> None:
    from runicorn.notify import CHANNEL_NAMES
    from runicorn.notify.config import NO_CHANNEL
    from runicorn.notify.message import parse_events
    from runicorn.notify.smtp import SECURITIES

    if name.endswith("_events"):
        parse_events(text, name)
    elif name == "notify_channels":
        names = [n for n in text.split(",") if n.strip()]
        unknown = [n.strip() for n in names if n.strip().lower() not in (*CHANNEL_NAMES, NO_CHANNEL)]
        if unknown:
            raise ConfigError(
                f"notify_channels: no channel is called {unknown[0]!r}",
                f"use a comma-separated list of {', '.join(CHANNEL_NAMES)}, or {NO_CHANNEL}",
            )
        if NO_CHANNEL in {n.strip().lower() for n in names} and len(names) > 1:
            raise ConfigError(
                f"notify_channels: {NO_CHANNEL} was given with channels",
                f"give either {NO_CHANNEL} or the channels to use",
            )
    elif name == "notify_smtp_security" and text.lower() not in SECURITIES:
        raise ConfigError(f"notify_smtp_security is {text!r}", f"use one of {', '.join(SECURITIES)}")
    elif name == "notify_smtp_port" and not 0 <= value <= 65535:
        raise ConfigError(
            f"notify_smtp_port {text!r} is no TCP port", "give 0 (the default for the security) to 65535"
        )
