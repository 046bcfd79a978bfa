"""What a channel is: a name, the events it takes, a rate limit, its secrets (for redaction) and
one ``deliver`` call answering an :class:`Outcome`. HTTP channels only build a request from a
message and read the answer; :class:`HttpChannel` does the POST (standard library only)."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from runicorn.notify.message import Message
from runicorn.notify.redact import redact_url

USER_AGENT = "runicorn-notify"
MAX_ANSWER_BYTES = 64 * 1024


@dataclass(frozen=True)
class Outcome:
    """How one delivery went. ``detail`` is "ok" or the service's own words (still unredacted:
    the sender redacts); ``retry`` says whether trying again may help (network, 5xx, 429)."""

    ok: bool
    detail: str
    retry: bool = False


@dataclass(frozen=True)
class HttpRequest:
    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:  # the URL holds the token
        return f"HttpRequest(url={redact_url(self.url)!r}, {len(self.body)} bytes)"


class Channel(ABC):
    """One destination. Subclasses set ``name`` and ``rate_per_minute`` (None: no limit)."""

    name: str = "channel"
    rate_per_minute: int | None = None

    def __init__(self, events: frozenset[str]) -> None:
        self.events = events

    def accepts(self, event: str | None) -> bool:
        """Whether this channel sends ``event`` (None: a test, sent everywhere)."""
        return event is None or event in self.events

    @property
    def secrets(self) -> tuple[str, ...]:
        """The credential strings this channel holds, masked in everything it reports."""
        return ()

    @abstractmethod
    def deliver(self, message: Message, event: str | None, timeout_s: float) -> Outcome:
        """Send once, waiting at most about ``timeout_s``; never raises."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} events={sorted(self.events)}>"


class HttpChannel(Channel):
    """A channel that POSTs JSON to a URL: subclasses write :meth:`build_request` and :meth:`read_answer`."""

    def __init__(self, url: str, events: frozenset[str]) -> None:
        super().__init__(events)
        self.url = url

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.url,)

    @abstractmethod
    def build_request(self, message: Message, event: str | None, now_s: float) -> HttpRequest:
        """The request for ``message`` at wall-clock time ``now_s`` (pure)."""

    def read_answer(self, status: int, body: str) -> Outcome:
        """The outcome of an answer (pure). Default: any 2xx is ok; 5xx and 429 may be retried."""
        if 200 <= status < 300:
            return Outcome(True, "ok")
        return Outcome(False, f"HTTP {status}: {body.strip()[:500]}", retry=status >= 500 or status == 429)

    def deliver(self, message: Message, event: str | None, timeout_s: float) -> Outcome:
        try:
            request = self.build_request(message, event, time.time())
        except Exception as exc:  # a channel bug must not take the sender down
            return Outcome(False, f"cannot build the request: {exc}")
        status, answer, error = post(request, timeout_s)
        if error is not None:
            return Outcome(False, f"cannot reach {redact_url(request.url)}: {error}", retry=True)
        return self.read_answer(status, answer)


class SignedHttpChannel(HttpChannel):
    """An HTTP channel that may sign its requests with a shared ``secret`` (redacted, as the URL is)."""

    def __init__(self, url: str, events: frozenset[str], secret: str = "") -> None:
        super().__init__(url, events)
        self.secret = secret

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.url, self.secret)


def post(request: HttpRequest, timeout_s: float) -> tuple[int, str, str | None]:
    """POST ``request``: (status, answer text, None), or (0, "", why) when no answer came."""
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT, **request.headers}
    req = urllib.request.Request(request.url, data=request.body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as answer:
            return answer.status, _text(answer.read(MAX_ANSWER_BYTES)), None
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, _text(exc.read(MAX_ANSWER_BYTES)), None
        finally:
            exc.close()
    except urllib.error.URLError as exc:
        return 0, "", _reason(exc.reason)
    except TimeoutError:
        return 0, "", f"no answer within {timeout_s:g} s"
    except (OSError, ValueError) as exc:
        return 0, "", _reason(exc)


def _reason(reason: object) -> str:
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "no answer in time"
    return str(reason) or type(reason).__name__


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def json_body(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def json_answer(body: str) -> dict[str, Any] | None:
    """The answer as a JSON object, or None when it is not one."""
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
