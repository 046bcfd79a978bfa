"""``runicorn agent`` and its client commands as real processes: a second agent on the same root
is refused, ``kill -9`` of the agent loses no job and runs none twice (docs/agent.md#reconcile)."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from agent_server import wait_for

REPO = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "RUNICORN_CONFIG_FILE": str(tmp_path / "no-user-config.json"),
        "RUNICORN_SYSTEM_INTERVAL_S": "60",
        "PYTHONUNBUFFERED": "1",
    }


def start_agent(tmp_path: Path, store: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    argv = [sys.executable, "-m", "runicorn.cli", "agent", "--storage", str(store), "--port", "0"]
    agent = subprocess.Popen(
        [*argv, "--gpus", "none", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_env(tmp_path),
    )
    assert agent.stdout is not None
    first = agent.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+", first)
    if match is None:
        agent.kill()
        pytest.fail(f"agent did not start: {first}{agent.communicate()[0]}")
    return agent, match.group(0)


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runicorn.cli", *args],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=60,
    )


def test_kill_9_of_the_agent_loses_no_job_and_runs_none_twice(tmp_path: Path) -> None:
    store, work = tmp_path / "store", tmp_path / "work"
    work.mkdir()
    agent, url = start_agent(tmp_path, store, "--max-parallel", "2")
    try:
        second = cli(tmp_path, "agent", "--storage", str(store), "--port", "0", "--gpus", "none")
        assert second.returncode == 1
        assert "another agent" in second.stderr and "hint:" in second.stderr
        script = 'echo "$N" >> ../ran.txt; while [ ! -e release ]; do sleep 0.05; done'
        ids = []
        for n in range(3):
            out = cli(
                tmp_path,
                "submit",
                "--agent",
                url,
                "--workdir",
                str(work),
                "--env",
                f"N={n}",
                "--",
                "sh",
                "-c",
                script,
            )
            assert out.returncode == 0, out.stderr
            ids.append(out.stdout.split()[0])
        ran = tmp_path / "ran.txt"
        wait_for(lambda: ran.exists() and len(ran.read_text().split()) == 2, what="two jobs running")
        agent.send_signal(signal.SIGKILL)
        agent.wait()
        agent.stdout.close()  # type: ignore[union-attr]
        agent, url = start_agent(tmp_path, store, "--max-parallel", "2")
        listed = cli(tmp_path, "jobs", "--agent", url)
        assert listed.returncode == 0
        assert sorted(re.findall(r"\b(running|pending)\b", listed.stdout)) == [
            "pending",
            "running",
            "running",
        ]
        (work / "release").touch()
        token = (tmp_path / "agent.token").read_text().strip()  # the agent made it beside the user config
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as http:
            for job_id in ids:
                wait_for(
                    lambda j=job_id: http.get(f"/api/jobs/{j}").json()["status"] == "succeeded", what=job_id
                )
                assert http.get(f"/api/jobs/{job_id}").json()["attempts"] == 1
        assert sorted(ran.read_text().split()) == ["0", "1", "2"]  # each job ran exactly once
    finally:
        agent.terminate()
        agent.communicate(timeout=20)


def test_cli_cancels_and_refuses_with_the_agents_words(tmp_path: Path) -> None:
    store = tmp_path / "store"
    agent, url = start_agent(tmp_path, store)
    try:
        out = cli(tmp_path, "submit", "--agent", url, "--requires", "never", "--name", "waits", "--", "true")
        job_id = out.stdout.split()[0]
        assert " pending " in out.stdout
        waits = wait_for(
            lambda: (
                "waiting for: requires never" in (o := cli(tmp_path, "jobs", "--agent", url).stdout) and o
            ),
            what="the listing to say what the job waits for",
        )
        assert f"{job_id}  pending" in waits
        cancelled = cli(tmp_path, "cancel", job_id, "--agent", url)
        assert cancelled.returncode == 0 and "cancelled" in cancelled.stdout
        again = cli(tmp_path, "cancel", job_id, "--agent", url)
        assert again.returncode == 1 and "already ended (cancelled)" in again.stderr
        resumed = cli(tmp_path, "resume", job_id, "--agent", url)
        assert resumed.returncode == 1 and "hint: give the checkpoint" in resumed.stderr
        listed = cli(tmp_path, "jobs", "--agent", url, "--status", "cancelled")
        assert job_id in listed.stdout and "waits" in listed.stdout
        gone = cli(tmp_path, "jobs", "--agent", "http://127.0.0.1:9")
        assert gone.returncode == 1 and "cannot reach the agent" in gone.stderr
    finally:
        agent.terminate()
        agent.communicate(timeout=20)


def test_mistyped_gpus_and_env_are_refused_with_what_to_write(tmp_path: Path) -> None:
    cases = [
        (["submit", "--gpus", "two", "--", "true"], "--gpus 'two' is not a number of GPUs", "--gpus 0,1"),
        (
            ["submit", "--gpus", "0,x", "--", "true"],
            "--gpus '0,x' is not a list of GPU indices",
            "--gpus 0,1",
        ),
        (["submit", "--env", "FOO", "--", "true"], "--env 'FOO' has no value", "--env NAME=VALUE"),
        (
            ["agent", "--storage", str(tmp_path / "store"), "--gpus", "zero"],
            "--gpus 'zero' is not a list",
            "0,1",
        ),
    ]
    for args, error, hint in cases:
        out = cli(tmp_path, *args)
        assert out.returncode != 0, args
        assert f"error: {error}" in out.stderr and hint in out.stderr, out.stderr
        assert "Traceback" not in out.stderr


def test_agent_token_is_made_before_any_agent_and_the_owners_cli_needs_no_token_flag(tmp_path: Path) -> None:
    """docs/agent.md#security-model: `runicorn agent token` prints the token (made now if no agent
    ran yet), the agent takes it as a Bearer header, and submit/jobs/cancel find it by themselves."""
    token_file = tmp_path / "agent.token"  # beside the user config file
    assert not token_file.exists()
    printed = cli(tmp_path, "agent", "token")
    token = printed.stdout.strip()
    assert printed.returncode == 0 and len(token) >= 40 and token_file.read_text().strip() == token
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    agent, url = start_agent(tmp_path, tmp_path / "store")
    try:
        assert httpx.get(f"{url}/api/jobs").status_code == 401
        assert httpx.get(f"{url}/api/jobs", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        submitted = cli(
            tmp_path, "submit", "--agent", url, "--requires", "never", "--name", "mine", "--", "true"
        )
        assert submitted.returncode == 0, submitted.stderr
        job_id = submitted.stdout.split()[0]
        assert job_id in cli(tmp_path, "jobs", "--agent", url).stdout
        assert cli(tmp_path, "cancel", job_id, "--agent", url).returncode == 0
        wrong = cli(tmp_path, "jobs", "--agent", url, "--token", "not-the-agents-token")  # --token wins
        assert wrong.returncode == 1 and "missing or wrong token" in wrong.stderr
        assert "hint:" in wrong.stderr and "runicorn agent token" in wrong.stderr
        assert cli(tmp_path, "agent", "token").stdout.strip() == token  # the same one, every time
    finally:
        agent.terminate()
        agent.communicate(timeout=20)


def test_the_agent_token_setting_wins_over_the_token_file(tmp_path: Path) -> None:
    env = {**_env(tmp_path), "RUNICORN_AGENT_TOKEN": "set-by-the-user-1234"}
    argv = [sys.executable, "-m", "runicorn.cli", "agent", "token"]
    printed = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert printed.stdout.strip() == "set-by-the-user-1234" and not (tmp_path / "agent.token").exists()


def test_an_open_token_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    token_file = tmp_path / "agent.token"
    token_file.write_text("a-token-others-could-read\n")
    token_file.chmod(0o644)
    out = cli(tmp_path, "agent", "--storage", str(tmp_path / "store"), "--port", "0", "--gpus", "none")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert f"error: the token file {token_file} is open to other users (mode 0644)" in out.stderr
    assert "hint: its token may have been read: delete the file" in out.stderr
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o644  # left as it is: the user decides
