"""Slack incoming webhook: ``{"text": ...}`` in Slack's mrkdwn; it answers ``ok``, or an error
word such as ``invalid_token`` / ``no_service`` with a 4xx status."""

from __future__ import annotations

from runicorn.notify.channel import HttpChannel, HttpRequest, json_body
from runicorn.notify.message import Message


class Slack(HttpChannel):
    name = "slack"
    rate_per_minute = 60  # Slack: about one message a second per webhook

    def build_request(self, message: Message, event: str | None, now_s: float) -> HttpRequest:
        text = "\n".join([f"*{message.title}*", *message.lines()])
        return HttpRequest(self.url, json_body({"text": text}))
