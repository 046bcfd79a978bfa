"""DingTalk custom robot: a markdown message, signed in the query when a secret is set, with
the security keyword put in when the text lacks it. A refusal is a 200 with ``errcode != 0``."""

from __future__ import annotations

from urllib.parse import urlsplit

from runicorn.notify.channel import HttpRequest, Outcome, SignedHttpChannel, json_answer, json_body
from runicorn.notify.message import Message
from runicorn.notify.signing import dingtalk_sign


class DingTalk(SignedHttpChannel):
    name = "dingtalk"
    rate_per_minute = 20  # DingTalk: at most 20 messages a minute per robot

    def __init__(self, url: str, events: frozenset[str], secret: str = "", keyword: str = "") -> None:
        super().__init__(url, events, secret)
        self.keyword = keyword

    def build_request(self, message: Message, event: str | None, now_s: float) -> HttpRequest:
        title, text = message.title, message.markdown()
        if self.keyword and self.keyword not in text:
            title, text = f"{self.keyword} {title}", f"{self.keyword}\n\n{text}"
        body = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
        url = self.url
        if self.secret:
            timestamp_ms = int(now_s * 1000)
            joiner = "&" if urlsplit(url).query else "?"
            url = f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(self.secret, timestamp_ms)}"
        return HttpRequest(url, json_body(body))

    def read_answer(self, status: int, body: str) -> Outcome:
        answer = json_answer(body)
        if status != 200 or answer is None:
            return super().read_answer(status, body)
        errcode = answer.get("errcode", 0)
        if errcode != 0:
            return Outcome(False, f"{answer.get('errmsg', '')} (errcode {errcode})".strip())
        return Outcome(True, "ok")
