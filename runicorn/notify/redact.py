"""One redaction for every text that may hold a credential: an answer, an error, a repr.

Webhook URLs carry their access token in the query (DingTalk ``access_token=``) or the path
(Feishu ``/hook/<token>``, Slack ``/services/T/B/<token>``); signing secrets and passwords are
plain strings. Nothing a channel reports leaves it without passing through :func:`redact`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, urlsplit

MASK = "***"

_QUERY_SECRET = re.compile(r"(?i)\b(access_token|token|key|secret|sign|password)=[^&\s\"'<>]+")
_PATH_SECRET = re.compile(r"(?i)(/hook/|/services/)[^\s\"'<>?#]+")


def redact_url(url: str) -> str:
    """A webhook URL as safe to show: its scheme and host, the rest masked."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        return MASK
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}/{MASK}"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with each of ``secrets`` (as given and URL-quoted; longest first), and anything
    shaped like a token in a URL, replaced by ``***``."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote(secret)}:
            text = text.replace(form, MASK)
    text = _QUERY_SECRET.sub(lambda m: f"{m.group(1)}={MASK}", text)
    return _PATH_SECRET.sub(lambda m: f"{m.group(1)}{MASK}", text)
