"""How fast a line appended to ``logs.txt`` reaches a client of the viewer's log WebSocket.

Starts a real ``runicorn viewer`` process on a temp storage root with one run, connects a
WebSocket client to the run's log tail, appends lines one at a time, and prints the latency
from the append to the client receiving it (median and worst), against the bar of 0.5 s. The
floor is the same append read back by polling the file directly at the viewer's interval
(0.2 s), measured in the same run: the ratio says how much the HTTP/WebSocket path adds.

    python bench/log_tail_bench.py [--lines 30]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from websockets.sync.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from runicorn import format as fmt  # noqa: E402

BAR_S = 0.5
POLL_S = 0.2
RUN_ID = "20260101_000000_10c7a1"


def make_run(root: Path) -> Path:
    d = fmt.run_dir(root, "bench", "tail", RUN_ID)
    d.mkdir(parents=True)
    fmt.write_json_atomic(d / fmt.META_FILE, {"id": RUN_ID, "project": "bench", "name": "tail"})
    fmt.write_json_atomic(d / fmt.STATUS_FILE, {"status": "running", "heartbeat_at": time.time()})
    (d / fmt.LOGS_FILE).write_text("start\n")
    return d / fmt.LOGS_FILE


def start_viewer(root: Path) -> tuple[subprocess.Popen[str], str]:
    repo = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=repo, PYTHONUNBUFFERED="1")
    cmd = [sys.executable, "-m", "runicorn.cli", "viewer", "--storage", str(root), "--port", "0"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    assert proc.stdout is not None
    for line in proc.stdout:
        found = re.search(r"Runicorn viewer: (http://\S+)", line)
        if found:
            return proc, found.group(1).rstrip("/")
    raise RuntimeError(f"viewer exited with {proc.wait()} before printing its URL")


def floor_latency(logs: Path, n: int) -> list[float]:
    """Append, and let a thread in this process notice it by polling the size every POLL_S, as the
    viewer does: the latency a poller of that interval has with no HTTP or WebSocket in between."""
    seen = threading.Event()
    stop = threading.Event()

    def poll() -> None:
        size = logs.stat().st_size
        while not stop.is_set():
            now = logs.stat().st_size
            if now != size:
                size = now
                seen.set()
            time.sleep(POLL_S)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    out = []
    for i in range(n):
        time.sleep(POLL_S * (i % 7) / 7)  # land at different points of the poll cycle
        seen.clear()
        t = time.perf_counter()
        with open(logs, "a") as f:
            f.write(f"floor {i}\n")
        seen.wait(10)
        out.append(time.perf_counter() - t)
    stop.set()
    poller.join()
    return out


def ws_latency(base: str, logs: Path, n: int) -> list[float]:
    out = []
    with connect(
        base.replace("http", "ws") + f"/api/runs/{RUN_ID}/logs/ws?offset={logs.stat().st_size}"
    ) as ws:
        for i in range(n):
            time.sleep(POLL_S * (i % 7) / 7)
            t = time.perf_counter()
            with open(logs, "a") as f:
                f.write(f"line {i}\n")
            while True:
                message = json.loads(ws.recv(timeout=10))
                if f"line {i}" in message["lines"]:
                    break
            out.append(time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=30)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "storage"
        logs = make_run(root)
        floor = floor_latency(logs, args.lines)
        proc, base = start_viewer(root)
        try:
            measured = ws_latency(base, logs, args.lines)
        finally:
            proc.terminate()
            proc.wait(10)
    for name, values in (("floor (poll the file)", floor), ("viewer WebSocket", measured)):
        med, worst = statistics.median(values), max(values)
        print(f"{name:<22} median {med * 1000:7.1f} ms  worst {worst * 1000:7.1f} ms")
    worst = max(measured)
    ratio = statistics.median(measured) / statistics.median(floor)
    verdict = "ok " if worst <= BAR_S else "OVER"
    print(
        f"{verdict} worst WebSocket latency {worst * 1000:.1f} ms, bar {BAR_S * 1000:.0f} ms, "
        f"ratio {BAR_S / worst:.1f}x; median over the floor's {ratio:.2f}x"
    )


if __name__ == "__main__":
    main()
