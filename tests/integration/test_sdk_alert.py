"""``rn.alert`` as a training script uses it: a real process sending to the fake DingTalk and
webhook services of tests/chat_servers.py, the alert recorded in events.jsonl (docs/sdk.md#alerts)."""

# ruff: noqa: F811 - the fixture imported from chat_servers is a parameter here

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from chat_servers import DINGTALK_SECRET, DINGTALK_TOKEN, WEBHOOK_SECRET, ChatServer, chat_server  # noqa: F401

from runicorn import format as fmt

REPO = Path(__file__).resolve().parents[2]
PY = sys.executable

TRAIN = """
import runicorn as rn
run = rn.init(project="p", name="alerted")
rn.log({"loss": 1.0})
rn.log({"loss": 1e9})
rn.alert("loss diverged", "loss 1e9 at step 2", level="error")
print("still training")
rn.finish()
"""


def run_python(tmp_path: Path, code: str, *wrapper: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RUNICORN_")}
    (tmp_path / "train.py").write_text(textwrap.dedent(code))
    return subprocess.run(
        [*wrapper, PY, str(tmp_path / "train.py")],
        cwd=tmp_path,
        env={
            **clean,
            "RUNICORN_DIR": str(tmp_path / "storage"),
            "RUNICORN_CONFIG_FILE": str(tmp_path / "user-config.json"),
            "RUNICORN_SYSTEM_INTERVAL_S": "60",
            "PYTHONPATH": str(REPO),
            **env,
        },
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=50,
    )


def only_run(tmp_path: Path) -> Path:
    found = sorted((tmp_path / "storage").glob(f"*/*/{fmt.RUNS_DIR}/*"))
    assert len(found) == 1, found
    return found[0]


def alert_records(run: Path) -> list[dict]:
    lines = (run / fmt.EVENTS_FILE).read_bytes().splitlines()
    records = [fmt.decode_event(line) for line in lines]
    return [r["data"] for r in records if r and r["type"] == fmt.ALERT]


def test_an_alert_reaches_dingtalk_and_is_recorded_in_the_run(
    chat_server: ChatServer, tmp_path: Path
) -> None:
    done = run_python(
        tmp_path,
        TRAIN,
        RUNICORN_NOTIFY_DINGTALK_WEBHOOK=chat_server.dingtalk_url,
        RUNICORN_NOTIFY_DINGTALK_SECRET=DINGTALK_SECRET,
        RUNICORN_NOTIFY_DINGTALK_KEYWORD="runicorn",
        RUNICORN_VIEWER_URL="http://viewer.lab:7788/",
    )
    assert done.returncode == 0, done.stderr
    run = only_run(tmp_path)
    assert alert_records(run) == [
        {"title": "loss diverged", "text": "loss 1e9 at step 2", "level": "error", "step": 2}
    ]
    [received] = chat_server.accepted
    text = received.body["markdown"]["text"]
    assert "p/alerted: loss diverged" in text and "loss 1e9 at step 2" in text
    assert f"http://viewer.lab:7788/runs/{run.name}" in text


def test_a_refused_alert_is_written_into_the_runs_log_without_the_secret(
    chat_server: ChatServer, tmp_path: Path
) -> None:
    done = run_python(
        tmp_path,
        TRAIN,
        RUNICORN_NOTIFY_WEBHOOK_URL=chat_server.webhook_url,
        RUNICORN_NOTIFY_WEBHOOK_SECRET="wrong-webhook-secret-77",
    )
    assert done.returncode == 0, done.stderr
    run = only_run(tmp_path)
    log = (run / fmt.LOGS_FILE).read_text()
    assert 'runicorn: notification of alert to webhook failed: HTTP 401: {"error": "bad signature"}' in log
    assert "still training" in log and len(alert_records(run)) == 1
    everything = "".join(p.read_text("utf-8", "replace") for p in run.rglob("*") if p.is_file())
    assert "wrong-webhook-secret-77" not in everything + done.stdout + done.stderr


def test_a_script_under_runicorn_run_sends_its_alert_and_records_it_through_the_pipe(
    chat_server: ChatServer, tmp_path: Path
) -> None:
    done = run_python(
        tmp_path,
        TRAIN,
        *(PY, "-m", "runicorn.cli", "run", "--notify", "webhook"),
        RUNICORN_NOTIFY_WEBHOOK_URL=chat_server.webhook_url,
        RUNICORN_NOTIFY_WEBHOOK_SECRET=WEBHOOK_SECRET,
        RUNICORN_NOTIFY_DINGTALK_WEBHOOK=chat_server.dingtalk_url,  # not chosen by --notify
        RUNICORN_NOTIFY_DINGTALK_SECRET=DINGTALK_SECRET,
        RUNICORN_NOTIFY_EVENTS="alert",
    )
    assert done.returncode == 0, done.stderr
    run = only_run(tmp_path)
    assert run.parent.parent.name == "train"  # the wrapper's run, not one of the script's own
    assert [a["title"] for a in alert_records(run)] == ["loss diverged"]
    assert [(r.service, r.body["event"]) for r in chat_server.accepted] == [("webhook", "alert")]
    assert chat_server.accepted[0].body["level"] == "error"
    assert DINGTALK_TOKEN not in done.stderr


def test_an_alert_without_a_run_or_with_logging_disabled_sends_nothing(
    chat_server: ChatServer, tmp_path: Path
) -> None:
    code = """
    import runicorn as rn
    rn.alert("before init")
    rn.alert("again before init")
    rn.init(project="p", name="off").alert("while disabled")
    rn.alert("while disabled")
    """
    env = {"RUNICORN_NOTIFY_WEBHOOK_URL": chat_server.webhook_url, "RUNICORN_MODE": "disabled"}
    done = run_python(tmp_path, code, **env)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("rn.alert was called with no run started") == 1
    assert chat_server.requests == 0 and not (tmp_path / "storage").exists()
