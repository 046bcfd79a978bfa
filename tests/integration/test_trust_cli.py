"""A ``.runicorn.toml`` that came with a cloned repository, as a user meets it (real processes):
its webhook, SMTP, sync and agent addresses are reached only after ``runicorn trust`` recorded
the file as it is; until then every command says so in one line and works on
(docs/cli.md#trust). The user config holding the trust record is the user's alone."""

# ruff: noqa: F811 - the fixtures imported from chat_servers are parameters here

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chat_servers import WEBHOOK_SECRET, ChatServer, Mailbox, chat_server, smtp_server  # noqa: F401
from connection_recorder import ConnectionRecorder
from other_user import OtherUser, expose_folders
from s3_server import S3Server

REPO = Path(__file__).resolve().parents[2]
PY = sys.executable
UNTRUSTED = "from ./.runicorn.toml (not trusted); hint: review it, then run: runicorn trust"
ALERT = "import runicorn as rn; rn.init(project='p', name='n'); rn.alert('loss is nan'); print('done')"


class Clone:
    """A cloned repository's folder (the working directory) and the user's own config file."""

    def __init__(self, tmp_path: Path) -> None:
        self.folder = tmp_path / "cloned-repo"
        self.folder.mkdir()
        self.config = tmp_path / "home-config" / "runicorn" / "config.json"
        self.storage = tmp_path / "storage"

    def write(self, text: str) -> None:
        (self.folder / ".runicorn.toml").write_text(text)

    def run(
        self, *argv: str, cwd: Path | None = None, umask: int | None = None, **env: str
    ) -> subprocess.CompletedProcess[str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("RUNICORN_", "AWS_"))}
        if umask is not None:
            argv = ("sh", "-c", f'umask {umask:03o} && exec "$@"', "sh", *argv)
        return subprocess.run(
            argv,
            cwd=cwd or self.folder,
            env={
                **clean,
                "RUNICORN_CONFIG_FILE": str(self.config),
                "RUNICORN_DIR": str(self.storage),
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

    def runicorn(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return self.run(PY, "-m", "runicorn.cli", *args, **kwargs)


def warnings_in(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in (done.stdout + done.stderr).splitlines() if line.startswith("warning:")]


def test_an_untrusted_file_reaches_none_of_its_addresses_and_says_so_once(
    tmp_path: Path, connection_recorder: Callable[[], ConnectionRecorder]
) -> None:
    hook, mail, bucket, agent = (connection_recorder() for _ in range(4))
    clone = Clone(tmp_path)
    clone.write(
        'notify_events = "finish,failure,alert"\n'
        'sync_url = "s3://their-bucket/runs"\n'
        f'sync_endpoint_url = "http://127.0.0.1:{bucket.port}"\n'
        f'agent_url = "http://127.0.0.1:{agent.port}"\n'
        f'[notify.webhook]\nurl = "http://127.0.0.1:{hook.port}/hook"\n'
        f'[notify.smtp]\nhost = "127.0.0.1"\nport = {mail.port}\nsecurity = "plain"\n'
        'to = "them@their.example"\n'
    )
    keys = (
        "agent_url, sync_url, sync_endpoint_url, notify_webhook_url, "
        "notify_smtp_host, notify_smtp_port, notify_smtp_security, notify_smtp_to"
    )
    warning = f"warning: ignoring {keys} {UNTRUSTED}"

    wrapped = clone.runicorn("run", "--", PY, "-c", ALERT)  # the wrapper, and rn.alert in its command
    assert wrapped.returncode == 0, wrapped.stderr
    assert "done" in wrapped.stdout
    assert warnings_in(wrapped) == [warning]  # one line, not one per process

    alone = clone.run(PY, "-c", ALERT)  # the SDK on its own
    assert alone.returncode == 0 and "done" in alone.stdout, alone.stderr
    assert warnings_in(alone) == [warning]

    jobs = clone.runicorn("jobs")
    assert warnings_in(jobs) == [warning]
    assert [r.count for r in (hook, mail, bucket, agent)] == [0, 0, 0, 0]

    assert clone.runicorn("trust").returncode == 0
    trusted = clone.runicorn("jobs")
    assert warnings_in(trusted) == []
    assert agent.connected.wait(10)  # the same command, now at the file's agent


def test_once_trusted_the_run_and_its_alerts_reach_the_webhook_until_the_file_changes(
    tmp_path: Path, chat_server: ChatServer
) -> None:
    clone = Clone(tmp_path)
    text = f'notify_events = "finish,alert"\n[notify.webhook]\nurl = "{chat_server.webhook_url}"\n'
    clone.write(text + f'secret = "{WEBHOOK_SECRET}"\n')

    untrusted = clone.runicorn("run", "--", PY, "-c", ALERT)
    assert untrusted.returncode == 0 and chat_server.requests == 0
    keys = "notify_webhook_url, notify_webhook_secret"
    assert warnings_in(untrusted) == [f"warning: ignoring {keys} {UNTRUSTED}"]

    trusted = clone.runicorn("trust")
    assert trusted.returncode == 0, trusted.stderr
    where = os.path.realpath(clone.folder / ".runicorn.toml")
    assert trusted.stdout.startswith(f"trusted {where} as it is now (sha256:")
    assert f"it may now set {keys} (saved in " in trusted.stdout
    done = clone.runicorn("run", "--", PY, "-c", ALERT)
    assert done.returncode == 0 and warnings_in(done) == []
    chat_server.wait_for(lambda s: s.count("webhook") == 2)  # the alert and the finish

    clone.write(text + f'secret = "{WEBHOOK_SECRET}"\n# edited\n')
    edited = clone.runicorn("run", "--", PY, "-c", ALERT)
    assert edited.returncode == 0 and len(warnings_in(edited)) == 1
    assert chat_server.requests == 2

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert clone.runicorn("trust", str(clone.folder), cwd=elsewhere).returncode == 0
    alert = clone.run(PY, "-c", ALERT)
    assert alert.returncode == 0 and warnings_in(alert) == []
    chat_server.wait_for(lambda s: s.count("webhook") == 3)

    listed = clone.runicorn("trust", "--list", cwd=elsewhere)
    assert listed.stdout == f"{where}  trusted\n"
    assert clone.runicorn("trust", "--revoke", str(clone.folder), cwd=elsewhere).returncode == 0
    again = clone.run(PY, "-c", ALERT)
    assert len(warnings_in(again)) == 1 and chat_server.requests == 3


def test_a_user_config_smtp_password_goes_to_no_smtp_host_of_an_untrusted_file(
    tmp_path: Path, smtp_server: Mailbox
) -> None:
    clone = Clone(tmp_path)
    for key, value in (
        ("notify.smtp.user", smtp_server.user),
        ("notify.smtp.password", smtp_server.password),
    ):
        assert clone.runicorn("config", "--set", key, value).returncode == 0
    clone.write(
        f'[notify.smtp]\nhost = "{smtp_server.host}"\nport = {smtp_server.port}\nsecurity = "plain"\n'
        'to = "them@their.example"\nevents = "finish"\n'
    )

    untrusted = clone.runicorn("run", "--", PY, "-c", "print('done')")
    assert untrusted.returncode == 0 and "done" in untrusted.stdout
    assert (smtp_server.greetings, smtp_server.logins, smtp_server.mails) == (0, [], [])

    assert clone.runicorn("trust").returncode == 0  # the user vouched for the file
    trusted = clone.runicorn("run", "--", PY, "-c", "print('done')")
    assert trusted.returncode == 0, trusted.stderr
    recipients, _mail = smtp_server.wait_for_mail()
    assert recipients == ["them@their.example"] and smtp_server.logins == [smtp_server.user]


def test_a_run_is_synced_to_the_bucket_of_a_file_only_once_it_is_trusted(
    tmp_path: Path, s3_server: S3Server
) -> None:
    bucket = s3_server.new_bucket()
    clone = Clone(tmp_path)
    clone.write(f'sync_url = "s3://{bucket}/runs"\nsync_endpoint_url = "{s3_server.endpoint}"\n')
    credentials = {k: v for k, v in s3_server.env().items() if k != "AWS_ENDPOINT_URL"}
    client = s3_server.client()

    untrusted = clone.runicorn("run", "--", PY, "-c", "print('done')", **credentials)
    assert untrusted.returncode == 0 and len(warnings_in(untrusted)) == 1
    assert client.ls(bucket) == []

    assert clone.runicorn("trust").returncode == 0
    trusted = clone.runicorn("run", "--", PY, "-c", "print('done')", **credentials)
    assert trusted.returncode == 0, trusted.stderr
    assert client.find(f"{bucket}/runs")  # the run, uploaded while it ran and at its end


def test_the_user_config_and_its_trust_record_are_the_users_alone_under_umask_000(
    tmp_path: Path, other_user: OtherUser
) -> None:
    clone = Clone(tmp_path)
    clone.write('sync_url = "s3://b/p"\n')
    for command in (("config", "--set", "notify.smtp.password", "mail-pass"), ("trust",)):
        assert clone.runicorn(*command, umask=0).returncode == 0
        expose_folders(clone.config)
        assert stat.S_IMODE(clone.config.stat().st_mode) == 0o600
        assert not other_user.can_read(clone.config)
        assert not other_user.can_write(clone.config)
    swap = "import sys; open(sys.argv[1], 'x')"  # nor put a file of theirs in its place
    assert other_user.python_code(swap, str(clone.config.parent / "new.json")).returncode != 0
