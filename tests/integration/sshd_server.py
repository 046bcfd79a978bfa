"""A real OpenSSH sshd on 127.0.0.1 with throwaway host and client keys, for the SSH tests and bench."""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SSHD = "/usr/sbin/sshd"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def keygen(path: Path, passphrase: str = "") -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-f", str(path)], check=True)
    return path


class SshServer:
    """``sshd -D -e`` on a free loopback port; ``kill()`` drops every live connection too.

    ``password_login`` turns password logins on (``UsePAM no``: the shadow password is checked) and
    logs each try, so a test can count the failed ones."""

    def __init__(self, workdir: Path, password_login: bool = False) -> None:
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.user = getpass.getuser()
        self.host_key = keygen(self.dir / "host_key")
        self.client_key = keygen(self.dir / "client_key")
        self.protected_key = keygen(self.dir / "client_key_protected", passphrase="correct horse 42")
        authorized = self.dir / "authorized_keys"
        authorized.write_text(
            (self.dir / "client_key.pub").read_text() + (self.dir / "client_key_protected.pub").read_text()
        )
        password, log_level = ("yes", "INFO") if password_login else ("no", "ERROR")
        self.config = self.dir / "sshd_config"
        self.config.write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {self.host_key}\n"
            f"PidFile {self.dir / 'sshd.pid'}\nAuthorizedKeysFile {authorized}\n"
            f"PermitRootLogin yes\nStrictModes no\nPasswordAuthentication {password}\n"
            "KbdInteractiveAuthentication no\nUsePAM no\nSubsystem sftp internal-sftp\n"
            f"LogLevel {log_level}\nMaxStartups 50\n"
        )
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = self.dir / "sshd.log"

    def known_hosts_line(self) -> str:
        kind, b64 = (self.dir / "host_key.pub").read_text().split()[:2]
        return f"[127.0.0.1]:{self.port} {kind} {b64}\n"

    def start(self) -> None:
        Path("/run/sshd").mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(self.config)], stdout=log, stderr=log)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"sshd exited with {self.proc.returncode}:\n{self.log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    if s.recv(4).startswith(b"SSH-"):
                        return
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"sshd did not answer on port {self.port}:\n{self.log.read_text()}")

    def _descendants(self, pid: int) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
        out, todo = [], [pid]
        while todo:
            for child in children.get(todo.pop(), []):
                out.append(child)
                todo.append(child)
        return out

    def kill(self) -> None:
        """Stop the listener and every session process it forked: the link drops hard."""
        if self.proc is None:
            return
        for pid in [self.proc.pid, *self._descendants(self.proc.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(5)
        self.proc = None

    def new_host_key(self) -> None:
        for name in ("host_key", "host_key.pub"):
            (self.dir / name).unlink()
        keygen(self.host_key)

    def cleanup(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextmanager
def trusted_sshd(workdir: Path, home: Path, password_login: bool = False) -> Iterator[SshServer]:
    """A started :class:`SshServer` whose host key ``home/.ssh/known_hosts`` trusts; stopped after."""
    srv = SshServer(workdir, password_login=password_login)
    srv.start()
    (home / ".ssh" / "known_hosts").write_text(srv.known_hosts_line())
    try:
        yield srv
    finally:
        srv.cleanup()
