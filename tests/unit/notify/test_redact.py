"""One redaction for every text that may hold a credential."""

from __future__ import annotations

from runicorn.notify.redact import redact, redact_url


def test_a_dingtalk_url_in_an_error_loses_its_access_token_and_signature() -> None:
    text = "POST https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=1&sign=x%2By failed"
    out = redact(text)
    assert "abc123" not in out and "x%2By" not in out
    assert "https://oapi.dingtalk.com/robot/send?access_token=***" in out


def test_feishu_and_slack_tokens_in_the_path_are_masked() -> None:
    out = redact(
        "at https://open.feishu.cn/open-apis/bot/v2/hook/tok-1 and https://hooks.slack.com/services/T/B/tok-2"
    )
    assert "tok-1" not in out and "tok-2" not in out and "/hook/***" in out and "/services/***" in out


def test_known_secrets_are_masked_wherever_they_appear_also_url_quoted() -> None:
    secret = "SEC+a/b=c"
    out = redact(
        f"sign not match for {secret} (sent as SEC%2Ba%2Fb%3Dc); password hunter2", [secret, "hunter2"]
    )
    assert "SEC+a/b=c" not in out and "SEC%2Ba%2Fb%3Dc" not in out and "hunter2" not in out
    assert out.count("***") == 3


def test_empty_secrets_mask_nothing() -> None:
    assert redact("all fine", ["", ""]) == "all fine"


def test_redact_url_keeps_only_scheme_and_host() -> None:
    assert redact_url("https://hooks.slack.com/services/T/B/tok") == "https://hooks.slack.com/***"
    assert redact_url("http://127.0.0.1:8080/hook?key=1") == "http://127.0.0.1:8080/***"
    assert redact_url("not a url") == "***"
