"""The SSH mirror against a real OpenSSH sshd on loopback (docs/remote.md)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import runicorn
from runicorn import format as fmt
from runicorn.codec.frames import valid_length
from runicorn.errors import HostKeyChanged, HostKeyUnknown
from runicorn.remote.connect import Credentials, Target, connect, runicorn_known_hosts_path
from runicorn.remote.mirror import Mirror
from runicorn.store.metrics.series import RunSeries

sys.path.insert(0, str(Path(__file__).parent))
from remote_run import RemoteRun, lines, stop_with_ctrl_c, wait_for  # noqa: E402
from sshd_server import SSHD, SshServer, keygen  # noqa: E402

pytestmark = [
    pytest.mark.ssh,
    pytest.mark.skipif(not os.path.exists(SSHD), reason=f"OpenSSH sshd not installed ({SSHD} missing)"),
]


def make_mirror(sshd: SshServer, path: Path, local: Path, host: str = "127.0.0.1", **kw: object) -> Mirror:
    target = Target(sshd.user, host, sshd.port, str(path))
    return Mirror(target, Credentials(key_path=str(sshd.client_key)), local, interval_s=0.1, **kw)  # type: ignore[arg-type]


def mirror_and_start_sdk_run(
    sshd: SshServer, ssh_env: dict[str, Path], **init: object
) -> tuple[Mirror, runicorn.Run]:
    """A mirror of the (new) remote storage, started, and an SDK run written into it."""
    mirror = make_mirror(sshd, ssh_env["remote"], ssh_env["local"])
    ssh_env["remote"].mkdir()
    mirror.start()
    run = runicorn.init(
        project="proj",
        name="exp",
        storage=ssh_env["remote"],
        capture_console=False,
        system_metrics=False,
        **init,  # type: ignore[arg-type]
    )
    return mirror, run


def test_sdk_run_written_while_mirroring_appears_locally_and_grows(
    sshd: SshServer, ssh_env: dict[str, Path]
) -> None:
    mirror, run = mirror_and_start_sdk_run(sshd, ssh_env, config={"lr": 0.1})
    try:
        local = fmt.run_dir(ssh_env["local"], "proj", "exp", run.id)
        events = local / fmt.EVENTS_FILE
        for step in range(20):
            run.log({"loss": 1.0 / (step + 1)}, step=step)
        run.flush()
        wait_for(lambda: len(lines(events)) == 20, what="the run to appear locally")
        for step in range(20, 50):
            run.log({"loss": 1.0 / (step + 1)}, step=step)
        run.log_text("epoch done")
        run.flush()
        wait_for(lambda: len(lines(events)) == 50, what="the run to grow")
        run.summary({"best": 0.02})
        run.finish()
        wait_for(
            lambda: (fmt.read_json(local / fmt.STATUS_FILE) or {}).get("status") == fmt.FINISHED,
            what="finished status",
        )
        for name in (fmt.EVENTS_FILE, fmt.LOGS_FILE, fmt.META_FILE, fmt.CONFIG_FILE, fmt.SUMMARY_FILE):
            assert (local / name).read_bytes() == (run.dir / name).read_bytes(), name
    finally:
        run.finish()
        mirror.stop()


def test_events_columns_lands_only_in_whole_frames_and_the_mirrored_run_reads_the_same(
    sshd: SshServer, ssh_env: dict[str, Path]
) -> None:
    mirror, run = mirror_and_start_sdk_run(sshd, ssh_env)
    try:
        local = fmt.run_dir(ssh_env["local"], "proj", "exp", run.id)
        seen_torn = []
        for chunk in range(6):
            for step in range(chunk * 5000, (chunk + 1) * 5000):
                run.log({"loss": 1.0 / (step + 1), "acc": step % 13}, stage="train" if step % 900 else "eval")
            run.flush()
            size = (run.dir / fmt.EVENTS_FILE).stat().st_size
            wait_for(lambda s=size, e=local / fmt.EVENTS_FILE: e.exists() and e.stat().st_size == s)
            columns = local / fmt.COLUMNS_FILE
            if columns.exists():
                seen_torn.append(valid_length(columns) != columns.stat().st_size)
        run.finish()
        wait_for(
            lambda: (
                (local / fmt.COLUMNS_FILE).exists()
                and (local / fmt.COLUMNS_FILE).read_bytes() == (run.dir / fmt.COLUMNS_FILE).read_bytes()
            ),
            what="events.columns to land whole",
        )
        assert seen_torn and not any(seen_torn)  # frames landed while the run went on, never torn
        mirrored, written = RunSeries(local), RunSeries(run.dir)
        mirrored.update()
        written.update()
        assert mirrored.metrics(max_points=600) == written.metrics(max_points=600)
        assert mirrored.metrics(max_points=600)["series"]["loss"]["count"] == 30_000
    finally:
        run.finish()
        mirror.stop()


def test_half_written_line_never_lands_half_and_final_runs_leave_the_cycle(
    sshd: SshServer, ssh_env: dict[str, Path]
) -> None:
    run = RemoteRun(ssh_env["remote"])
    run.log(3)
    mirror = make_mirror(sshd, ssh_env["remote"], ssh_env["local"])
    mirror.start()
    try:
        local = fmt.run_dir(ssh_env["local"], "proj", "exp", run.id)
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
        wait_for(
            lambda: (fmt.read_json(local / fmt.STATUS_FILE) or {}).get("status") == fmt.FINISHED,
            what="final status",
        )
        wait_for(lambda: mirror.stats.active_runs == 0, what="finished run to leave the cycle")
    finally:
        mirror.stop()


def test_status_rewrite_lands_whole_never_torn(sshd: SshServer, ssh_env: dict[str, Path]) -> None:
    run = RemoteRun(ssh_env["remote"])
    mirror = make_mirror(sshd, run.dir, ssh_env["local"])
    mirror.start()
    local_status = fmt.run_dir(ssh_env["local"], "proj", "exp", run.id) / fmt.STATUS_FILE
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


def test_link_drop_resumes_without_loss_or_duplicates(sshd: SshServer, ssh_env: dict[str, Path]) -> None:
    run = RemoteRun(ssh_env["remote"])
    stop = threading.Event()

    def writer() -> None:
        while not stop.is_set():
            run.log(3)
            time.sleep(0.01)

    thread = threading.Thread(target=writer)
    thread.start()
    mirror = make_mirror(sshd, ssh_env["remote"], ssh_env["local"])
    mirror.start()
    events = fmt.run_dir(ssh_env["local"], "proj", "exp", run.id) / fmt.EVENTS_FILE
    try:
        wait_for(lambda: len(lines(events)) > 30, what="events before the drop")
        sshd.kill()
        wait_for(lambda: not mirror.stats.alive and mirror.stats.last_error is not None, what="drop noticed")
        time.sleep(0.5)
        sshd.start()
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


def test_changed_host_key_is_refused(sshd: SshServer, ssh_env: dict[str, Path]) -> None:
    connect("127.0.0.1", sshd.port, sshd.user, Credentials(key_path=str(sshd.client_key))).close()
    sshd.kill()
    sshd.new_host_key()
    sshd.start()
    with pytest.raises(HostKeyChanged, match="CHANGED"):
        connect("127.0.0.1", sshd.port, sshd.user, Credentials(key_path=str(sshd.client_key)))
    mirror = make_mirror(sshd, ssh_env["remote"], ssh_env["local"])
    mirror.run()  # returns: a changed key is not retried
    assert mirror.stats.fatal and "CHANGED" in (mirror.stats.last_error or "")
    assert not ssh_env["local"].exists()


def _fingerprint(pub: Path) -> str:
    out = subprocess.run(["ssh-keygen", "-lf", str(pub)], capture_output=True, text=True, check=True).stdout
    return out.split()[1]


def test_unknown_host_key_is_trusted_only_after_confirmation(
    sshd: SshServer, ssh_env: dict[str, Path]
) -> None:
    (ssh_env["home"] / ".ssh" / "known_hosts").unlink()
    creds = Credentials(key_path=str(sshd.client_key))
    with pytest.raises(HostKeyUnknown) as info:
        connect("127.0.0.1", sshd.port, sshd.user, creds)
    expected = _fingerprint(sshd.dir / "host_key.pub")
    assert info.value.fingerprint == expected and expected in info.value.message
    with pytest.raises(HostKeyUnknown):
        connect("127.0.0.1", sshd.port, sshd.user, creds, trust_fingerprint="SHA256:" + "A" * 43)
    assert not runicorn_known_hosts_path().exists()
    connect("127.0.0.1", sshd.port, sshd.user, creds, trust_fingerprint=expected).close()
    connect("127.0.0.1", sshd.port, sshd.user, creds).close()  # remembered in Runicorn's file


def _cli(args: list[str], env_vars: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "runicorn.cli", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env_vars,
    )


def test_cli_refuses_unknown_host_without_a_terminal_and_mirrors_with_fingerprint(
    sshd: SshServer, ssh_env: dict[str, Path]
) -> None:
    (ssh_env["home"] / ".ssh" / "known_hosts").unlink()
    run = RemoteRun(ssh_env["remote"])
    run.log(4)
    source = f"{sshd.user}@127.0.0.1:{sshd.port}:{ssh_env['remote']}"
    base = [
        "mirror",
        source,
        "--storage",
        str(ssh_env["local"]),
        "--key",
        str(sshd.client_key),
        "--interval",
        "0.2",
    ]
    proc = _cli(base, dict(os.environ))
    _, err = proc.communicate(timeout=30)
    expected = _fingerprint(sshd.dir / "host_key.pub")
    assert proc.returncode == 1
    assert expected in err and f"--trust-fingerprint {expected}" in err and "Traceback" not in err
    assert not ssh_env["local"].exists()
    proc = _cli([*base, "--trust-fingerprint", expected], dict(os.environ))
    events = fmt.run_dir(ssh_env["local"], "proj", "exp", run.id) / fmt.EVENTS_FILE
    try:
        wait_for(lambda: len(lines(events)) == 4, what="CLI mirror to copy the run")
    finally:
        err = stop_with_ctrl_c(proc)
    assert proc.returncode == 0, err
    assert "1 runs" in err and "stopped" in err


def test_cli_mirror_stops_with_error_and_hint_when_the_host_key_changes_midway(
    sshd: SshServer, ssh_env: dict[str, Path]
) -> None:
    run = RemoteRun(ssh_env["remote"])
    run.log(3)
    source = f"{sshd.user}@127.0.0.1:{sshd.port}:{ssh_env['remote']}"
    args = ["mirror", source, "--storage", str(ssh_env["local"]), "--key", str(sshd.client_key)]
    proc = _cli([*args, "--interval", "0.2"], dict(os.environ))
    events = fmt.run_dir(ssh_env["local"], "proj", "exp", run.id) / fmt.EVENTS_FILE
    try:
        wait_for(lambda: len(lines(events)) == 3, what="CLI mirror to copy the run")
        sshd.kill()  # the server comes back with another host key: the reconnect must refuse it
        sshd.new_host_key()
        sshd.start()
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 1, err
    error = next(line for line in err.splitlines() if line.startswith("error:"))
    assert "CHANGED" in error and f"127.0.0.1:{sshd.port}" in error
    assert any(line.startswith("hint: if the server was reinstalled") for line in err.splitlines()), err
    assert "Traceback" not in err


def test_same_run_id_from_two_servers_lands_in_two_folders(sshd: SshServer, ssh_env: dict[str, Path]) -> None:
    (ssh_env["home"] / ".ssh" / "known_hosts").write_text(
        sshd.known_hosts_line() + sshd.known_hosts_line().replace("127.0.0.1", "localhost")
    )
    a = RemoteRun(ssh_env["remote"] / "a", run_id="20261123_101500_ab12cd")
    b = RemoteRun(ssh_env["remote"] / "b", run_id="20261123_101500_ab12cd")
    a.log(2)
    b.log(5)
    make_mirror(sshd, ssh_env["remote"] / "a", ssh_env["local"]).sync_once()
    make_mirror(sshd, ssh_env["remote"] / "b", ssh_env["local"], host="localhost").sync_once()
    first = fmt.run_dir(ssh_env["local"], "proj", "exp", a.id)
    second = first.with_name(f"{a.id}-localhost_{sshd.port}")
    assert len(lines(first / fmt.EVENTS_FILE)) == 2
    assert len(lines(second / fmt.EVENTS_FILE)) == 5
    assert fmt.locate_run(ssh_env["local"], second) is not None
    make_mirror(
        sshd, ssh_env["remote"] / "a", ssh_env["local"]
    ).sync_once()  # the first sshd keeps its folder
    assert len(lines(first / fmt.EVENTS_FILE)) == 2


def _read_until(fd: int, needle: str, timeout_s: float = 20.0) -> str:
    out = b""
    deadline = time.monotonic() + timeout_s
    while needle.encode() not in out:
        if time.monotonic() > deadline:
            raise AssertionError(f"no {needle!r} in terminal output: {out.decode(errors='replace')}")
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
    return out.decode(errors="replace")


@pytest.mark.parametrize("answer", ["n", "y"])
def test_cli_asks_on_a_terminal_before_trusting_an_unknown_host(
    sshd: SshServer, ssh_env: dict[str, Path], answer: str
) -> None:
    (ssh_env["home"] / ".ssh" / "known_hosts").unlink()
    run = RemoteRun(ssh_env["remote"])
    run.log(2)
    source = f"{sshd.user}@127.0.0.1:{sshd.port}:{ssh_env['remote']}"
    args = ["mirror", source, "--storage", str(ssh_env["local"]), "--key", str(sshd.client_key)]
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "runicorn.cli", *args],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=dict(os.environ),
        close_fds=True,
    )
    os.close(secondary)
    try:
        shown = _read_until(primary, "Trust this host key")
        assert _fingerprint(sshd.dir / "host_key.pub") in shown
        os.write(primary, f"{answer}\n".encode())
        events = fmt.run_dir(ssh_env["local"], "proj", "exp", run.id) / fmt.EVENTS_FILE
        if answer == "y":
            wait_for(lambda: len(lines(events)) == 2, what="mirror after confirmation")
            stop_with_ctrl_c(proc)
            assert proc.returncode == 0
            assert runicorn_known_hosts_path().exists()
        else:
            assert "not trusted" in _read_until(primary, "hint:")
            assert proc.wait(30) == 1
            assert not events.exists() and not runicorn_known_hosts_path().exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(primary)


def test_refused_login_stops_the_mirror_instead_of_retrying(
    sshd: SshServer, ssh_env: dict[str, Path]
) -> None:
    stranger = keygen(sshd.dir / "stranger_key")
    target = Target(sshd.user, "127.0.0.1", sshd.port, str(ssh_env["remote"]))
    mirror = Mirror(target, Credentials(key_path=str(stranger)), ssh_env["local"], interval_s=0.1)
    mirror.run()  # returns: a refused login is not retried
    assert mirror.stats.fatal and "refused the login" in (mirror.stats.last_error or "")
