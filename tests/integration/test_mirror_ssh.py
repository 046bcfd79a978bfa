"""The SSH mirror against a real OpenSSH sshd on loopback (docs/remote.md)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from runicorn import format as fmt
from runicorn.errors import HostKeyChanged, HostKeyUnknown
from runicorn.remote.connect import Credentials, Target, connect, runicorn_known_hosts_path
from runicorn.remote.mirror import Mirror

sys.path.insert(0, str(Path(__file__).parent))
from remote_run import RemoteRun  # noqa: E402
from sshd_server import SSHD, SshServer  # noqa: E402

pytestmark = [
    pytest.mark.ssh,
    pytest.mark.skipif(not os.path.exists(SSHD), reason=f"OpenSSH server not installed ({SSHD} missing)"),
]


def wait_for(cond: Callable[[], object], timeout_s: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Path]]:
    home, cfg = tmp_path / "home", tmp_path / "cfg"
    (home / ".ssh").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("RUNICORN_CONFIG_FILE", str(cfg / "config.json"))
    yield {"home": home, "cfg": cfg, "remote": tmp_path / "remote", "local": tmp_path / "local"}


@pytest.fixture
def server(env: dict[str, Path], tmp_path: Path) -> Iterator[SshServer]:
    srv = SshServer(tmp_path / "sshd")
    srv.start()
    (env["home"] / ".ssh" / "known_hosts").write_text(srv.known_hosts_line())
    try:
        yield srv
    finally:
        srv.cleanup()


def make_mirror(server: SshServer, path: Path, local: Path, host: str = "127.0.0.1", **kw: object) -> Mirror:
    target = Target(server.user, host, server.port, str(path))
    return Mirror(target, Credentials(key_path=str(server.client_key)), local, interval_s=0.1, **kw)  # type: ignore[arg-type]


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines() if path.exists() else []


def test_run_written_while_mirroring_appears_locally_and_grows(server: SshServer, env: dict[str, Path]) -> None:
    run = RemoteRun(env["remote"])
    run.log(3)
    mirror = make_mirror(server, env["remote"], env["local"])
    mirror.start()
    try:
        local = fmt.run_dir(env["local"], "proj", "exp", run.id)
        events = local / fmt.EVENTS_FILE
        wait_for(lambda: len(lines(events)) == 3, what="first events")
        assert mirror.stats.kind == "root"
        assert fmt.read_json(local / fmt.META_FILE)["id"] == run.id  # type: ignore[index]
        run.log(5)
        run.write_raw(b'{"ts": 1, "type": "metrics", "da')  # a line the writer has not finished
        wait_for(lambda: len(lines(events)) == 8, what="appended events")
        time.sleep(0.3)  # a few more cycles with the half line on the server
        assert events.read_bytes().endswith(b"\n") and len(lines(events)) == 8
        run.write_raw(b'ta": {"loss": 0.5}}\n')
        wait_for(lambda: len(lines(events)) == 9, what="completed line")
        assert events.read_bytes() == (run.dir / fmt.EVENTS_FILE).read_bytes()
        run.set_status(fmt.FINISHED, ended_at=time.time())
        wait_for(lambda: (fmt.read_json(local / fmt.STATUS_FILE) or {}).get("status") == fmt.FINISHED,
                 what="final status")
        wait_for(lambda: mirror.stats.active_runs == 0, what="finished run to leave the cycle")
    finally:
        mirror.stop()


def test_status_rewrite_lands_whole_never_torn(server: SshServer, env: dict[str, Path]) -> None:
    run = RemoteRun(env["remote"])
    mirror = make_mirror(server, run.dir, env["local"])
    mirror.start()
    local_status = fmt.run_dir(env["local"], "proj", "exp", run.id) / fmt.STATUS_FILE
    try:
        wait_for(local_status.exists, what="status.json")
        assert mirror.stats.kind == "run"
        seen_broken = 0
        for i in range(150):
            run.set_status(fmt.RUNNING, heartbeat_at=time.time(), note="x" * (i * 50))
            if fmt.read_json(local_status) is None:
                seen_broken += 1
            time.sleep(0.005)
        run.set_status(fmt.FINISHED, marker="last")
        wait_for(lambda: (fmt.read_json(local_status) or {}).get("marker") == "last", what="last rewrite")
        assert seen_broken == 0
        leftovers = [p.name for p in local_status.parent.iterdir() if p.name.endswith(fmt.TEMP_SUFFIX)]
        assert leftovers == []
    finally:
        mirror.stop()


def test_link_drop_resumes_without_loss_or_duplicates(server: SshServer, env: dict[str, Path]) -> None:
    run = RemoteRun(env["remote"])
    stop = threading.Event()

    def writer() -> None:
        while not stop.is_set():
            run.log(3)
            time.sleep(0.01)

    thread = threading.Thread(target=writer)
    thread.start()
    mirror = make_mirror(server, env["remote"], env["local"])
    mirror.start()
    events = fmt.run_dir(env["local"], "proj", "exp", run.id) / fmt.EVENTS_FILE
    try:
        wait_for(lambda: len(lines(events)) > 30, what="events before the drop")
        server.kill()
        wait_for(lambda: not mirror.stats.alive and mirror.stats.last_error is not None, what="drop noticed")
        time.sleep(0.5)
        server.start()
        before = len(lines(events))
        wait_for(lambda: mirror.stats.alive and len(lines(events)) > before, what="resumed after restart")
    finally:
        stop.set()
        thread.join()
    try:
        remote_bytes = (run.dir / fmt.EVENTS_FILE).read_bytes()
        wait_for(lambda: events.read_bytes() == remote_bytes, what="local copy to catch up")
        steps = [fmt.decode_event(line)["data"][fmt.STEP_KEY] for line in lines(events)]  # type: ignore[index]
        assert steps == list(range(run.step))
    finally:
        mirror.stop()


def test_changed_host_key_is_refused(server: SshServer, env: dict[str, Path]) -> None:
    connect("127.0.0.1", server.port, server.user, Credentials(key_path=str(server.client_key))).close()
    server.kill()
    server.new_host_key()
    server.start()
    with pytest.raises(HostKeyChanged, match="CHANGED"):
        connect("127.0.0.1", server.port, server.user, Credentials(key_path=str(server.client_key)))
    mirror = make_mirror(server, env["remote"], env["local"])
    mirror.run()  # returns: a changed key is not retried
    assert mirror.stats.fatal and "CHANGED" in (mirror.stats.last_error or "")
    assert not env["local"].exists()


def _fingerprint(pub: Path) -> str:
    out = subprocess.run(["ssh-keygen", "-lf", str(pub)], capture_output=True, text=True, check=True).stdout
    return out.split()[1]


def test_unknown_host_key_is_trusted_only_after_confirmation(server: SshServer, env: dict[str, Path]) -> None:
    (env["home"] / ".ssh" / "known_hosts").unlink()
    creds = Credentials(key_path=str(server.client_key))
    with pytest.raises(HostKeyUnknown) as info:
        connect("127.0.0.1", server.port, server.user, creds)
    expected = _fingerprint(server.dir / "host_key.pub")
    assert info.value.fingerprint == expected and expected in info.value.message
    with pytest.raises(HostKeyUnknown):
        connect("127.0.0.1", server.port, server.user, creds, trust_fingerprint="SHA256:" + "A" * 43)
    assert not runicorn_known_hosts_path().exists()
    connect("127.0.0.1", server.port, server.user, creds, trust_fingerprint=expected).close()
    connect("127.0.0.1", server.port, server.user, creds).close()  # remembered in Runicorn's file


def _cli(args: list[str], env_vars: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "runicorn.cli", *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env_vars)


def test_cli_refuses_unknown_host_without_a_terminal_and_mirrors_with_fingerprint(
        server: SshServer, env: dict[str, Path]) -> None:
    (env["home"] / ".ssh" / "known_hosts").unlink()
    run = RemoteRun(env["remote"])
    run.log(4)
    source = f"{server.user}@127.0.0.1:{server.port}:{env['remote']}"
    base = ["mirror", source, "--storage", str(env["local"]), "--key", str(server.client_key), "--interval", "0.2"]
    proc = _cli(base, dict(os.environ))
    _, err = proc.communicate(timeout=30)
    expected = _fingerprint(server.dir / "host_key.pub")
    assert proc.returncode == 1
    assert expected in err and f"--trust-fingerprint {expected}" in err and "Traceback" not in err
    assert not env["local"].exists()
    proc = _cli([*base, "--trust-fingerprint", expected], dict(os.environ))
    events = fmt.run_dir(env["local"], "proj", "exp", run.id) / fmt.EVENTS_FILE
    try:
        wait_for(lambda: len(lines(events)) == 4, what="CLI mirror to copy the run")
    finally:
        proc.send_signal(2)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "1 runs" in err and "stopped" in err


def test_same_run_id_from_two_servers_lands_in_two_folders(server: SshServer, env: dict[str, Path]) -> None:
    (env["home"] / ".ssh" / "known_hosts").write_text(
        server.known_hosts_line() + server.known_hosts_line().replace("127.0.0.1", "localhost"))
    a = RemoteRun(env["remote"] / "a", run_id="20261123_101500_ab12cd")
    b = RemoteRun(env["remote"] / "b", run_id="20261123_101500_ab12cd")
    a.log(2)
    b.log(5)
    make_mirror(server, env["remote"] / "a", env["local"]).sync_once()
    make_mirror(server, env["remote"] / "b", env["local"], host="localhost").sync_once()
    first = fmt.run_dir(env["local"], "proj", "exp", a.id)
    second = first.with_name(f"{a.id}-localhost_{server.port}")
    assert len(lines(first / fmt.EVENTS_FILE)) == 2
    assert len(lines(second / fmt.EVENTS_FILE)) == 5
    assert fmt.locate_run(env["local"], second) is not None
    make_mirror(server, env["remote"] / "a", env["local"]).sync_once()  # the first server keeps its folder
    assert len(lines(first / fmt.EVENTS_FILE)) == 2
