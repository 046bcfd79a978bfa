"""A second local Unix user, for what other users of a shared GPU box may try against yours.

``other_user() -> OtherUser`` (a session fixture) makes a real account with ``useradd`` (no home
folder, no password, no groups of yours) and removes it with ``userdel`` when the session ends.
It needs root (CI runs as root); without root or ``useradd`` the tests that use it are skipped.

``other_user.run(argv, ...)`` runs a command as that user with ``setpriv`` (its uid, gid and no
supplementary groups; the environment is cleared to PATH, HOME, LANG), and returns the finished
process. It runs Debian's own ``/usr/bin/python3`` (``other_user.python``) and ``curl``: the
project's virtual environment lies under a folder the other user cannot enter, which is the point.

``other_user.can_read(path)`` / ``can_write(path)`` ask the kernel, as that user, whether the file
opens for reading / writing. pytest's temporary folders are closed to other users (0700), so a
test about a file's own mode first calls ``expose_folders(path)``: every folder above the file
becomes enterable (o+x), and only the file's own mode (or its folder's) decides.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

SYSTEM_PYTHON = "/usr/bin/python3"
RUN_TIMEOUT_S = 60.0


class OtherUser:
    def __init__(self, name: str) -> None:
        import pwd

        entry = pwd.getpwnam(name)
        self.name = name
        self.uid = entry.pw_uid
        self.gid = entry.pw_gid
        self.python = SYSTEM_PYTHON
        self.scratch = Path(f"/tmp/{name}-scratch")  # a folder the other user owns, outside yours
        self.scratch.mkdir(mode=0o700, exist_ok=True)
        os.chown(self.scratch, self.uid, self.gid)

    def run(
        self,
        argv: Sequence[str],
        *,
        input: str | None = None,
        timeout: float = RUN_TIMEOUT_S,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        environment = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.scratch),
            "LANG": "C.UTF-8",
            **(env or {}),
        }
        command = [
            "setpriv",
            f"--reuid={self.uid}",
            f"--regid={self.gid}",
            "--clear-groups",
            "--reset-env",
            "--",
            "env",
            *(f"{k}={v}" for k, v in environment.items()),
            *argv,
        ]
        return subprocess.run(
            command,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.scratch,
        )

    def python_code(
        self, code: str, *args: str, timeout: float = RUN_TIMEOUT_S
    ) -> subprocess.CompletedProcess[str]:
        """Runs ``code`` with the system Python (standard library only) as the other user."""
        return self.run([self.python, "-c", code, *args], timeout=timeout)

    def _opens(self, path: Path, flag: str) -> bool:
        code = (
            "import os, sys\n"
            "try:\n"
            "    os.close(os.open(sys.argv[1], getattr(os, sys.argv[2])))\n"
            "except OSError:\n"
            "    sys.exit(1)\n"
        )
        return self.python_code(code, str(path), flag).returncode == 0

    def can_read(self, path: Path) -> bool:
        return self._opens(path, "O_RDONLY")

    def can_write(self, path: Path) -> bool:
        return self._opens(path, "O_WRONLY")

    def http(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        body: str | None = None,
        timeout: float = RUN_TIMEOUT_S,
    ) -> tuple[int, str]:
        """``(status, body)`` of one HTTP request sent by the other user's own process (curl)."""
        argv = ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "-X", method, "--max-time", "30"]
        for name, value in (headers or {}).items():
            argv += ["-H", f"{name}: {value}"]
        if body is not None:
            argv += ["-H", "Content-Type: application/json", "--data-binary", "@-"]
        argv.append(url)
        done = self.run(argv, input=body, timeout=timeout)
        if done.returncode != 0:
            raise AssertionError(f"curl as {self.name} failed: {done.stderr}")
        text, _, status = done.stdout.rpartition("\n")
        return int(status), text


def expose_folders(path: Path) -> None:
    """Lets every user enter (not list) each folder above ``path``, up to ``/``: what a shared
    box's home folders or a group-readable storage root look like."""
    for folder in Path(path).absolute().parents:
        mode = folder.stat().st_mode
        if not mode & 0o001:
            os.chmod(folder, (mode & 0o7777) | 0o001)


def _missing_tools() -> list[str]:
    return [tool for tool in ("useradd", "userdel", "setpriv", "curl") if shutil.which(tool) is None] + (
        [] if os.path.exists(SYSTEM_PYTHON) else [SYSTEM_PYTHON]
    )


@pytest.fixture(scope="session")
def other_user() -> Iterator[OtherUser]:
    if os.geteuid() != 0:
        pytest.skip("a second local user needs root (useradd)")
    missing = _missing_tools()
    if missing:
        pytest.skip(f"a second local user needs {', '.join(missing)}")
    name = f"rnother{uuid.uuid4().hex[:8]}"
    subprocess.run(["useradd", "-M", "-s", "/bin/sh", name], check=True, capture_output=True)
    user = OtherUser(name)
    try:
        yield user
    finally:
        shutil.rmtree(user.scratch, ignore_errors=True)
        subprocess.run(["userdel", name], capture_output=True)
