"""Each channel's request and answer reading, as pure functions of a message and a time."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from runicorn.errors import ConfigError
from runicorn.notify import DingTalk, Feishu, Message, Slack, Webhook, channels_from_settings
from runicorn.notify.signing import dingtalk_sign, feishu_sign, webhook_signature

EVENTS = frozenset({"finish"})
MESSAGE = Message("exp1 finished", "loss 0.12", "success", {"run": "20261123_101500_ab12cd"}, "http://v/r")
NOW_S = 1_700_000_000.25


def test_dingtalk_signs_into_the_query_and_adds_a_missing_keyword() -> None:
    channel = DingTalk("https://oapi.dingtalk.com/robot/send?access_token=tok9", EVENTS, "SECx", "runicorn")
    request = channel.build_request(MESSAGE, "finish", NOW_S)
    query = parse_qs(urlsplit(request.url).query)
    assert query["access_token"] == ["tok9"] and query["timestamp"] == ["1700000000250"]
    assert query["sign"] == [parse_qs("s=" + dingtalk_sign("SECx", 1_700_000_000_250))["s"][0]]
    body = json.loads(request.body)
    assert body["msgtype"] == "markdown" and body["markdown"]["text"].startswith("runicorn")
    assert "loss 0.12" in body["markdown"]["text"] and "http://v/r" in body["markdown"]["text"]
    assert "tok9" not in repr(request) and "tok9" not in repr(channel) and "SECx" not in repr(channel)


def test_dingtalk_reads_a_200_with_an_errcode_as_a_refusal_in_its_own_words() -> None:
    channel = DingTalk("https://oapi.dingtalk.com/robot/send?access_token=t", EVENTS)
    refused = channel.read_answer(200, '{"errcode": 310000, "errmsg": "sign not match"}')
    assert not refused.ok and not refused.retry and refused.detail == "sign not match (errcode 310000)"
    assert channel.read_answer(200, '{"errcode": 0, "errmsg": "ok"}').ok
    assert channel.read_answer(502, "bad gateway").retry


def test_feishu_signs_into_the_body_with_seconds() -> None:
    request = Feishu("https://open.feishu.cn/open-apis/bot/v2/hook/h", EVENTS, "fs").build_request(
        MESSAGE, "finish", NOW_S
    )
    body = json.loads(request.body)
    assert body["timestamp"] == "1700000000" and body["sign"] == feishu_sign("fs", 1_700_000_000)
    assert body["msg_type"] == "text" and body["content"]["text"].startswith("exp1 finished")
    channel = Feishu("https://x/hook/h", EVENTS)
    refused = channel.read_answer(200, '{"code": 19021, "msg": "sign match fail"}')
    assert not refused.ok and refused.detail == "sign match fail (code 19021)"
    assert channel.read_answer(200, '{"StatusCode": 0, "StatusMessage": "success"}').ok


def test_slack_sends_text_and_takes_its_error_word() -> None:
    channel = Slack("https://hooks.slack.com/services/T/B/x", EVENTS)
    assert json.loads(channel.build_request(MESSAGE, "finish", NOW_S).body)["text"].startswith(
        "*exp1 finished*"
    )
    refused = channel.read_answer(403, "invalid_token")
    assert not refused.ok and not refused.retry and refused.detail == "HTTP 403: invalid_token"


def test_webhook_posts_the_message_fields_signed_over_the_exact_body() -> None:
    request = Webhook("https://example.test/hook", EVENTS, "whs").build_request(MESSAGE, "finish", NOW_S)
    assert json.loads(request.body) == {
        "event": "finish",
        "title": "exp1 finished",
        "text": "loss 0.12",
        "level": "success",
        "fields": {"run": "20261123_101500_ab12cd"},
        "link": "http://v/r",
        "sent_at": NOW_S,
    }
    assert request.headers["X-Runicorn-Signature"] == webhook_signature("whs", request.body)


def test_channels_come_from_settings_with_their_own_events_or_the_shared_ones() -> None:
    channels = channels_from_settings(
        {
            "notify.dingtalk.webhook": "https://oapi.dingtalk.com/robot/send?access_token=t",
            "RUNICORN_NOTIFY_DINGTALK_EVENTS": "failure",
            "notify_slack_webhook": "https://hooks.slack.com/services/T/B/x",
            "notify_events": "start, finish",
            "notify_smtp_host": "mail.example.test",
            "notify_smtp_to": "a@example.test, b@example.test",
        }
    )
    assert [c.name for c in channels] == ["dingtalk", "slack", "smtp"]
    assert channels[0].events == {"failure"} and channels[1].events == {"start", "finish"}
    assert channels[2].recipients == ("a@example.test", "b@example.test") and channels[2].port == 587
    assert channels_from_settings({}) == []


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        (
            {"notify_slack_webhook": "https://h/services/x", "notify_events": "finsh"},
            "unknown notification event",
        ),
        ({"notify_slack_webhook": "hooks.slack.com/services/T/B/secret-tok"}, "not an http(s) URL"),
        ({"notify_smtp_host": "mail.example.test"}, "names no recipient"),
        ({"notify_smtp_host": "m", "notify_smtp_to": "a@b", "notify_smtp_security": "tls"}, "starttls, ssl"),
        ({"notify_no_such": "x"}, "no setting is called"),
    ],
)
def test_a_misconfigured_channel_is_a_config_error_that_says_what_to_do(settings: dict, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        channels_from_settings(settings)
    assert words in str(err.value) and err.value.hint
    assert "secret-tok" not in str(err.value)
