"""A real ``runicorn viewer`` in a process of its own, for the benches: start it on a free loopback
port, wait until it answers, query it, read its memory, stop it.

    with ViewerProcess(root) as viewer:          # started and answering
        body = viewer.get("/api/runs?limit=50")
        seconds = viewer.timed("/api/runs/columns")
        print(viewer.peak_mb())                  # the most memory it and its children held so far

The viewer runs this checkout's package (the repository root comes first on ``PYTHONPATH``),
without a token, with a config file of its own (none), its output kept for the error message when
it stops answering.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ours_env(**extra: str) -> dict[str, str]:
    """The environment with this checkout's package first on the import path."""
    paths = [str(REPO), os.environ.get("PYTHONPATH", "")]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in paths if p), **extra)


def get(url: str, timeout: float = 600) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return bytes(r.read())


def peak_mb(pid: int) -> float:
    """The most resident memory the process ``pid`` held so far (VmHWM), in MB; NaN when unknown."""
    return _status_mb(pid, "VmHWM:")


def rss_mb(pid: int) -> float:
    """The resident memory of process ``pid`` now (VmRSS), in MB; NaN when unknown."""
    return _status_mb(pid, "VmRSS:")


def children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (the viewer's columns warmer, its decode workers)."""
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except (OSError, ValueError):
        pass
    return found


def cpu_s(pid: int) -> float:
    """CPU seconds process ``pid`` has used so far, all its threads (user + system), with what its
    children used: those it waited for and those still running; NaN when unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    except (OSError, ValueError, IndexError):
        return float("nan")
    live = [cpu_s(child) for child in children(pid)]
    return ticks / os.sysconf("SC_CLK_TCK") + sum(c for c in live if c == c)


def _status_mb(pid: int, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


class ViewerProcess:
    """``runicorn viewer --storage root`` on a free port; a context manager that stops it."""

    def __init__(self, root: Path, *args: str, start_limit_s: float = 120) -> None:
        self.root = Path(root)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.TemporaryFile()
        self._config_dir = tempfile.TemporaryDirectory(prefix="viewer-bench-config-")
        cmd = [sys.executable, "-m", "runicorn.cli", "viewer", "--storage", str(self.root)]
        cmd += ["--port", str(self.port), "--no-token", *args]
        self.started = time.perf_counter()
        env = ours_env(RUNICORN_CONFIG_FILE=str(Path(self._config_dir.name) / "none.json"))
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, env=env, cwd=REPO)
        self._tree_peak_mb = 0.0  # the most the viewer and its live children held together, sampled
        threading.Thread(target=self._sample_memory, daemon=True).start()
        self.up_s = self.wait_up(start_limit_s)  # from the process start to its first answer

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_up(self, limit_s: float) -> float:
        """Seconds from the start until ``/api/health`` answers."""
        while time.perf_counter() - self.started < limit_s:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the viewer exited ({self.proc.returncode}): {self.output()}")
            try:
                get(f"{self.base}/api/health", timeout=5)
                return time.perf_counter() - self.started
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"the viewer did not answer within {limit_s} s: {self.output()}")

    def output(self) -> str:
        self._log.seek(0)
        return self._log.read()[-4000:].decode("utf-8", "replace")

    def get(self, path: str, timeout: float = 600) -> bytes:
        return get(self.base + path, timeout)

    def json(self, path: str, timeout: float = 600) -> Any:
        return orjson.loads(self.get(path, timeout))

    def timed(self, path: str) -> float:
        """Seconds one GET of ``path`` takes, its body read."""
        t = time.perf_counter()
        self.get(path)
        return time.perf_counter() - t

    def best_of(self, path: str, n: int = 5) -> float:
        return min(self.timed(path) for _ in range(n))

    def timed_cpu(self, path: str) -> tuple[float, float]:
        """Seconds one GET of ``path`` takes, and the CPU seconds the viewer spent meanwhile (on
        a busy machine the wall time grows, the CPU time much less)."""
        cpu = self.cpu_s()
        seconds = self.timed(path)
        return seconds, self.cpu_s() - cpu

    def cpu_s(self) -> float:
        return cpu_s(self.proc.pid)

    def peak_mb(self) -> float:
        """The most memory the viewer held (VmHWM) or, sampled every 20 ms, the viewer and its child
        processes (the columns warmer, decode workers) held together: what the machine paid."""
        return max(peak_mb(self.proc.pid), self._tree_peak_mb)

    def _sample_memory(self) -> None:
        while self.proc.poll() is None:
            pids = [self.proc.pid, *children(self.proc.pid)]
            total = sum(mb for mb in (rss_mb(pid) for pid in pids) if mb == mb)
            self._tree_peak_mb = max(self._tree_peak_mb, total)
            time.sleep(0.02)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._config_dir.cleanup()

    def __enter__(self) -> ViewerProcess:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
