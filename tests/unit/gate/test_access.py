"""The access gate's pure parts: reading the Host header and the token a request carries."""

from __future__ import annotations

import pytest

from runicorn.gate.access import AccessGate, _cookies, _host_name, cookie_name, cookie_value


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


def test_tokens_come_from_the_header_and_the_query_never_from_a_cookie() -> None:
    gate = AccessGate(_app, token="tok-123456")
    scope = {"query_string": b"a=1&token=from-query", "type": "http"}
    headers = {"authorization": "Bearer from-header", "cookie": "x=1; runicorn_8000=tok-123456"}
    given, from_query = gate._given_tokens(scope, headers)
    assert given == ["from-header", "from-query"] and from_query == "from-query"
    assert gate._token_ok(["nope", "tok-123456"]) and not gate._token_ok(["tok-12345", ""])


def test_without_browser_login_only_the_bearer_header_counts() -> None:
    gate = AccessGate(_app, token="tok-123456", browser_login=False)
    scope = {"query_string": b"token=tok-123456", "type": "http", "server": ("127.0.0.1", 8100)}
    cookie = f"{cookie_name(8100)}={cookie_value('tok-123456', 8100)}"
    assert gate._given_tokens(scope, {"cookie": cookie}) == ([], None)
    assert not gate._cookie_ok(scope, {"cookie": cookie})


def test_the_cookie_holds_an_hmac_of_the_token_and_port_never_the_token() -> None:
    value = cookie_value("tok-123456", 8000)
    assert "tok-123456" not in value and len(value) == 64
    assert value != cookie_value("tok-123456", 8001) and value != cookie_value("tok-1234567", 8000)
    assert cookie_name(8000) != cookie_name(8001)
    gate = AccessGate(_app, token="tok-123456")
    scope = {"type": "http", "server": ("127.0.0.1", 8000)}
    assert gate._cookie_ok(scope, {"cookie": f"other=1; {cookie_name(8000)}={value}"})
    assert not gate._cookie_ok(scope, {"cookie": f"{cookie_name(8000)}={cookie_value('tok-123456', 8001)}"})
    assert not gate._cookie_ok(scope, {"cookie": f"{cookie_name(8001)}={cookie_value('tok-123456', 8001)}"})
    assert not gate._cookie_ok(scope, {"cookie": f"{cookie_name(8000)}=tok-123456"})


def test_a_malformed_cookie_of_another_program_spoils_no_other_cookie() -> None:
    cookies = _cookies('"\x00;;==; junk; a="b c"; runicorn_8000=abc ; runicorn_8000=later')
    assert cookies["runicorn_8000"] == "abc" and cookies["a"] == "b c"
    assert _cookies("") == {}
