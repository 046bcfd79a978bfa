"""``runicorn config --set KEY VALUE`` refuses, with ``error:`` and ``hint:`` and writing nothing,
every value a later run would fail on (runicorn/cli/setting_values.py, docs/cli.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runicorn.cli import main

REFUSED = {
    ("notify.events", "finish,explode"): "unknown notification event explode",
    ("notify.slack.events", "alert,oops"): "unknown notification event oops",
    ("RUNICORN_FLUSH_INTERVAL_S", "-1"): "must be a number above 0",
    ("flush_interval_s", "soon"): "is not a valid float",
    ("max_upload_bytes", "0"): "must be 1 or more",
    ("notify.smtp.port", "70000"): "is no TCP port",
    ("notify.smtp.security", "tls"): "notify_smtp_security is 'tls'",
    ("notify_channels", "slack,pager"): "no channel is called 'pager'",
    ("notify_channels", "none,slack"): "none was given with channels",
    ("viewer_url", "localhost:8000"): "is not an http(s) URL",
    ("notify.slack.webhook", "hooks.slack.com/services/T/B/secret"): "(hidden)",
    ("run_timeout", "5 hours"): "is not a duration",
    ("sync_url", "bucket/prefix"): "is not an s3:// URL",
    ("mode", "offline"): "use one of online, disabled",
}


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cfg" / "config.json"
    monkeypatch.setenv("RUNICORN_CONFIG_FILE", str(path))
    return path


@pytest.mark.parametrize(("key", "value"), list(REFUSED))
def test_a_value_a_later_run_would_fail_on_is_refused_with_a_hint(
    key: str, value: str, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "--set", key, value]) == 1
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines[0].startswith("error: ") and REFUSED[(key, value)] in err
    assert lines[1].startswith("hint: ") and "secret" not in err
    assert not config_file.exists()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("notify.events", "finish, failure"),
        ("flush_interval_s", "2"),
        ("run_timeout", "5h"),
        ("notify_channels", "none"),
        ("notify.smtp.port", "465"),
        ("sync_url", "s3://bucket/runs"),
        ("viewer_url", ""),  # an empty value clears a setting
    ],
)
def test_a_good_value_is_kept(key: str, value: str, config_file: Path) -> None:
    assert main(["config", "--set", key, value]) == 0
    assert config_file.exists()
