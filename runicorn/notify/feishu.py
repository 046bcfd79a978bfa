"""Feishu / Lark custom bot: a text message, signed in the JSON body when a secret is set.
A refusal is ``code != 0`` (older answers say ``StatusCode``)."""

from __future__ import annotations

from typing import Any

from runicorn.notify.channel import HttpRequest, Outcome, SignedHttpChannel, json_answer, json_body
from runicorn.notify.message import Message
from runicorn.notify.signing import feishu_sign


class Feishu(SignedHttpChannel):
    name = "feishu"
    rate_per_minute = 100  # Feishu/Lark: about 100 a minute (and 5 a second) per bot

    def build_request(self, message: Message, event: str | None, now_s: float) -> HttpRequest:
        body: dict[str, Any] = {"msg_type": "text", "content": {"text": message.plain_text()}}
        if self.secret:
            timestamp_s = int(now_s)
            body = {"timestamp": str(timestamp_s), "sign": feishu_sign(self.secret, timestamp_s), **body}
        return HttpRequest(self.url, json_body(body))

    def read_answer(self, status: int, body: str) -> Outcome:
        answer = json_answer(body)
        if answer is None:
            return super().read_answer(status, body)
        code = answer.get("code", answer.get("StatusCode", 0))
        if code != 0:
            return Outcome(
                False, f"{answer.get('msg', answer.get('StatusMessage', ''))} (code {code})".strip()
            )
        return super().read_answer(status, body)
