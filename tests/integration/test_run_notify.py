"""``runicorn run`` notifications as a user gets them: a real wrapper process sending to the fake
DingTalk / webhook services and the aiosmtpd mail server of tests/chat_servers.py, configured
through env vars (docs/run.md#notifications, docs/notify.md)."""

# ruff: noqa: F811 - the fixtures imported from chat_servers are parameters here

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from chat_servers import (  # noqa: F401
    DINGTALK_SECRET,
    DINGTALK_TOKEN,
    WEBHOOK_SECRET,
    ChatServer,
    Mailbox,
    chat_server,
    smtp_server,
)

from runicorn import format as fmt

REPO = Path(__file__).resolve().parents[2]
PY = sys.executable
VIEWER = "http://viewer.lab:7788"


def runicorn_run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RUNICORN_")}
    return subprocess.run(
        [PY, "-m", "runicorn.cli", "run", *args],
        cwd=tmp_path,
        env={
            **clean,
            "RUNICORN_DIR": str(tmp_path / "storage"),
            "RUNICORN_CONFIG_FILE": str(tmp_path / "user-config.json"),
            "RUNICORN_SYSTEM_INTERVAL_S": "60",
            "PYTHONPATH": str(REPO),
            "PYTHONUNBUFFERED": "1",
            **env,
        },
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=50,
    )


def dingtalk_env(server: ChatServer, secret: str = DINGTALK_SECRET) -> dict[str, str]:
    return {
        "RUNICORN_NOTIFY_DINGTALK_WEBHOOK": server.dingtalk_url,
        "RUNICORN_NOTIFY_DINGTALK_SECRET": secret,
        "RUNICORN_NOTIFY_DINGTALK_KEYWORD": "runicorn",
    }


def only_run(tmp_path: Path) -> Path:
    found = sorted((tmp_path / "storage").glob(f"*/*/{fmt.RUNS_DIR}/*"))
    assert len(found) == 1, found
    return found[0]


def everything_in(folder: Path) -> str:
    return "".join(p.read_bytes().decode("utf-8", "replace") for p in folder.rglob("*") if p.is_file())


def dingtalk_texts(server: ChatServer) -> list[str]:
    return [r.body["markdown"]["text"] for r in server.accepted if r.service == "dingtalk"]


def test_a_failed_command_sends_a_signed_dingtalk_message_with_its_last_lines(
    chat_server: ChatServer, tmp_path: Path
) -> None:
    command = "print('epoch 7 loss nan'); raise SystemExit(3)"
    done = runicorn_run(
        tmp_path,
        *("--project", "vision", "--name", "resnet"),
        *(PY, "-c", command),
        RUNICORN_VIEWER_URL=VIEWER,
        **dingtalk_env(chat_server),
    )
    assert done.returncode == 3, done.stderr
    run = only_run(tmp_path)
    [text] = dingtalk_texts(chat_server)  # the default events: the failure only, not the start
    assert "vision/resnet failed (exit code 3)" in text
    assert run.name in text and "epoch 7 loss nan" in text
    assert f"{VIEWER}/runs/{run.name}" in text
    assert "**exit code**: 3" in text and "**server**" in text and "**duration**" in text
    assert "notification" not in (run / fmt.LOGS_FILE).read_text()  # nothing was refused


def test_a_refused_message_is_written_into_the_runs_log_without_any_secret(
    chat_server: ChatServer, tmp_path: Path
) -> None:
    wrong = "SECwrong-signing-secret-5a1b"
    done = runicorn_run(tmp_path, PY, "-c", "raise SystemExit(3)", **dingtalk_env(chat_server, wrong))
    assert done.returncode == 3, done.stderr
    assert chat_server.requests == 1 and dingtalk_texts(chat_server) == []
    run = only_run(tmp_path)
    log = (run / fmt.LOGS_FILE).read_text()
    assert "runicorn run: notification of failure to dingtalk failed: sign not match (errcode 310000)" in log
    assert "notification of failure to dingtalk failed: sign not match" in done.stderr
    for secret in (wrong, DINGTALK_TOKEN, chat_server.dingtalk_url):
        assert secret not in everything_in(run)
        assert secret not in done.stdout and secret not in done.stderr


def test_a_timeout_sends_a_timeout_message(chat_server: ChatServer, tmp_path: Path) -> None:
    done = runicorn_run(
        tmp_path,
        *("--name", "slow", "--timeout", "1", "--"),
        *(PY, "-c", "import time; print('waiting', flush=True); time.sleep(40)"),
        **dingtalk_env(chat_server),
    )
    assert done.returncode == fmt.TIMEOUT_EXIT_CODE, done.stderr
    [text] = dingtalk_texts(chat_server)
    assert "/slow timed out" in text and "**exit code**: 124" in text and "waiting" in text


