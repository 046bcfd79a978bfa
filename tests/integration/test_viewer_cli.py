"""``runicorn viewer`` as a user runs it: a real process, its printed URL, its token, its stop
(docs/cli.md#viewer)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from runicorn import format as fmt
from runicorn.gate.access import cookie_value

REPO = Path(__file__).parents[2]
STOP_WITHIN_S = 2.0


# Starts a command as some launchers do: with SIGINT and SIGTERM blocked (a mask survives exec).
BLOCKED_LAUNCH = (
    "import os, signal, sys; signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM}); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
)


class ViewerProcess:
    def __init__(self, tmp_path: Path, *args: str, signals_blocked: bool = False) -> None:
        env = {
            **os.environ,
            "RUNICORN_CONFIG_FILE": str(tmp_path / "no-config.json"),
            "PYTHONUNBUFFERED": "1",
        }
        self.out_path = tmp_path / "viewer.out"
        self.out = open(self.out_path, "wb")
        cmd = [sys.executable, "-m", "runicorn.cli", "viewer", "--storage", str(tmp_path / "storage"), *args]
        if signals_blocked:
            cmd[1:1] = ["-c", BLOCKED_LAUNCH]
        self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=self.out, stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.out_path.read_text(errors="replace")

    def url(self) -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = re.search(r"Runicorn viewer: (http://\S+)", self.output())
            if found:
                return found.group(1)
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        pytest.fail(f"the viewer printed no URL (exit {self.proc.poll()}):\n{self.output()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.out.close()


@pytest.fixture
def start(tmp_path: Path) -> Iterator:
    started: list[ViewerProcess] = []

    def run(*args: str, signals_blocked: bool = False) -> ViewerProcess:
        started.append(ViewerProcess(tmp_path, *args, signals_blocked=signals_blocked))
        return started[-1]

    yield run
    for p in started:
        p.stop()


def api(url: str, path: str) -> str:
    """``path`` on the viewer of the printed ``url``, with its token when it has one."""
    printed = httpx.URL(url)
    return str(printed.copy_with(path=path, query=printed.query or None))


def health(url: str) -> httpx.Response:
    base = url.split("?")[0].rstrip("/")
    deadline = time.monotonic() + 30
    while True:
        try:
            return httpx.get(f"{base}/api/health", params=dict(httpx.URL(url).params), timeout=10)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_viewer_prints_its_url_and_stops_promptly_with_a_websocket_open(start, sig: signal.Signals) -> None:
    viewer = start("--port", "0")
    url = viewer.url()
    assert url.startswith("http://127.0.0.1:") and "?token=" in url
    assert health(url).json()["ok"] is True
    (Path(viewer.out_path).parent / "storage" / "p" / "n" / "runs" / "r1").mkdir(parents=True)
    (Path(viewer.out_path).parent / "storage" / "p" / "n" / "runs" / "r1" / "status.json").write_text("{}")
    with connect(api(url, "/api/runs/r1/logs/ws").replace("http", "ws", 1), open_timeout=10):
        sent = time.monotonic()
        viewer.proc.send_signal(sig)
        try:
            viewer.proc.wait(STOP_WITHIN_S)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {STOP_WITHIN_S} s after {sig.name}:\n{viewer.output()}")
    assert time.monotonic() - sent < STOP_WITHIN_S + 1


def test_ctrl_c_stops_a_viewer_started_with_it_blocked(start) -> None:
    """A signal mask inherited from the launching program must not make Ctrl-C do nothing."""
    viewer = start("--port", "0", signals_blocked=True)
    assert health(viewer.url()).json()["ok"] is True
    viewer.proc.send_signal(signal.SIGINT)
    try:
        viewer.proc.wait(STOP_WITHIN_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running {STOP_WITHIN_S} s after Ctrl-C:\n{viewer.output()}")


def test_viewer_stops_promptly_and_quietly_during_a_long_first_read(start, tmp_path: Path) -> None:
    """Stopping while the viewer decodes a long run for the first time (its worker processes
    busy) takes no longer, and prints no traceback."""
    run = tmp_path / "storage" / "p" / "n" / "runs" / "r1"
    run.mkdir(parents=True)
    (run / fmt.STATUS_FILE).write_text('{"status": "finished"}')
    line = fmt.encode_event(fmt.METRICS, {"loss": 0.5, "acc": 0.25, fmt.STEP_KEY: 1, fmt.TIME_KEY: 1.0}, 1.0)
    # 160 MB: its first read takes a few seconds, longer than the grace period for requests
    (run / fmt.EVENTS_FILE).write_bytes(line * (160 * 1024 * 1024 // len(line)))
    viewer = start("--port", "0")
    url = viewer.url()
    assert health(url).json()["ok"] is True

    def first_read() -> None:
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(api(url, "/api/runs/r1/metrics"), timeout=30)

    reading = threading.Thread(target=first_read, daemon=True)
    reading.start()
    time.sleep(0.3)  # the read is under way
    sent = time.monotonic()
    viewer.proc.send_signal(signal.SIGINT)
    try:
        viewer.proc.wait(STOP_WITHIN_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running {STOP_WITHIN_S} s after Ctrl-C:\n{viewer.output()}")
    assert time.monotonic() - sent < STOP_WITHIN_S + 1
    assert "Traceback" not in viewer.output() and "ERROR" not in viewer.output(), viewer.output()


def test_a_non_loopback_host_requires_the_printed_token(start) -> None:
    viewer = start("--host", "0.0.0.0", "--port", "0")
    url = viewer.url()
    token = httpx.URL(url).params["token"]
    assert len(token) >= 16
    port = httpx.URL(url).port
    assert health(url).status_code == 200  # up, and the printed URL works
    assert httpx.get(f"http://127.0.0.1:{port}/api/runs", timeout=10).status_code == 401
    answer = httpx.get(
        f"http://127.0.0.1:{port}/api/runs", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert answer.status_code == 200


def test_a_given_token_is_used_and_a_busy_port_is_a_clear_error(start) -> None:
    first = start("--port", "0", "--token", "my-own-token-123")
    url = first.url()
    assert url.endswith("?token=my-own-token-123")
    assert health(url).status_code == 200
    second = start("--port", str(httpx.URL(url).port))
    assert second.proc.wait(30) == 1
    out = second.output()
    assert "error: cannot listen on 127.0.0.1:" in out and "hint:" in out and "Traceback" not in out


@pytest.mark.parametrize("port", ["70000", "-1", "65536"])
def test_a_port_outside_the_tcp_range_is_an_error_naming_it(start, port: str) -> None:
    viewer = start("--port", port)
    assert viewer.proc.wait(30) == 1
    out = viewer.output()
    assert f"error: --port {port} is not a TCP port" in out, out
    assert "hint: use a port from 1 to 65535, or 0 to pick a free one" in out
    assert "Runicorn viewer:" not in out and "Traceback" not in out


def test_a_wildcard_cors_origin_is_an_error(start) -> None:
    viewer = start("--port", "0", "--cors-origin", "*")
    assert viewer.proc.wait(30) == 1
    out = viewer.output()
    assert "error: --cors-origin '*' would let every web site use this server" in out, out
    assert "hint: name each web origin" in out and "Traceback" not in out


def test_saved_mirrors_resume_only_with_resume_mirrors(start, tmp_path: Path, connection_recorder) -> None:
    from runicorn.remote.registry import MirrorEntry, Registry

    ssh = connection_recorder()
    Registry(tmp_path / "storage").add_mirror(
        MirrorEntry("m1", "me", "127.0.0.1", ssh.port, "/data", interval_s=1.0, auth="agent")
    )
    quiet = start("--port", "0")
    url = quiet.url()
    assert health(url).status_code == 200
    assert httpx.get(api(url, "/api/ssh/mirror/list"), timeout=10).json() == {"mirrors": []}
    assert "1 in the mirror file, not resumed (--resume-mirrors does)" in quiet.output()
    assert ssh.count == 0
    quiet.stop()

    asked = start("--port", "0", "--resume-mirrors")
    assert health(asked.url()).status_code == 200
    assert ssh.connected.wait(30), f"the saved mirror was not resumed:\n{asked.output()}"


def test_the_viewer_asks_for_its_token_by_default_and_says_where_it_is(start, tmp_path: Path) -> None:
    viewer = start("--port", "0")
    url = viewer.url()
    token = httpx.URL(url).params["token"]
    assert token == (tmp_path / "viewer.token").read_text().strip()  # beside the user config
    assert "token          : required on every request" in viewer.output()
    assert health(url).status_code == 200
    base = url.split("?")[0]
    assert httpx.get(f"{base}api/runs", timeout=10).status_code == 401
    assert (
        httpx.get(f"{base}api/runs", headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code
        == 200
    )


def test_no_token_serves_loopback_without_one_and_says_so(start) -> None:
    viewer = start("--port", "0", "--no-token")
    url = viewer.url()
    assert "token" not in url
    assert "--no-token: every user of this machine can open it" in viewer.output()
    assert health(url).status_code == 200
    foreign_host = httpx.get(f"{url}api/runs", headers={"Host": "evil.example:8000"}, timeout=10)
    assert foreign_host.status_code == 403  # the loopback Host check stays
    refused = start("--host", "0.0.0.0", "--port", "0", "--no-token")
    assert refused.proc.wait(30) == 1
    assert "error: --no-token serves loopback only, not --host 0.0.0.0" in refused.output()


def test_the_cookie_opens_its_own_port_only_and_survives_a_restart(start) -> None:
    first = start("--port", "0")
    url = first.url()
    port, token = httpx.URL(url).port, httpx.URL(url).params["token"]
    assert port is not None
    base = f"http://127.0.0.1:{port}"
    opened = httpx.get(url, headers={"Accept": "text/html"}, timeout=10)
    assert opened.status_code == 303 and opened.headers["location"] == "/"
    name = f"runicorn_{port}"
    cookie = opened.cookies[name]
    assert cookie and token not in cookie and token not in opened.headers["set-cookie"]

    def runs_with(cookies: dict[str, str]) -> int:
        return httpx.get(f"{base}/api/runs", cookies=cookies, timeout=10).status_code

    assert runs_with({name: cookie}) == 200
    assert runs_with({name: token}) == 401  # the token itself is no cookie
    assert runs_with({f"runicorn_{port + 1}": cookie}) == 401  # another port's name
    other_port_value = cookie_value(token, port + 1)  # what a viewer on another port would set
    assert other_port_value != cookie
    assert (
        runs_with({name: other_port_value}) == 401
        and runs_with({f"runicorn_{port + 1}": other_port_value}) == 401
    )

    first.stop()
    again = start("--port", str(port))
    assert again.url() == url  # the same token from the same file
    assert runs_with({name: cookie}) == 200  # a bookmark keeps working
