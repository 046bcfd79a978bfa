"""A small HTTP client of the agent's API for the CLI (``runicorn submit``, ``jobs``, ``cancel``,
``resume``), on the standard library's http.client: no dependency for a command line.

It finds the owner's token by itself (docs/agent.md#security-model): ``--token``, else the
``agent_token`` setting, else, for an agent on loopback, the token file the agent made
(runicorn/gate/owner_token.py). It sends a token to a loopback agent only after checking that
the socket it reached belongs to the user (or root): another local user listening on the port
while the agent is down learns nothing.
"""

from __future__ import annotations

import http.client
import json
import os
from typing import Any
from urllib.parse import urlsplit

from runicorn.errors import ConfigError, RunicornError
from runicorn.gate.listen import is_loopback
from runicorn.gate.loopback_peer import peer_uid
from runicorn.gate.owner_token import agent_token_path, owner_token
from runicorn.settings import Settings

DEFAULT_AGENT_URL = "http://127.0.0.1:8100"
TIMEOUT_S = 30.0
TOKEN_HINT = (
    "give the agent's token with --token or RUNICORN_AGENT_TOKEN: `runicorn agent token` prints it, "
    "run as the user who runs the agent on its machine"
)


class AgentClient:
    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.token = token or None
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"--agent {url!r} is not an http:// URL", "e.g. --agent http://127.0.0.1:8100")
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.https = parts.scheme == "https"
        self.prefix = parts.path.rstrip("/")

    @classmethod
    def from_settings(cls, settings: Settings, url: str | None, token: str | None) -> AgentClient:
        """``token`` (``--token``), else the ``agent_token`` setting, else the owner's token file
        for an agent on loopback (a token of this machine is never sent elsewhere by itself)."""
        url = url or settings.agent_url or DEFAULT_AGENT_URL
        token = token or settings.agent_token or None
        if token is None and is_loopback(urlsplit(url).hostname or ""):
            token = owner_token(agent_token_path())
        return cls(url, token)

    def _connect(self) -> http.client.HTTPConnection:
        connection_type = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        conn = connection_type(self.host, self.port, timeout=TIMEOUT_S)
        try:
            conn.connect()
        except OSError as exc:
            conn.close()
            raise RunicornError(
                f"cannot reach the agent at {self.url}: {exc.strerror or exc}",
                "start one with `runicorn agent`, or name it with --agent URL (RUNICORN_AGENT_URL)",
            ) from None
        if self.token and is_loopback(self.host):
            owner = peer_uid(conn.sock)
            if owner is not None and owner not in (os.geteuid(), 0):
                conn.close()
                raise RunicornError(
                    f"the server at {self.url} belongs to another user (uid {owner}): "
                    "your token was not sent",
                    "start your agent (`runicorn agent`), or point --agent at its port",
                )
        return conn

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """The decoded JSON answer; RunicornError with the agent's own message on an error."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        conn = self._connect()
        try:
            conn.request(method, self.prefix + path, body=data, headers=headers)
            answer = conn.getresponse()
            raw = answer.read()
        except (OSError, http.client.HTTPException) as exc:
            raise RunicornError(
                f"cannot reach the agent at {self.url}: {exc}",
                "start one with `runicorn agent`, or name it with --agent URL (RUNICORN_AGENT_URL)",
            ) from None
        finally:
            conn.close()
        if answer.status >= 400:
            try:
                error = json.loads(raw)
            except ValueError:
                error = {}
            error = error if isinstance(error, dict) else {}
            message = error.get("error") or f"HTTP {answer.status}"
            hint = TOKEN_HINT if answer.status == 401 else error.get("hint")
            raise RunicornError(f"agent at {self.url}: {message}", hint)
        return json.loads(raw or b"null")
