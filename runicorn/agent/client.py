"""A small HTTP client of the agent's API for the CLI (``runicorn submit``, ``jobs``, ``cancel``,
``resume``), on the standard library's urllib: no dependency for a command line."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from runicorn.errors import RunicornError
from runicorn.settings import Settings

DEFAULT_AGENT_URL = "http://127.0.0.1:8100"
TIMEOUT_S = 30.0


class AgentClient:
    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.token = token or None

    @classmethod
    def from_settings(cls, settings: Settings, url: str | None, token: str | None) -> AgentClient:
        return cls(url or settings.agent_url or DEFAULT_AGENT_URL, token or settings.agent_token)

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """The decoded JSON answer; RunicornError with the agent's own message on an error."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
                return json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as exc:
            try:
                error = json.loads(exc.read())
            except ValueError:
                error = {}
            message = error.get("error") or f"HTTP {exc.code}"
            raise RunicornError(f"agent at {self.url}: {message}", error.get("hint")) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RunicornError(
                f"cannot reach the agent at {self.url}: {reason}",
                "start one with `runicorn agent`, or name it with --agent URL (RUNICORN_AGENT_URL)",
            ) from None
