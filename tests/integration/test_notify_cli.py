"""``runicorn notify test`` and ``runicorn config`` as a user runs them (real processes) against
the fake DingTalk of tests/chat_servers.py, configured through env vars, ``.runicorn.toml`` and
the user config (docs/notify.md, docs/cli.md#runicorn-notify-test)."""

# ruff: noqa: F811 - the fixture imported from chat_servers is a parameter here

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from chat_servers import DINGTALK_SECRET, DINGTALK_TOKEN, ChatServer, chat_server  # noqa: F401


def cli(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RUNICORN_NOTIFY_")}
    return subprocess.run(
        [sys.executable, "-m", "runicorn.cli", *args],
        cwd=cwd,
        env={**clean, "RUNICORN_CONFIG_FILE": str(cwd / "user-config.json"), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_notify_test_sends_through_dingtalk_configured_by_env_vars(
    chat_server: ChatServer, tmp_path: Path
) -> None:
    done = cli(
        ["notify", "test"],
        tmp_path,
        RUNICORN_NOTIFY_DINGTALK_WEBHOOK=chat_server.dingtalk_url,
        RUNICORN_NOTIFY_DINGTALK_SECRET=DINGTALK_SECRET,
        RUNICORN_NOTIFY_DINGTALK_KEYWORD="runicorn",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["dingtalk  ok"]
    assert chat_server.count("dingtalk") == 1
    assert "Runicorn test message" in chat_server.accepted[0].body["markdown"]["text"]


def test_runicorn_toml_wins_over_the_user_config_and_env_wins_over_both(
    chat_server: ChatServer, tmp_path: Path
) -> None:
    set_wrong = cli(["config", "--set", "notify.dingtalk.secret", "SECwrong-from-user-config"], tmp_path)
    assert set_wrong.returncode == 0 and "notify_dingtalk_secret set to (hidden)" in set_wrong.stdout
    assert "SECwrong" not in set_wrong.stdout
    (tmp_path / ".runicorn.toml").write_text(
        f'[notify.dingtalk]\nwebhook = "{chat_server.dingtalk_url}"\n'
        f'secret = "{DINGTALK_SECRET}"\nkeyword = "runicorn"\nevents = "finish,failure"\n'
    )
    assert cli(["trust"], tmp_path).returncode == 0  # its webhook counts once trusted
    assert cli(["notify", "test", "dingtalk"], tmp_path).stdout == "dingtalk  ok\n"

    refused = cli(["notify", "test"], tmp_path, RUNICORN_NOTIFY_DINGTALK_SECRET="SECwrong-from-env")
    assert refused.returncode == 1
    assert refused.stdout == "dingtalk  failed: sign not match (errcode 310000)\n"
    assert chat_server.count("dingtalk") == 1 and chat_server.requests == 2


def test_config_show_masks_webhook_tokens_and_secrets(chat_server: ChatServer, tmp_path: Path) -> None:
    shown = cli(
        ["config", "--show"],
        tmp_path,
        RUNICORN_NOTIFY_DINGTALK_WEBHOOK=chat_server.dingtalk_url,
        RUNICORN_NOTIFY_DINGTALK_SECRET=DINGTALK_SECRET,
        RUNICORN_NOTIFY_SMTP_PASSWORD="smtp-pass-0042",
    )
    assert shown.returncode == 0, shown.stderr
    assert DINGTALK_TOKEN not in shown.stdout and DINGTALK_SECRET not in shown.stdout
    assert "smtp-pass-0042" not in shown.stdout
    assert f"notify_dingtalk_webhook: {chat_server.base_url}/***" in shown.stdout
    assert "notify_smtp_password: *** (set)" in shown.stdout


def test_notify_test_without_a_channel_says_how_to_configure_one(tmp_path: Path) -> None:
    done = cli(["notify", "test"], tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == "error: no notification channel is configured"
    assert done.stderr.splitlines()[1].startswith("hint: ")
    named = cli(
        ["notify", "test", "slack"], tmp_path, RUNICORN_NOTIFY_DINGTALK_WEBHOOK="http://127.0.0.1:9/x"
    )
    assert named.returncode == 1 and "error: no slack is configured" in named.stderr


def test_importing_runicorn_does_not_load_the_notifiers() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, runicorn; print([m for m in sys.modules if m.startswith('runicorn.notify')])",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"
