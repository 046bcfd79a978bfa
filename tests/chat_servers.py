"""Stand-ins for the chat services and a mail server, on loopback, for tests.

``chat_server`` is one real HTTP server (http.server in a thread, 127.0.0.1, ephemeral port)
answering as DingTalk, Feishu/Lark, Slack and a JSON webhook do. It checks each message the way
the service documents it, computed here from the rule and not from runicorn's code: DingTalk's
``sign`` query value is base64(HMAC-SHA256(key=secret, msg="{ms}\\n{secret}")); Feishu's body
``sign`` is base64(HMAC-SHA256(key="{s}\\n{secret}", msg="")); both refuse a timestamp more
than an hour away; DingTalk refuses a message without its keyword. Refusals have each service's
own shape (``{"errcode": 310000, "errmsg": "sign not match"}``).

``smtp_server`` is a real SMTP server (aiosmtpd) on loopback that keeps what it receives and
counts the clients that greeted it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message as EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

DINGTALK_TOKEN = "ding-access-token-0f3a"
DINGTALK_SECRET = "SECding-signing-secret-77c1"
DINGTALK_KEYWORD = "runicorn"
FEISHU_TOKEN = "feishu-hook-token-9b2e"
FEISHU_SECRET = "feishu-signing-secret-41d0"
SLACK_PATH = "/services/T000/B000/slack-token-5e6f"
WEBHOOK_SECRET = "webhook-secret-a8c3"
ONE_HOUR_S = 3600


@dataclass
class Received:
    service: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class ChatServer:
    """What the fake services accept, and what they got. ``fail_next``: answer that many
    requests with a 500 first; ``hang``: never answer (until ``release``, then close the
    connection); ``hold``: answer only once ``release`` is set."""

    base_url: str = ""
    dingtalk_secret: str = DINGTALK_SECRET
    dingtalk_keyword: str = DINGTALK_KEYWORD
    feishu_secret: str = FEISHU_SECRET
    webhook_secret: str = WEBHOOK_SECRET
    fail_next: int = 0
    hang: bool = False
    hold: bool = False
    release: threading.Event = field(default_factory=threading.Event)
    accepted: list[Received] = field(default_factory=list)
    requests: int = 0
    changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def dingtalk_url(self) -> str:
        return f"{self.base_url}/robot/send?access_token={DINGTALK_TOKEN}"

    @property
    def feishu_url(self) -> str:
        return f"{self.base_url}/open-apis/bot/v2/hook/{FEISHU_TOKEN}"

    @property
    def slack_url(self) -> str:
        return f"{self.base_url}{SLACK_PATH}"

    @property
    def webhook_url(self) -> str:
        return f"{self.base_url}/hook"

    def wait_for(self, condition: Callable[[ChatServer], bool], timeout_s: float = 20.0) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: condition(self), timeout_s):
                raise AssertionError(f"the fake chat service never saw that: {self.requests} requests")

    # -- the services' rules --------------------------------------------------------------

    def answer(
        self, path: str, query: dict[str, str], headers: dict[str, str], raw: bytes
    ) -> tuple[int, Any]:
        if self.fail_next > 0:
            self.fail_next -= 1
            return 500, "Internal Server Error"
        try:
            body = json.loads(raw)
        except ValueError:
            return 400, "not JSON"
        if path == "/robot/send":
            return self._dingtalk(query, body, headers)
        if path.startswith("/open-apis/bot/v2/hook/"):
            return self._feishu(path, body, headers)
        if path.startswith("/services/"):
            return self._slack(path, body, headers)
        if path == "/hook":
            return self._webhook(raw, body, headers)
        return 404, "no such service"

    def _dingtalk(self, query: dict[str, str], body: Any, headers: dict[str, str]) -> tuple[int, Any]:
        if query.get("access_token") != DINGTALK_TOKEN:
            return 200, {"errcode": 300001, "errmsg": "token is not exist"}
        if self.dingtalk_secret:
            stamp, sign = query.get("timestamp", ""), query.get("sign", "")
            if not stamp.isdigit() or abs(time.time() * 1000 - int(stamp)) > ONE_HOUR_S * 1000:
                return 200, {"errcode": 310000, "errmsg": "timestamp is not within one hour"}
            string_to_sign = f"{stamp}\n{self.dingtalk_secret}".encode()
            mac = hmac.new(self.dingtalk_secret.encode(), string_to_sign, hashlib.sha256).digest()
            if not hmac.compare_digest(base64.b64encode(mac).decode(), sign):
                return 200, {"errcode": 310000, "errmsg": "sign not match"}
        kind = body.get("msgtype")
        if kind == "text":
            content = body["text"]["content"]
        elif kind == "markdown":
            content = body["markdown"]["title"] + body["markdown"]["text"]
        else:
            return 200, {"errcode": 40035, "errmsg": "missing parameter msgtype"}
        if self.dingtalk_keyword and self.dingtalk_keyword not in content:
            return 200, {"errcode": 310000, "errmsg": "keywords not in content"}
        self._accept("dingtalk", "/robot/send", query, headers, body)
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _feishu(self, path: str, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
        if path.rsplit("/", 1)[-1] != FEISHU_TOKEN:
            return 200, {"code": 19001, "msg": "param invalid: incoming webhook access token invalid"}
        if self.feishu_secret:
            stamp, sign = str(body.get("timestamp", "")), str(body.get("sign", ""))
            key = f"{stamp}\n{self.feishu_secret}".encode()
            expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
            fresh = stamp.isdigit() and abs(time.time() - int(stamp)) <= ONE_HOUR_S
            if not fresh or not hmac.compare_digest(expected, sign):
                msg = "sign match fail or timestamp is not within one hour from current time"
                return 200, {"code": 19021, "msg": msg}
        if body.get("msg_type") != "text" or not body.get("content", {}).get("text"):
            return 200, {"code": 9499, "msg": "Bad Request"}
        self._accept("feishu", path, {}, headers, body)
        return 200, {"code": 0, "msg": "success", "data": {}}

    def _slack(self, path: str, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
        if path != SLACK_PATH:
            return 404, f"no_service: no webhook at {path}"  # echoes the path, token and all
        if not isinstance(body.get("text"), str) or not body["text"]:
            return 400, "no_text"
        self._accept("slack", path, {}, headers, body)
        return 200, "ok"

    def _webhook(self, raw: bytes, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
        if self.webhook_secret:
            expected = "sha256=" + hmac.new(self.webhook_secret.encode(), raw, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, headers.get("x-runicorn-signature", "")):
                return 401, {"error": "bad signature"}
        self._accept("webhook", "/hook", {}, headers, body)
        return 200, {}

    def _accept(
        self, service: str, path: str, query: dict[str, str], headers: dict[str, str], body: Any
    ) -> None:
        with self.changed:
            self.accepted.append(Received(service, path, query, headers, body))
            self.changed.notify_all()

    def count(self, service: str) -> int:
        return sum(1 for r in self.accepted if r.service == service)


def _handler(state: ChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            with state.changed:
                state.requests += 1
                state.changed.notify_all()
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if state.hang or state.hold:
                hung = state.hang
                state.release.wait()
                if hung:
                    return
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, answer = state.answer(parts.path, query, headers, raw)
            data = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain" if isinstance(answer, str) else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    state = ChatServer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="fake-chat", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join(10)


@dataclass
class Mailbox:
    host: str
    port: int
    user: str = "mailer"
    password: str = "mail-password-3d9f"
    mails: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    greetings: int = 0  # EHLO/HELO received: every client that connected and spoke
    changed: threading.Condition = field(default_factory=threading.Condition)

    def wait_for_mail(self, timeout_s: float = 20.0) -> tuple[list[str], EmailMessage]:
        with self.changed:
            assert self.changed.wait_for(lambda: self.mails, timeout_s), "no mail arrived"
            return self.mails[0]


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on loopback, plain (no TLS), with AUTH; a wrong password
    gets the standard ``535 5.7.8 Authentication credentials invalid``."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox("127.0.0.1", port)

    class Handler:
        async def handle_EHLO(  # noqa: N802
            self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
        ) -> list[str]:
            box.greetings += 1
            session.host_name = hostname
            return responses

        async def handle_HELO(self, server: Any, session: Any, envelope: Any, hostname: str) -> str:  # noqa: N802
            box.greetings += 1
            session.host_name = hostname
            return f"250 {server.hostname}"

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            with box.changed:
                box.mails.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
                box.changed.notify_all()
            return "250 Message accepted for delivery"

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            box.user.encode(),
            box.password.encode(),
        )
        if ok:
            box.logins.append(box.user)
        return AuthResult(success=ok, handled=False)

    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_require_tls=False,
        auth_exclude_mechanism=["LOGIN"],
    )
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
