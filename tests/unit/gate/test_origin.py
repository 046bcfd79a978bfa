"""The origin rule on its own: which pages may change things (docs/viewer.md#security)."""

from __future__ import annotations

import pytest

from runicorn.errors import ConfigError
from runicorn.gate.origin import OriginRule, normalize_origin, own_origin


@pytest.mark.parametrize(
    ("origin", "normal"),
    [
        ("http://LOCALHOST:8000", "http://localhost:8000"),
        ("http://127.0.0.1:80", "http://127.0.0.1"),
        ("https://ui.example:443/", "https://ui.example"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("null", None),
        ("file://", None),
        ("http://ui.example/path", None),
        ("http://ui.example:99999", None),
        ("*", None),
    ],
)
def test_origins_have_one_spelling(origin: str, normal: str | None) -> None:
    assert normalize_origin(origin) == normal


def test_own_origin_follows_the_host_header_and_scheme() -> None:
    assert own_origin("http", "127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert own_origin("ws", "localhost:8000") == "http://localhost:8000"
    assert own_origin("wss", "box:443") == "https://box"
    assert own_origin("http", "") is None


def test_only_own_and_allowed_pages_or_no_page_pass() -> None:
    rule = OriginRule(["http://localhost:5173"])
    own = ("http", "127.0.0.1:8000")
    assert rule.page_allowed(*own, "http://127.0.0.1:8000", None)
    assert rule.page_allowed(*own, "http://localhost:5173", "cross-site")
    assert rule.page_allowed(*own, None, None)
    assert rule.page_allowed(*own, None, "same-origin") and rule.page_allowed(*own, None, "none")
    assert not rule.page_allowed(*own, "http://localhost:8000", None)  # same port, other host name
    assert not rule.page_allowed(*own, "http://127.0.0.1:9999", None)
    assert not rule.page_allowed(*own, "null", None)
    assert not rule.page_allowed(*own, None, "cross-site")
    assert not rule.page_allowed(*own, None, "same-site")


@pytest.mark.parametrize("bad", ["*", "localhost:5173", "http://ui.example/app", "null"])
def test_an_allowed_origin_must_be_one_web_origin(bad: str) -> None:
    with pytest.raises(ConfigError) as err:
        OriginRule([bad])
    assert err.value.hint and "--cors-origin http://" in err.value.hint
