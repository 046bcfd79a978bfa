"""What a job's command sees of the agent's environment (docs/agent.md#job-environment): its own
``env``, the short documented list and the variables the agent sets, never the agent's secrets;
the recorder (``runicorn run``) still gets the agent's settings, through a file the command never
sees."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from chat_servers import Mailbox, smtp_server  # noqa: F401

from runicorn import format as fmt

# A job that writes its whole environment, as its process has it, to env.json in its workdir.
DUMP_ENV = [sys.executable, "-c", "import json, os; json.dump(dict(os.environ), open('env.json', 'w'))"]

# What an agent on a shared GPU box holds for its own work.
AGENT_SECRETS = {
    "AWS_ACCESS_KEY_ID": "AKIAAGENTKEY",
    "AWS_SECRET_ACCESS_KEY": "agent-cloud-secret",
    "RUNICORN_NOTIFY_SMTP_PASSWORD": "agent-smtp-password",
    "RUNICORN_NOTIFY_SLACK_WEBHOOK": "https://hooks.example/agent-slack-secret",
    "RUNICORN_AGENT_TOKEN": "agent-token-secret",
    "GITHUB_TOKEN": "agent-github-secret",
    "HF_TOKEN": "agent-hf-secret",
}
MACHINE = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "USER": "ada",
    "LOGNAME": "ada",
    "LANG": "C.UTF-8",
    "LC_NUMERIC": "C",
    "TZ": "UTC",
}
# What the agent or the recorder set for a job, besides the documented list.
AGENT_SET = {
    fmt.AGENT_JOB_ENV,
    "RUNICORN_RUN_GRACE_S",
    "CUDA_VISIBLE_DEVICES",
    fmt.RUN_DIR_ENV,
    fmt.RUN_ID_ENV,
    fmt.EVENTS_FD_ENV,
}


def secret_holding_agent_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in {**AGENT_SECRETS, **MACHINE}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TMPDIR", str(tmp_path))


def test_a_job_sees_its_env_and_the_documented_list_never_the_agents_secrets(
    live_agent, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_holding_agent_env(monkeypatch, tmp_path)
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[2]))  # the recorder's own
    agent = live_agent(tmp_path / "store")

    job = agent.submit(command=DUMP_ENV, workdir=str(tmp_path), env={"MY_SETTING": "on", "HF_HOME": "/cache"})
    done = agent.wait_status(job["id"], "succeeded", "failed")

    assert done["status"] == "succeeded", done
    seen = json.loads((tmp_path / "env.json").read_text())
    leaked = {k: v for k, v in seen.items() if any(s in v for s in AGENT_SECRETS.values())}
    assert leaked == {}
    assert not set(seen) & set(AGENT_SECRETS)
    assert {k: seen.get(k) for k in MACHINE} == MACHINE
    assert (seen["HOME"], seen["TMPDIR"]) == (str(tmp_path / "home"), str(tmp_path))
    assert (seen["MY_SETTING"], seen["HF_HOME"], seen[fmt.AGENT_JOB_ENV]) == ("on", "/cache", job["id"])
    documented = {*MACHINE, "HOME", "TMPDIR", "PWD", "MY_SETTING", "HF_HOME", *AGENT_SET}
    assert set(seen) - documented == set()  # nothing else: not PYTHONPATH, not RUNICORN_CONFIG_FILE
    attempts = tmp_path / "store" / fmt.AGENT_DIR / fmt.ATTEMPTS_DIR
    assert not list(attempts.glob("*.recorder-env"))  # the recorder's file is gone


def test_the_recorder_mails_with_the_agents_smtp_password_the_command_never_sees(
    live_agent,
    smtp_server: Mailbox,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret_holding_agent_env(monkeypatch, tmp_path)
    smtp = {
        "HOST": smtp_server.host,
        "PORT": str(smtp_server.port),
        "SECURITY": "plain",
        "USER": smtp_server.user,
        "PASSWORD": smtp_server.password,
        "FROM": "agent@lab.example",
        "TO": "ada@lab.example",
    }
    for key, value in smtp.items():
        monkeypatch.setenv(f"RUNICORN_NOTIFY_SMTP_{key}", value)
    monkeypatch.setenv("RUNICORN_NOTIFY_EVENTS", "finish")
    agent = live_agent(tmp_path / "store")

    job = agent.submit(command=DUMP_ENV, workdir=str(tmp_path), project="lab", name="mailed")
    done = agent.wait_status(job["id"], "succeeded", "failed")

    assert done["status"] == "succeeded", done
    recipients, mail = smtp_server.wait_for_mail()
    assert recipients == ["ada@lab.example"] and smtp_server.logins == [smtp_server.user]
    assert "lab/mailed finished" in str(mail["Subject"])
    seen = json.loads((tmp_path / "env.json").read_text())
    assert not [k for k in seen if k.startswith("RUNICORN_NOTIFY_")]
    assert smtp_server.password not in json.dumps(seen)
