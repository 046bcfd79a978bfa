"""The Notifier against real HTTP servers that check messages as each chat service documents
it, and a real SMTP server (tests/chat_servers.py): signatures, keyword, refusals in the
service's own words, retry, rate limit, a hung service, and secrets kept out of every report."""

# ruff: noqa: F811 - the fixtures imported from chat_servers are parameters here

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from chat_servers import (
    DINGTALK_SECRET,
    DINGTALK_TOKEN,
    FEISHU_SECRET,
    FEISHU_TOKEN,
    SLACK_PATH,
    WEBHOOK_SECRET,
    ChatServer,
    Mailbox,
    chat_server,  # noqa: F401
    smtp_server,  # noqa: F401
)

from runicorn.notify import DingTalk, Feishu, Message, Notifier, Slack, Smtp, Webhook

FINISH = frozenset({"finish", "failure"})
MESSAGE = Message("exp1 finished", "loss 0.12", "success", {"run": "20261123_101500_ab12cd"}, "http://v/r/1")


class Results:
    """Collects on_result calls; ``wait(n)`` waits until n have come."""

    def __init__(self) -> None:
        self.items: list[tuple[str, bool, str]] = []
        self.changed = threading.Condition()

    def __call__(self, channel: str, ok: bool, detail: str, event: str | None = None) -> None:
        with self.changed:
            self.items.append((channel, ok, detail))
            self.changed.notify_all()

    def wait(self, count: int, timeout_s: float = 30.0) -> list[tuple[str, bool, str]]:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.items) >= count, timeout_s), self.items
            return list(self.items)


@pytest.fixture
def results() -> Iterator[Results]:
    yield Results()


def test_every_chat_channel_delivers_a_message_its_service_accepts(
    chat_server: ChatServer, results: Results
) -> None:
    channels = [
        DingTalk(chat_server.dingtalk_url, FINISH, DINGTALK_SECRET, "runicorn"),
        Feishu(chat_server.feishu_url, FINISH, FEISHU_SECRET),
        Slack(chat_server.slack_url, FINISH),
        Webhook(chat_server.webhook_url, FINISH, WEBHOOK_SECRET),
    ]
    notifier = Notifier(channels, on_result=results)
    notifier.send(MESSAGE, event="finish")
    assert notifier.close(timeout_s=30)
    assert sorted(results.items) == sorted((c.name, True, "ok") for c in channels)
    by_service = {r.service: r.body for r in chat_server.accepted}
    assert "loss 0.12" in by_service["dingtalk"]["markdown"]["text"]
    assert "run: 20261123_101500_ab12cd" in by_service["feishu"]["content"]["text"]
    assert "http://v/r/1" in by_service["slack"]["text"]
    assert by_service["webhook"]["event"] == "finish" and by_service["webhook"]["level"] == "success"


def test_a_wrong_dingtalk_secret_is_refused_and_reported_in_dingtalks_words(
    chat_server: ChatServer, results: Results
) -> None:
    notifier = Notifier(
        [DingTalk(chat_server.dingtalk_url, FINISH, "SECwrong-secret", "runicorn")], on_result=results
    )
    notifier.send(MESSAGE, event="finish")
    assert results.wait(1) == [("dingtalk", False, "sign not match (errcode 310000)")]
    notifier.close(5)
    assert chat_server.accepted == [] and chat_server.requests == 1  # a refusal is not retried


def test_a_dingtalk_message_without_the_keyword_is_refused_and_one_with_it_accepted(
    chat_server: ChatServer, results: Results
) -> None:
    Notifier([DingTalk(chat_server.dingtalk_url, FINISH, DINGTALK_SECRET)], on_result=results).send(MESSAGE)
    assert results.wait(1)[0] == ("dingtalk", False, "keywords not in content (errcode 310000)")
    Notifier(
        [DingTalk(chat_server.dingtalk_url, FINISH, DINGTALK_SECRET, "runicorn")], on_result=results
    ).send(MESSAGE)
    assert results.wait(2)[1] == ("dingtalk", True, "ok")


def test_a_wrong_feishu_secret_is_refused_in_feishus_words(chat_server: ChatServer, results: Results) -> None:
    Notifier([Feishu(chat_server.feishu_url, FINISH, "not-the-secret")], on_result=results).send(MESSAGE)
    channel, ok, detail = results.wait(1)[0]
    assert (
        (channel, ok) == ("feishu", False) and detail.endswith("(code 19021)") and "sign match fail" in detail
    )


def test_a_wrong_webhook_secret_is_refused_by_the_receiver(chat_server: ChatServer, results: Results) -> None:
    Notifier([Webhook(chat_server.webhook_url, FINISH, "other")], on_result=results).send(MESSAGE)
    assert results.wait(1)[0] == ("webhook", False, 'HTTP 401: {"error": "bad signature"}')


def test_events_a_channel_does_not_take_are_not_sent(chat_server: ChatServer, results: Results) -> None:
    notifier = Notifier([Slack(chat_server.slack_url, frozenset({"failure"}))], on_result=results)
    notifier.send(MESSAGE, event="finish")
    notifier.send(Message("exp1 failed", level="error"), event="failure")
    assert notifier.close(10)
    assert (
        results.items == [("slack", True, "ok")] and chat_server.accepted[0].body["text"] == "*exp1 failed*"
    )


