"""What another local user of a shared GPU box can do against your agent and viewer: nothing
(docs/agent.md#security-model, docs/viewer.md#security-model). They run as a real second Unix
user (``other_user``) with their own curl and Python, against real services on loopback."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from agent_server import wait_for
from other_user import OtherUser, expose_folders
from test_agent_cli import cli
from test_viewer_cli import ViewerProcess

REPO = Path(__file__).resolve().parents[2]


def agent_routes(app: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every route of ``app``, the routers it includes too."""
    for route in app.routes:
        if hasattr(route, "original_router"):  # FastAPI's included router
            yield from agent_routes(route.original_router, prefix + route.include_context.prefix)
        elif hasattr(route, "routes"):
            yield from agent_routes(route, prefix + getattr(route, "path", ""))
        else:
            for method in sorted(set(route.methods or ()) - {"HEAD"}):  # HEAD: answered as its GET
                yield method, prefix + route.path


def test_another_user_gets_401_on_every_agent_route_and_changes_nothing(
    live_agent: Any, other_user: OtherUser, tmp_path: Path
) -> None:
    agent = live_agent(tmp_path / "store")
    job = agent.submit(command=["sh", "-c", "echo secret-output"], workdir=str(tmp_path), name="mine")
    agent.wait_status(job["id"], "succeeded")
    waiting = agent.submit(command=["true"], workdir=str(tmp_path), name="waits", requires=["never"])
    routes = sorted(set(agent_routes(agent.app)))
    assert {
        ("GET", "/health"),
        ("GET", "/api/jobs"),
        ("GET", "/api/jobs/{job_id}"),
        ("POST", "/api/jobs"),
        ("POST", "/api/jobs/{job_id}/cancel"),
        ("POST", "/api/jobs/{job_id}/resume"),
    } <= set(routes)
    pwned = other_user.scratch / "pwned"
    body = json.dumps({"command": ["touch", str(pwned)], "workdir": str(other_user.scratch)})
    for method, path in routes:
        for job_id in (job["id"], waiting["id"]):
            url = agent.url + path.format(job_id=job_id, id_or_name="mine")
            for headers in ({}, {"Authorization": "Bearer not-the-token"}):
                status, text = other_user.http(
                    method, url, headers=headers, body=body if method == "POST" else None
                )
                assert status == 401, (method, path, text)
                assert "secret-output" not in text and job_id not in text, (method, path)
    assert agent.job(waiting["id"])["status"] == "pending"  # cancelled by no one
    listed = agent.http.get("/api/jobs").json()
    assert listed["total"] == 2 and not pwned.exists()  # nothing submitted, nothing ran


def test_another_user_cannot_read_the_token_files_or_the_user_config(
    other_user: OtherUser, tmp_path: Path
) -> None:
    config = tmp_path / "home" / ".config" / "runicorn" / "config.json"
    env = {**os.environ, "PYTHONPATH": str(REPO), "RUNICORN_CONFIG_FILE": str(config)}

    def runicorn(*args: str) -> subprocess.CompletedProcess[str]:
        # umask 0: every file would be open to everyone unless made private on purpose
        argv = [sys.executable, "-c", "import os, sys, runpy; os.umask(0); sys.argv[0] = 'runicorn'; "
                "runpy.run_module('runicorn.cli', run_name='__main__')", *args]  # fmt: skip
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=True)

    runicorn("config", "--set", "notify_slack_webhook", "https://hooks.slack.example/T000/B000/s3cret")
    agent_token = runicorn("agent", "token").stdout.strip()
    viewer_token = runicorn("viewer", "token").stdout.strip()
    folder = config.parent
    assert (folder / "agent.token").read_text().strip() == agent_token
    assert (folder / "viewer.token").read_text().strip() == viewer_token
    assert len({agent_token, viewer_token}) == 2
    for path in (config, folder / "agent.token", folder / "viewer.token"):
        expose_folders(path)  # every folder above it enterable: only the file's own mode decides
        assert not other_user.can_read(path), path
        assert not other_user.can_write(path), path


def test_another_user_gets_401_from_the_viewer_and_no_cookie_opens_it(
    other_user: OtherUser, tmp_path: Path
) -> None:
    viewer = ViewerProcess(tmp_path, "--port", "0")
    try:
        url = viewer.url()
        base, token = url.split("?token=")
        assert len(token) >= 40
        raw_cookie = {"Cookie": f"runicorn_{httpx.URL(url).port}={token}"}  # the token is no cookie value
        for path in ("api/health", "api/runs", "api/config", "", "runs/x", "docs", "openapi.json"):
            for headers in ({}, {"Accept": "text/html"}, raw_cookie):
                status, text = other_user.http("GET", base + path, headers=headers)
                assert status == 401, (path, headers, text)
                assert str(tmp_path) not in text
        assert other_user.http("GET", f"{base}api/runs?token=wrong")[0] == 401
        assert (
            other_user.http("GET", f"{base}api/runs", headers={"Authorization": "Bearer " + "x" * 43})[0]
            == 401
        )
    finally:
        viewer.stop()


def test_the_cli_sends_no_token_to_a_port_another_user_listens_on(
    other_user: OtherUser, tmp_path: Path
) -> None:
    """Another user who took the agent's port while it was down collects no token from the
    owner's ``runicorn jobs``."""
    seen, port_file = other_user.scratch / "seen.txt", other_user.scratch / "port.txt"
    server = (
        "import socket, sys\n"
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(8); s.settimeout(30)\n"
        "open(sys.argv[2], 'w').write(str(s.getsockname()[1]))\n"
        "with open(sys.argv[1], 'ab') as seen:\n"
        "    while True:\n"
        "        c, _ = s.accept(); c.settimeout(5)\n"
        "        try:\n"
        "            data = c.recv(65536)\n"
        "        except OSError:\n"
        "            data = b''\n"
        "        seen.write(data + b'\\n--\\n'); seen.flush()\n"
        "        if data.startswith(b'STOP'):\n"
        "            break\n"
        "        c.sendall(b'HTTP/1.0 200 OK\\r\\n\\r\\n{\"jobs\": [], \"total\": 0}')\n"
        "        c.close()\n"
    )  # fmt: skip
    listening = threading.Thread(target=other_user.python_code, args=(server, str(seen), str(port_file)))
    listening.start()
    port = int(wait_for(lambda: port_file.exists() and port_file.read_text(), 20, "the other user's port"))
    try:
        done = cli(tmp_path, "jobs", "--agent", f"http://127.0.0.1:{port}")
        assert done.returncode == 1, done.stdout
        assert f"error: the server at http://127.0.0.1:{port} belongs to another user" in done.stderr
        assert "hint:" in done.stderr and "Traceback" not in done.stderr
        explicit = cli(tmp_path, "jobs", "--agent", f"http://127.0.0.1:{port}", "--token", "given-by-hand")
        assert explicit.returncode == 1 and "belongs to another user" in explicit.stderr
    finally:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as stop:
            stop.sendall(b"STOP")
        listening.join(30)
    received = seen.read_text(errors="replace")
    token = (tmp_path / "agent.token").read_text().strip()
    assert token not in received and "given-by-hand" not in received
    assert not re.search("authorization", received, re.IGNORECASE), received
