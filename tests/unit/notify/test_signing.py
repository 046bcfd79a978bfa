"""Signatures against vectors worked out from each service's documented rule (with
``openssl dgst -sha256 -hmac``), not from our code."""

from __future__ import annotations

from urllib.parse import unquote_plus

from runicorn.notify.signing import dingtalk_sign, feishu_sign, webhook_signature


def test_dingtalk_signs_milliseconds_and_secret_keyed_by_the_secret_url_encoded() -> None:
    # printf '1700000000000\nSECabc123' | openssl dgst -sha256 -hmac 'SECabc123' -binary | base64
    expected = "N5P09a4+p1AMJIJWnIvQd2Yxw9+fu/oEBnPrjCcsLXk="
    sign = dingtalk_sign("SECabc123", 1_700_000_000_000)
    assert sign == "N5P09a4%2Bp1AMJIJWnIvQd2Yxw9%2Bfu%2FoEBnPrjCcsLXk%3D"
    assert unquote_plus(sign) == expected


def test_feishu_keys_the_hmac_with_seconds_and_secret_over_an_empty_message() -> None:
    # printf '' | openssl dgst -sha256 -mac HMAC -macopt "key:$(printf '1700000000\nfeishu-secret')" -binary
    assert feishu_sign("feishu-secret", 1_700_000_000) == "OrBzY1Y01Gq+HgJsl+7OfWcMVwc7YocohQm5iiZwjhU="


def test_the_two_services_rules_differ_for_the_same_secret_and_time() -> None:
    assert unquote_plus(dingtalk_sign("s", 1_700_000_000_000)) != feishu_sign("s", 1_700_000_000)


def test_webhook_signature_is_hex_hmac_of_the_exact_body() -> None:
    # printf '{"a":1}' | openssl dgst -sha256 -hmac 'whsec'
    expected = "sha256=19373ef0e8c66f206e49d251e4402291615bbce6ef00922e94a47a213fb76ee1"
    assert webhook_signature("whsec", b'{"a":1}') == expected
    assert webhook_signature("whsec", b'{"a": 1}') != expected