def test_a_service_failing_twice_with_500_then_accepting_gets_the_message_once(
    chat_server: ChatServer, results: Results
) -> None:
    chat_server.fail_next = 2
    notifier = Notifier(
        [DingTalk(chat_server.dingtalk_url, FINISH, DINGTALK_SECRET, "runicorn")],
        on_result=results,
        max_attempts=3,
        retry_backoff_s=0.05,
    )
    notifier.send(MESSAGE)
    assert notifier.close(30)
    assert results.items == [("dingtalk", True, "ok")]
    assert chat_server.requests == 3 and chat_server.count("dingtalk") == 1


def test_retries_are_bounded_and_the_last_error_is_reported(
    chat_server: ChatServer, results: Results
) -> None:
    chat_server.fail_next = 10
    notifier = Notifier(
        [Slack(chat_server.slack_url, FINISH)], on_result=results, max_attempts=2, retry_backoff_s=0.05
    )
    notifier.send(MESSAGE)
    assert notifier.close(30)
    assert results.items == [("slack", False, "HTTP 500: Internal Server Error (after 2 attempts)")]
    assert chat_server.requests == 2


def test_a_burst_never_blocks_the_caller_and_dingtalk_gets_at_most_20_a_minute(
    chat_server: ChatServer, results: Results
) -> None:
    chat_server.hold = True  # the service holds the first request: nothing gets through yet
    notifier = Notifier(
        [DingTalk(chat_server.dingtalk_url, FINISH, DINGTALK_SECRET, "runicorn")], on_result=results
    )
    for i in range(25):
        notifier.send(Message(f"step {i}"))  # would hang the test if send waited on the service
    chat_server.wait_for(lambda s: s.requests == 1)
    chat_server.release.set()
    chat_server.wait_for(lambda s: s.count("dingtalk") == 20)
    assert notifier.close(timeout_s=0.5)  # the other 5 wait for the next minute: reported, not sent
    assert [ok for _, ok, _ in results.items].count(True) == 20 and chat_server.requests == 20
    held_back = [d for _, ok, d in results.items if not ok]
    assert held_back == ["not sent before close: dingtalk takes at most 20 messages a minute"] * 5


def test_a_service_that_never_answers_times_out_and_close_keeps_its_deadline(
    chat_server: ChatServer, results: Results
) -> None:
    chat_server.hang = True
    slow = Notifier([Slack(chat_server.slack_url, FINISH)], on_result=results, timeout_s=0.3, max_attempts=1)
    slow.send(MESSAGE)
    assert slow.close(timeout_s=20)
    channel, ok, detail = results.items[0]
    assert (channel, ok) == ("slack", False) and "no answer" in detail and SLACK_PATH not in detail

    # a timeout far past the test's own limit: close() must still come back at its deadline
    stuck = Notifier([Slack(chat_server.slack_url, FINISH)], on_result=results, timeout_s=600, max_attempts=1)
    stuck.send(MESSAGE)
    chat_server.wait_for(lambda s: s.requests == 2)
    assert stuck.close(timeout_s=0.5) is False


def test_secrets_never_reach_a_report_refused_or_unreachable(
    chat_server: ChatServer, results: Results
) -> None:
    wrong_path = chat_server.slack_url.replace("slack-token", "other-token")
    echoed = Notifier([Slack(wrong_path, FINISH)], on_result=results)
    echoed.send(MESSAGE)  # the fake Slack echoes the path, token and all, in its 404
    _, ok, detail = results.wait(1)[0]
    assert not ok and detail.startswith("HTTP 404: no_service") and "other-token" not in detail

    closed_port = DingTalk(
        f"http://127.0.0.1:9/robot/send?access_token={DINGTALK_TOKEN}", FINISH, DINGTALK_SECRET, "runicorn"
    )
    Notifier([closed_port], on_result=results, max_attempts=1).send(MESSAGE)
    _, ok, detail = results.wait(2)[1]
    assert not ok and "cannot reach http://127.0.0.1:9/***" in detail
    for _, _, text in results.items:
        assert DINGTALK_TOKEN not in text and DINGTALK_SECRET not in text and FEISHU_TOKEN not in text


def test_email_arrives_with_subject_body_and_recipients(smtp_server: Mailbox, results: Results) -> None:
    channel = Smtp(
        smtp_server.host,
        FINISH,
        port=smtp_server.port,
        security="plain",
        user=smtp_server.user,
        password=smtp_server.password,
        sender="runicorn@example.test",
        recipients=("alice@example.test", "bob@example.test"),
    )
    notifier = Notifier([channel], on_result=results)
    notifier.send(MESSAGE)
    assert notifier.close(30)
    assert results.items == [("smtp", True, "ok")]
    recipients, mail = smtp_server.wait_for_mail()
    assert recipients == ["alice@example.test", "bob@example.test"] and smtp_server.logins == ["mailer"]
    assert mail["Subject"] == "[Runicorn] exp1 finished" and mail["From"] == "runicorn@example.test"
    body = mail.get_payload(decode=True).decode()
    assert "loss 0.12" in body and "run: 20261123_101500_ab12cd" in body and "http://v/r/1" in body


def test_a_wrong_smtp_password_is_reported_in_the_servers_words_without_the_password(
    smtp_server: Mailbox, results: Results
) -> None:
    channel = Smtp(
        smtp_server.host,
        FINISH,
        port=smtp_server.port,
        security="plain",
        user="mailer",
        password="wrong-pass-1234",
        recipients=("alice@example.test",),
    )
    Notifier([channel], on_result=results).send(MESSAGE)
    _, ok, detail = results.wait(1)[0]
    assert not ok and "535" in detail and "wrong-pass-1234" not in detail
    assert smtp_server.mails == []
