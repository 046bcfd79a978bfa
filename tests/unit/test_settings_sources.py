"""Where a setting comes from: explicit > env var > ``.runicorn.toml`` in the working directory >
the user config file > the default (docs/notify.md#settings); the keys of a ``.runicorn.toml``
that send data somewhere count once it is trusted (tests/unit/test_trust.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runicorn import settings, trust
from runicorn.errors import ConfigError

TOML = """
notify_events = "finish"
[notify.dingtalk]
webhook = "https://toml.example/robot/send?access_token=from-toml"
keyword = "from-toml"
[notify.smtp]
port = 2525
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for s in settings.SETTINGS_TABLE:
        if s.name.startswith("notify_"):
            monkeypatch.delenv(s.env, raising=False)
    monkeypatch.delenv(settings.UNTRUSTED_WARNED_ENV, raising=False)
    return tmp_path


def trust_file(path: Path) -> None:
    """What ``runicorn trust`` records."""
    record = trust.with_trusted(settings.read_user_config(), trust.ProjectFile.read(path))
    settings.write_user_config({trust.TRUSTED_KEY: record})


def test_each_source_wins_over_the_ones_below_it(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.write_user_config(
        {
            "notify_dingtalk_keyword": "from-user",
            "notify_dingtalk_secret": "from-user",
            "notify_smtp_to": "u@x",
        }
    )
    (project / ".runicorn.toml").write_text(TOML)
    trust_file(project / ".runicorn.toml")
    monkeypatch.setenv("RUNICORN_NOTIFY_DINGTALK_SECRET", "from-env")
    monkeypatch.setenv("RUNICORN_NOTIFY_DINGTALK_KEYWORD", "from-env")

    resolved = settings.resolve(notify_dingtalk_keyword="explicit")
    assert resolved.notify_dingtalk_keyword == "explicit"  # explicit > env
    assert resolved.notify_dingtalk_secret == "from-env"  # env > user config
    assert resolved.notify_dingtalk_webhook.endswith("from-toml")  # .runicorn.toml, nested table
    assert resolved.notify_events == "finish"  # .runicorn.toml, flat key
    assert resolved.notify_smtp_port == 2525
    assert resolved.notify_smtp_to == "u@x"  # user config
    assert resolved.notify_smtp_security == "starttls"  # default

    monkeypatch.delenv("RUNICORN_NOTIFY_DINGTALK_KEYWORD")
    assert settings.resolve().notify_dingtalk_keyword == "from-toml"  # .runicorn.toml > user config


def test_a_toml_key_that_is_no_setting_is_refused_naming_the_file(project: Path) -> None:
    (project / ".runicorn.toml").write_text('[notify.dingtalk]\nwebhok = "x"\n')
    with pytest.raises(ConfigError) as err:
        settings.resolve()
    assert ".runicorn.toml" in err.value.message and "notify_dingtalk_webhok" in err.value.message


def test_a_broken_toml_file_is_a_config_error(project: Path) -> None:
    (project / ".runicorn.toml").write_text("notify_events = \n")
    with pytest.raises(ConfigError) as err:
        settings.resolve()
    assert ".runicorn.toml" in err.value.message and err.value.hint


def test_setting_names_are_accepted_as_table_names_dotted_or_env_vars() -> None:
    assert settings.setting_name("notify.slack.webhook") == "notify_slack_webhook"
    assert settings.setting_name("RUNICORN_NOTIFY_SMTP_TO") == "notify_smtp_to"
    assert settings.setting_name("max_upload_bytes") == "max_upload_bytes"
