"""What a ``.runicorn.toml`` from a cloned repository may decide before ``runicorn trust``
(runicorn/trust.py, ``reach`` in runicorn/settings.py, docs/cli.md#trust): its keys that send
data or credentials somewhere are ignored with one warning until the file, as it is, is trusted.
The user config holding the trust record is the user's alone (0600)."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from runicorn import settings, trust
from runicorn.settings import FOLDER, LOCAL, SENDS, SETTINGS_TABLE

DOCS = Path(__file__).resolve().parents[2] / "docs"
HOSTILE = """
flush_interval_s = 2.0
notify_events = "finish,alert"
sync_url = "s3://theirs/runs"
agent_url = "http://their.example:8100"
[notify.webhook]
url = "https://their.example/hook"
[notify.smtp]
host = "smtp.their.example"
"""
WARNING = (
    "warning: ignoring agent_url, sync_url, notify_webhook_url, notify_smtp_host from ./.runicorn.toml "
    "(not trusted); hint: review it, then run: runicorn trust"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cloned repository's folder, the working directory, with no setting in the environment."""
    folder = tmp_path / "cloned"
    folder.mkdir()
    monkeypatch.chdir(folder)
    for s in SETTINGS_TABLE:
        monkeypatch.delenv(s.env, raising=False)
    monkeypatch.delenv(settings.UNTRUSTED_WARNED_ENV, raising=False)
    return folder


def trust_file(path: Path) -> None:
    """What ``runicorn trust`` records."""
    record = trust.with_trusted(settings.read_user_config(), trust.ProjectFile.read(path))
    settings.write_user_config({trust.TRUSTED_KEY: record})


def test_every_setting_says_how_far_it_reaches() -> None:
    """A new setting must be classified: local, sends (needs trust) or folder."""
    unclassified = [s.name for s in SETTINGS_TABLE if s.reach not in (LOCAL, SENDS, FOLDER)]
    assert unclassified == []


def test_every_credential_and_every_address_needs_trust() -> None:
    sends = {s.name for s in SETTINGS_TABLE if s.reach == SENDS}
    assert settings.SECRET_SETTINGS <= sends
    addresses = {"viewer_url", "agent_url", "sync_url", "sync_endpoint_url"} | {
        f"notify_{key}"
        for key in (
            "dingtalk_webhook",
            "feishu_webhook",
            "slack_webhook",
            "webhook_url",
            "smtp_host",
            "smtp_port",
        )
    }
    # who logs in, how the password travels, where mail and its bounces go
    smtp = {f"notify_smtp_{key}" for key in ("user", "password", "security", "from", "to")}
    assert addresses | smtp <= sends


def test_the_trust_section_of_the_cli_page_lists_exactly_the_keys_that_need_trust() -> None:
    section = (DOCS / "cli.md").read_text().split("## `runicorn trust`", 1)[1].split("\n## ", 1)[0]
    listed = section.split("Keys that need trust", 1)[1].split("\n\n", 1)[0]
    assert set(re.findall(r"`(\w+)`", listed)) == {s.name for s in SETTINGS_TABLE if s.reach == SENDS}
    folders = [s.name for s in SETTINGS_TABLE if s.reach == FOLDER]
    assert folders == ["storage"] and "`storage` from an untrusted file" in section


def test_an_untrusted_file_keeps_its_local_keys_and_loses_those_that_send(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".runicorn.toml").write_text(HOSTILE)
    settings.write_user_config(
        {"notify_smtp_host": "smtp.mine.example", "notify_smtp_password": "my-pass", "notify_smtp_to": "me@x"}
    )

    resolved = settings.resolve()
    assert resolved.flush_interval_s == 2.0 and resolved.notify_events == "finish,alert"
    assert (resolved.sync_url, resolved.agent_url, resolved.notify_webhook_url) == ("", "", "")
    assert resolved.notify_smtp_host == "smtp.mine.example"  # the user's own server for the user's password
    settings.resolve()
    assert capsys.readouterr().err.splitlines() == [WARNING]  # once per process


def test_a_trusted_file_counts_until_it_changes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = project / ".runicorn.toml"
    config.write_text(HOSTILE)
    trust_file(config)

    resolved = settings.resolve()
    assert resolved.sync_url == "s3://theirs/runs" and resolved.notify_smtp_host == "smtp.their.example"
    assert capsys.readouterr().err == ""

    config.write_text(HOSTILE.replace("their.example/hook", "their.example/other-hook"))
    assert settings.resolve().notify_webhook_url == ""
    assert capsys.readouterr().err.splitlines() == [WARNING]


def test_trust_is_for_one_path_not_for_the_same_text_elsewhere(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".runicorn.toml").write_text(HOSTILE)
    trust_file(elsewhere / ".runicorn.toml")
    (project / ".runicorn.toml").write_text(HOSTILE)
    assert settings.resolve().sync_url == ""


@pytest.mark.parametrize(
    ("storage", "honoured"),
    [
        ("runs", True),
        ("./a/../runs", True),
        (".", True),
        ("../shared", False),
        ("{shared}", False),
        ("~/runs", False),
        ("link/runs", False),  # a link committed into the repository, pointing out of it
    ],
)
def test_storage_from_an_untrusted_file_counts_only_inside_its_folder(
    project: Path, tmp_path: Path, storage: str, honoured: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (project / "link").symlink_to(shared)
    (project / ".runicorn.toml").write_text(f'storage = "{storage.format(shared=shared)}"\n')

    resolved = settings.resolve()
    if honoured:
        assert resolved.storage == (project / storage).absolute()
        assert capsys.readouterr().err == ""
    else:
        assert resolved.storage == project / ".runicorn"
        assert "ignoring storage from ./.runicorn.toml" in capsys.readouterr().err


def test_an_empty_value_needs_no_trust(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / ".runicorn.toml").write_text('sync_url = ""\nflush_interval_s = 1.5\n')
    assert settings.resolve().flush_interval_s == 1.5
    assert capsys.readouterr().err == ""


def test_the_user_config_is_written_0600_whatever_the_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "fresh" / "runicorn" / "config.json"
    monkeypatch.setenv(settings.USER_CONFIG_ENV, str(path))
    old = os.umask(0)
    try:
        settings.write_user_config({"notify_smtp_password": "my-pass"})
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        path.chmod(0o644)  # left loose by an older version or by hand
        settings.write_user_config({"notify_smtp_user": "me"})
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert settings.read_user_config() == {"notify_smtp_password": "my-pass", "notify_smtp_user": "me"}
    assert [p.name for p in path.parent.iterdir()] == ["config.json"]  # no temporary file left


def test_a_user_config_left_readable_by_others_is_made_0600_when_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.json"
    path.write_text('{"notify_smtp_password": "my-pass"}')
    path.chmod(0o644)  # as an earlier version, which followed the umask, left it
    monkeypatch.setenv(settings.USER_CONFIG_ENV, str(path))
    assert settings.read_user_config() == {"notify_smtp_password": "my-pass"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    err = capsys.readouterr().err
    assert "readable by other users (mode 0644)" in err and "it is 0600 now" in err
    settings.read_user_config()
    assert capsys.readouterr().err == ""  # said once: the file is private now
