"""How fast a line appended to ``logs.txt`` reaches a client of the viewer's log WebSocket.

Starts a real ``runicorn viewer`` process on a temp storage root with one run, connects a
WebSocket client to the run's log tail, appends lines one at a time, and prints the latency
from the append to the client receiving it (median and worst), against the bar of 0.5 s. The
floor is the same append read back by polling the file directly at the viewer's interval
(0.2 s), measured in the same run: the ratio says how much the HTTP/WebSocket path adds.

Then ``--readers`` clients (24; half WebSockets, half HTTP pages) read from the start, again
every second, a second run whose ``logs.txt`` holds a 200 MB line and ends in 64 MB without a newline,
and ``/api/health`` is timed meanwhile, against a bar of 100 ms.

    python bench/log_tail_bench.py [--lines 30] [--readers 24] [--readers-s 10]
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
from runicorn.files import write_json_atomic  # noqa: E402

BAR_S = 0.5
POLL_S = 0.2
RUN_ID = "20260101_000000_10c7a1"
HUGE_RUN_ID = "20260101_000000_b1611e"
HEALTH_BAR_S = 0.1


def make_huge_run(root: Path) -> None:
    """A run whose log holds a 200 MB line and ends in 64 MB without a newline."""
    d = fmt.run_dir(root, "bench", "huge", HUGE_RUN_ID)
    d.mkdir(parents=True)
    write_json_atomic(d / fmt.META_FILE, {"id": HUGE_RUN_ID, "project": "bench", "name": "huge"})
    write_json_atomic(d / fmt.STATUS_FILE, {"status": "finished"})
    block = b"x" * (8 * 1024 * 1024)
    with open(d / fmt.LOGS_FILE, "wb") as f:
        f.write(b"before\n")
        for _ in range(25):
            f.write(block)
        f.write(b"\nafter\n")
        for _ in range(8):
            f.write(block)


def read_huge_logs(base: str, use_ws: bool, stop: threading.Event, reads: list[int]) -> None:
    """Read the huge run's log from the start, again every second, until ``stop``."""
    import httpx

    while not stop.is_set():
        if use_ws:
            url = base.replace("http", "ws") + f"/api/runs/{HUGE_RUN_ID}/logs/ws"
            with connect(url, max_size=None) as ws:
                lines: list[str] = []
                while len(lines) < 3 and not stop.is_set():
                    lines += json.loads(ws.recv(timeout=60))["lines"]
        else:
            offset, more = 0, True
            with httpx.Client(base_url=base, timeout=60) as client:
                while more and not stop.is_set():
                    answer = client.get(f"/api/runs/{HUGE_RUN_ID}/logs", params={"offset": offset}).json()
                    offset, more = answer["offset"], answer["more"]
        reads.append(1)
        stop.wait(1.0)  # each reader opens the log again every second


def health_under_readers(base: str, readers: int, seconds: float) -> tuple[list[float], int]:
    """/api/health latencies while ``readers`` clients read the huge run; and their reads done."""
    import httpx

    stop = threading.Event()
    reads: list[int] = []
    threads = [
        threading.Thread(target=read_huge_logs, args=(base, i % 2 == 0, stop, reads), daemon=True)
        for i in range(readers)
    ]
    for t in threads:
        t.start()
    out = []
    with httpx.Client(base_url=base, timeout=30) as client:
        client.get("/api/health")
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            t0 = time.perf_counter()
            client.get("/api/health").raise_for_status()
            out.append(time.perf_counter() - t0)
            time.sleep(0.02)
    stop.set()
    for t in threads:
        t.join(60)
    return out, len(reads)


def make_run(root: Path) -> Path:
    d = fmt.run_dir(root, "bench", "tail", RUN_ID)
    d.mkdir(parents=True)
    write_json_atomic(d / fmt.META_FILE, {"id": RUN_ID, "project": "bench", "name": "tail"})
    write_json_atomic(d / fmt.STATUS_FILE, {"status": "running", "heartbeat_at": time.time()})
    (d / fmt.LOGS_FILE).write_text("start\n")
    return d / fmt.LOGS_FILE


def start_viewer(root: Path) -> tuple[subprocess.Popen[str], str]:
    repo = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=repo, PYTHONUNBUFFERED="1")
    cmd = [
        sys.executable,
        "-m",
        "runicorn.cli",
        "viewer",
        "--storage",
        str(root),
        "--port",
        "0",
        "--no-token",
    ]
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
    ap.add_argument("--readers", type=int, default=24)
    ap.add_argument("--readers-s", type=float, default=10.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "storage"
        logs = make_run(root)
        make_huge_run(root)
        floor = floor_latency(logs, args.lines)
        proc, base = start_viewer(root)
        try:
            measured = ws_latency(base, logs, args.lines)
            health, reads = (
                health_under_readers(base, args.readers, args.readers_s) if args.readers else ([], 0)
            )
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
    if health:
        ordered = sorted(health)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        median = statistics.median(health)
        verdict = "ok " if p99 <= HEALTH_BAR_S else "OVER"
        print(
            f"{verdict} /api/health under {args.readers} readers of a 200 MB line "
            f"({reads} whole reads in {args.readers_s:.0f} s): median {median * 1000:.1f} ms, "
            f"p99 {p99 * 1000:.1f} ms, worst {max(health) * 1000:.1f} ms, bar {HEALTH_BAR_S * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
