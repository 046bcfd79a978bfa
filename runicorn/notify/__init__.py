"""Notifications to chat services and e-mail: DingTalk, Feishu/Lark, Slack, a JSON webhook, SMTP.

A leaf: it knows nothing of runs. A caller builds a :class:`Message`, gets the configured
channels from :func:`channels_from_settings` and hands both to one :class:`Notifier`, whose
``send`` never blocks or raises. See docs/notify.md.
"""

from __future__ import annotations

from runicorn.notify.channel import Channel, HttpChannel, HttpRequest, Outcome
from runicorn.notify.config import (
    CHANNEL_NAMES,
    NO_CHANNEL,
    channels_from_settings,
    select_channels,
    selected_channels,
)
from runicorn.notify.dingtalk import DingTalk
from runicorn.notify.feishu import Feishu
from runicorn.notify.message import EVENTS, LEVELS, Message
from runicorn.notify.notifier import Notifier, OnResult
from runicorn.notify.ratelimit import RateLimit
from runicorn.notify.redact import redact, redact_url
from runicorn.notify.slack import Slack
from runicorn.notify.smtp import Smtp
from runicorn.notify.webhook import Webhook

__all__ = [
    "CHANNEL_NAMES",
    "EVENTS",
    "LEVELS",
    "NO_CHANNEL",
    "Channel",
    "DingTalk",
    "Feishu",
    "HttpChannel",
    "HttpRequest",
    "Message",
    "Notifier",
    "OnResult",
    "Outcome",
    "RateLimit",
    "Slack",
    "Smtp",
    "Webhook",
    "channels_from_settings",
    "redact",
    "select_channels",
    "selected_channels",
    "redact_url",
]
