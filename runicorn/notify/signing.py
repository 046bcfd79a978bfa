"""Signatures of the chat services, as pure functions of (secret, time): each service's
documented rule, tested against vectors worked out from that rule.

DingTalk and Feishu/Lark differ on purpose-looking details: DingTalk signs ``"{ms}\\n{secret}"``
keyed by the secret (milliseconds, into the query); Feishu keys the HMAC with
``"{s}\\n{secret}"`` over an empty message (seconds, into the JSON body).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote_plus


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's ``sign`` query value, URL-encoded:
    base64(HMAC-SHA256(key=secret, msg="{ms}\\n{secret}"))."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu/Lark's ``sign`` body value: base64(HMAC-SHA256(key="{s}\\n{secret}", msg=b""))."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def webhook_signature(secret: str, body: bytes) -> str:
    """The generic webhook's ``X-Runicorn-Signature`` header: ``sha256=`` + hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
