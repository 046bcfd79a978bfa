"""Password login for the SSH mirror, against a real sshd that accepts passwords and a throwaway
system user (docs/remote.md#api). Needs root and ``useradd``/``chpasswd``/``userdel``."""

from __future__ import annotations

import os
import pty
import secrets
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

import runicorn
from runicorn import format as fmt

sys.path.insert(0, str(Path(__file__).parent))
from remote_run import signal_state, wait_for  # noqa: E402
from sshd_server import SSHD, SshServer, trusted_sshd  # noqa: E402

pytestmark = [
    pytest.mark.ssh,
    pytest.mark.skipif(not os.path.exists(SSHD), reason=f"OpenSSH server not installed ({SSHD} missing)"),
]


@dataclass
class PasswordUser:
    name: str
    password: str
    remote: Path  # a run tree this user can read


@pytest.fixture
def password_user() -> Iterator[PasswordUser]:
    """A throwaway system user with a random password and a 0755 folder under /tmp it owns."""
    if os.geteuid() != 0:
        pytest.skip("creating a throwaway login user needs root")
    missing = [tool for tool in ("useradd", "chpasswd", "userdel") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"cannot create a throwaway login user: {', '.join(missing)} not installed")
    name = "rntest" + secrets.token_hex(4)
    password = "pw-" + secrets.token_urlsafe(18)
    remote = Path("/tmp") / f"{name}-runs"
    subprocess.run(["useradd", "-M", "-s", "/bin/sh", name], check=True, capture_output=True)
    try:
        subprocess.run(["chpasswd"], input=f"{name}:{password}\n".encode(), check=True, capture_output=True)
        remote.mkdir(mode=0o755)
        os.chmod(remote, 0o755)
        shutil.chown(remote, user=name)
        yield PasswordUser(name, password, remote)
    finally:
        shutil.rmtree(remote, ignore_errors=True)
        subprocess.run(["userdel", name], check=False, capture_output=True)


@pytest.fixture
def password_sshd(ssh_env: dict[str, Path], tmp_path: Path) -> Iterator[SshServer]:
    """The loopback sshd with plain password login on (``UsePAM no``: the shadow password is checked)."""
    with trusted_sshd(tmp_path / "sshd", ssh_env["home"], password_login=True) as srv:
        yield srv


def _sdk_run(root: Path, owner: str) -> runicorn.Run:
    run = runicorn.init(
        project="proj",
        name="pw",
        storage=root,
        config={"lr": 0.1},
        capture_console=False,
        system_metrics=False,
    )
    for step in range(1, 6):
        run.log({"loss": 1.0 / step}, step=step)
    run.finish()
    for path in [root, *root.rglob("*")]:
        shutil.chown(path, user=owner)
    return run


def _login(sshd: SshServer, user: PasswordUser) -> dict[str, object]:
    """The body of ``POST /api/ssh/connect`` for ``user``'s password (no agent, no keys)."""
    server: dict[str, object] = {"host": "127.0.0.1", "port": sshd.port, "user": user.name}
    return server | {"password": user.password, "agent": False}


def _files_holding(folders: list[Path], secret: bytes) -> list[Path]:
    return [p for f in folders for p in f.rglob("*") if p.is_file() and secret in p.read_bytes()]


def test_password_login_mirrors_a_run_and_writes_the_password_nowhere(
    password_user: PasswordUser,
    password_sshd: SshServer,
    ssh_env: dict[str, Path],
    live_viewer: Callable[..., str],
) -> None:
    run = _sdk_run(password_user.remote, password_user.name)
    local = ssh_env["local"]
    local.mkdir()
    with httpx.Client(base_url=live_viewer(local), timeout=30) as http:
        answer = http.post("/api/ssh/connect", json=_login(password_sshd, password_user))
        assert answer.status_code == 200, answer.text
        session = answer.json()["session"]
        assert session and answer.json()["host_key"] == "known"
        started = http.post(
            "/api/ssh/mirror/start",
            json={"session": session, "path": str(password_user.remote), "interval_s": 0.2},
        )
        assert started.status_code == 200, started.text
        copied = fmt.run_dir(local, "proj", "pw", run.id) / fmt.EVENTS_FILE
        original = (run.dir / fmt.EVENTS_FILE).read_bytes()
        wait_for(lambda: copied.exists() and copied.read_bytes() == original, what="the run to be mirrored")
        mirrors = http.get("/api/ssh/mirror/list").json()["mirrors"]
        assert [(m["auth"], m["user"], m["last_error"]) for m in mirrors] == [
            ("password", password_user.name, None)
        ]
        # the viewer's run index re-scans in the background: the copied run shows up within a scan
        wait_for(lambda: run.id in str(http.get("/api/runs").json()), what="the run in /api/runs")

    folders = [local, Path(os.environ["RUNICORN_CONFIG_FILE"]).parent, ssh_env["cfg"], ssh_env["home"]]
    assert _files_holding([f for f in folders if f.exists()], password_user.password.encode()) == []


