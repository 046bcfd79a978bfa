"""A generic JSON webhook: POSTs the message's fields (with the event and the time sent). With a
secret, ``X-Runicorn-Signature: sha256=<hex>`` is the HMAC-SHA256 of the exact body bytes, keyed
by the secret; the body's ``sent_at`` lets a receiver refuse old replays."""

from __future__ import annotations

from runicorn.notify.channel import HttpRequest, SignedHttpChannel, json_body
from runicorn.notify.message import Message
from runicorn.notify.signing import webhook_signature

SIGNATURE_HEADER = "X-Runicorn-Signature"


class Webhook(SignedHttpChannel):
    name = "webhook"

    def build_request(self, message: Message, event: str | None, now_s: float) -> HttpRequest:
        body = json_body(
            {
                "event": event or "test",
                "title": message.title,
                "text": message.text,
                "level": message.level,
                "fields": message.fields,
                "link": message.link,
                "sent_at": round(now_s, 3),
            }
        )
        headers = {SIGNATURE_HEADER: webhook_signature(self.secret, body)} if self.secret else {}
        return HttpRequest(self.url, body, headers)