def test_a_retry_is_announced_then_the_finish_through_the_signed_webhook(
    chat_server: ChatServer, tmp_path: Path
) -> None:
    marker = tmp_path / "tried"
    flaky = tmp_path / "flaky.py"
    flaky.write_text(
        textwrap.dedent(
            f"""
            import os, sys
            if not os.path.exists({str(marker)!r}):
                open({str(marker)!r}, "w").close()
                print("first try fails")
                sys.exit(1)
            """
        )
    )
    done = runicorn_run(
        tmp_path,
        *("--retries", "1", PY, str(flaky)),
        RUNICORN_NOTIFY_WEBHOOK_URL=chat_server.webhook_url,
        RUNICORN_NOTIFY_WEBHOOK_SECRET=WEBHOOK_SECRET,
        RUNICORN_NOTIFY_EVENTS="retry,finish,failure",
    )
    assert done.returncode == 0, done.stderr
    bodies = [r.body for r in chat_server.accepted]
    assert [b["event"] for b in bodies] == ["retry", "finish"]
    retry, finish = bodies
    assert retry["level"] == "warning" and retry["fields"]["attempt"] == "1 of 2"
    assert retry["fields"]["exit code"] == "1" and "first try fails" in retry["text"]
    assert finish["title"].endswith("/flaky finished") and finish["fields"]["attempt"] == "2 of 2"


def test_a_finished_run_is_mailed_through_smtp(smtp_server: Mailbox, tmp_path: Path) -> None:
    done = runicorn_run(
        tmp_path,
        *("--project", "p", "--name", "mailed", PY, "-c", "print('done')"),
        RUNICORN_NOTIFY_SMTP_HOST=smtp_server.host,
        RUNICORN_NOTIFY_SMTP_PORT=str(smtp_server.port),
        RUNICORN_NOTIFY_SMTP_SECURITY="plain",
        RUNICORN_NOTIFY_SMTP_USER=smtp_server.user,
        RUNICORN_NOTIFY_SMTP_PASSWORD=smtp_server.password,
        RUNICORN_NOTIFY_SMTP_TO="me@lab.example",
    )
    assert done.returncode == 0, done.stderr
    recipients, mail = smtp_server.wait_for_mail()
    assert recipients == ["me@lab.example"] and mail["Subject"] == "[Runicorn] p/mailed finished"
    body = mail.get_payload()
    run = only_run(tmp_path)
    assert f"run: p/mailed {run.name}" in body and "exit code: 0" in body
    assert smtp_server.password not in everything_in(run) + done.stdout + done.stderr


def test_notify_none_sends_nothing_and_an_unconfigured_channel_is_refused_before_running(
    chat_server: ChatServer, tmp_path: Path
) -> None:
    quiet = runicorn_run(
        tmp_path, "--notify", "none", PY, "-c", "raise SystemExit(3)", **dingtalk_env(chat_server)
    )
    assert quiet.returncode == 3 and chat_server.requests == 0
    refused = runicorn_run(tmp_path, "--notify", "slack", PY, "-c", "pass", **dingtalk_env(chat_server))
    assert refused.returncode == 1
    assert "error: --notify slack: the slack channel is not configured" in refused.stderr
    assert len(list((tmp_path / "storage").glob(f"*/*/{fmt.RUNS_DIR}/*"))) == 1  # no second run


def test_a_failing_service_costs_a_short_command_no_retry_wait_and_each_failure_is_one_line(
    chat_server: ChatServer, tmp_path: Path
) -> None:
    """The webhook answers 500 to everything: the start message is retried in the background
    while the command runs, and at the end each message still failing is tried again at once
    (not after its 2 s, 4 s backoff) and reported in one line naming its event and channel."""
    chat_server.fail_next = 1_000
    env = {"RUNICORN_NOTIFY_WEBHOOK_URL": chat_server.webhook_url, "RUNICORN_NOTIFY_EVENTS": "start,finish"}
    done = runicorn_run(tmp_path, PY, "-c", "pass", **env)
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stderr.splitlines() if "notification" in line]
    assert len(said) == 2, done.stderr
    assert said[0].startswith("runicorn run: notification of start to webhook failed: HTTP 500")
    assert said[1].startswith("runicorn run: notification of finish to webhook failed: HTTP 500")
    assert all(line.endswith("attempts)") for line in said) and "given up" not in done.stderr
    assert chat_server.requests == 3 + 3  # every attempt of both, none left waiting out a backoff