def test_wrong_password_is_a_clear_502_and_nothing_retries(
    password_user: PasswordUser,
    password_sshd: SshServer,
    ssh_env: dict[str, Path],
    live_viewer: Callable[..., str],
) -> None:
    local = ssh_env["local"]
    local.mkdir()
    with httpx.Client(base_url=live_viewer(local), timeout=30) as http:
        wrong = _login(password_sshd, password_user) | {"password": password_user.password + "-wrong"}
        answer = http.post("/api/ssh/connect", json=wrong)
        assert answer.status_code == 502
        error = answer.json()
        assert error["status"] == 502
        assert "refused the login" in error["error"] and password_user.name in error["error"]
        assert "password" in error["hint"]
        assert http.get("/api/ssh/mirror/list").json()["mirrors"] == []
        time.sleep(1.0)  # a retrying client would log more failed tries meanwhile
    failed = [line for line in password_sshd.log.read_text().splitlines() if "Failed password" in line]
    assert len(failed) == 1, password_sshd.log.read_text()
    assert _files_holding([local], password_user.password.encode()) == []


def _read_until(fd: int, seen: bytearray, cond: Callable[[], bool], timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; the terminal shows:\n{seen.decode(errors='replace')}")
        if select.select([fd], [], [], 0.1)[0]:
            try:
                seen += os.read(fd, 4096)
            except OSError:  # the other end closed
                return


def _read_to_end(fd: int, seen: bytearray, pid: int, timeout_s: float = 30.0) -> None:
    """Everything the terminal shows until its other end is closed (the process exited)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                data = os.read(fd, 4096)
            except OSError:  # EIO: every writer is gone and the buffer is drained
                return
            if not data:
                return
            seen += data
    shown = seen.decode(errors="replace")
    raise AssertionError(f"the terminal stayed open; {signal_state(pid)}; it shows:\n{shown}")


def test_cli_password_prompt_on_a_terminal_mirrors_without_echoing_the_password(
    password_user: PasswordUser, password_sshd: SshServer, ssh_env: dict[str, Path]
) -> None:
    run = _sdk_run(password_user.remote, password_user.name)
    local = ssh_env["local"]
    source = f"{password_user.name}@127.0.0.1:{password_sshd.port}:{password_user.remote}"
    args = ["mirror", source, "--storage", str(local), "--password-prompt", "--interval", "0.2"]
    master, slave = pty.openpty()
    # setsid -c: a session of its own whose controlling terminal is the pty, so getpass reads /dev/tty
    proc = subprocess.Popen(
        ["setsid", "-c", sys.executable, "-m", "runicorn.cli", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=dict(os.environ),
    )
    os.close(slave)
    seen = bytearray()
    copied = fmt.run_dir(local, "proj", "pw", run.id) / fmt.EVENTS_FILE
    try:
        _read_until(master, seen, lambda: b"password for" in seen)
        os.write(master, password_user.password.encode() + b"\n")
        _read_until(master, seen, lambda: copied.exists() and b"mirroring" in seen)
        wait_for(lambda: copied.read_bytes() == (run.dir / fmt.EVENTS_FILE).read_bytes(), what="CLI mirror")
    finally:
        proc.send_signal(signal.SIGINT)
        _read_to_end(master, seen, proc.pid)  # its last line ("stopped") may come just before it exits
        proc.wait(30)
        os.close(master)
    text = seen.decode(errors="replace")
    assert proc.returncode == 0, text
    assert f"password for {password_user.name}@127.0.0.1" in text and "stopped" in text
    assert password_user.password not in text  # typed without echo
    assert _files_holding([local], password_user.password.encode()) == []
