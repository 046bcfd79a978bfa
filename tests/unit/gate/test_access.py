"""The access gate's pure parts: reading the Host header and the token a request carries."""

from __future__ import annotations

import pytest

from runicorn.gate.access import AccessGate, _host_name


@pytest.mark.parametrize(
    ("header", "host"),
    [
        ("127.0.0.1:8000", "127.0.0.1"),
        ("LOCALHOST", "localhost"),
        ("[::1]:80", "[::1]"),
        ("evil.example:8000", "evil.example"),
        ("::1", "::1"),
    ],
)
def test_host_header_names_the_host_without_port(header: str, host: str) -> None:
    assert _host_name(header) == host


async def _app(scope, receive, send) -> None:  # never reached in these tests
    raise AssertionError


def test_tokens_come_from_header_query_and_cookie() -> None:
    gate = AccessGate(_app, token="tok-123456")
    scope = {"query_string": b"a=1&token=from-query", "type": "http"}
    headers = {"authorization": "Bearer from-header", "cookie": "x=1; runicorn_token=from-cookie"}
    given, from_query = gate._given_tokens(scope, headers)
    assert given == ["from-header", "from-query", "from-cookie"] and from_query == "from-query"
    assert gate._token_ok(["nope", "tok-123456"]) and not gate._token_ok(["tok-12345", ""])


def test_a_malformed_cookie_header_is_no_token() -> None:
    gate = AccessGate(_app, token="tok-123456")
    given, _ = gate._given_tokens({"query_string": b""}, {"cookie": '"\x00;;=='})
    assert given == []
