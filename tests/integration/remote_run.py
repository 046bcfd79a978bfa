"""Writes a run on the "remote" side byte by byte as the SDK lays it out (half lines included),
and small waiting helpers, for the SSH tests and bench."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from runicorn import format as fmt
from runicorn.files import write_json_atomic


class RemoteRun:
    def __init__(
        self, root: Path, project: str = "proj", name: str = "exp", run_id: str | None = None
    ) -> None:
        self.id = run_id or fmt.new_run_id()
        self.dir = fmt.run_dir(root, project, name, self.id)
        self.dir.mkdir(parents=True)
        now = time.time()
        write_json_atomic(
            self.dir / fmt.META_FILE, {"id": self.id, "project": project, "name": name, "created_at": now}
        )
        self.set_status(fmt.RUNNING)
        self.step = 0

    def set_status(self, status: str, **extra: object) -> None:
        write_json_atomic(self.dir / fmt.STATUS_FILE, {fmt.STATUS_KEY: status, **extra})

    def log(self, n: int = 1) -> None:
        with open(self.dir / fmt.EVENTS_FILE, "ab") as f:
            for _ in range(n):
                f.write(
                    fmt.encode_event(
                        fmt.METRICS, {"loss": 1.0 / (self.step + 1), fmt.STEP_KEY: self.step}, time.time()
                    )
                )
                self.step += 1

    def write_raw(self, data: bytes) -> None:
        with open(self.dir / fmt.EVENTS_FILE, "ab") as f:
            f.write(data)


def signal_state(pid: int) -> str:
    """The signal lines of ``/proc/<pid>/status`` (pending, blocked, ignored, caught), to tell
    why a process did not stop on a signal."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return " ".join(
                line.strip()
                for line in f
                if line.startswith(("SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt"))
            )
    except OSError as exc:
        return f"(no status: {exc})"


def stop_with_ctrl_c(proc: subprocess.Popen[str], timeout_s: float = 30.0) -> str:
    """Send Ctrl-C (SIGINT) and wait for the process to end; its stderr. A process still running
    after ``timeout_s`` is killed and reported with its signal state."""
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        state = signal_state(proc.pid)
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(
            f"still running {timeout_s:.0f} s after Ctrl-C; {state}; stderr:\n{err}"
        ) from None
    return err or ""


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines() if path.exists() else []


def wait_for(cond: Callable[[], object], timeout_s: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
