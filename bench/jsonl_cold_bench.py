"""A run written without events.columns, charted cold: the first read and the decoded cache.

Usage:  python bench/jsonl_cold_bench.py [--steps 1000000] [--repeat 3] [--keep DIR]
Quick:  python bench/jsonl_cold_bench.py --steps 100000

Builds one run of STEPS steps x 4 metrics written as JSONL only (as another program, an import or
the PyPI Runicorn leaves it) and the same events with events.columns (as our SDK leaves them),
then, each in a fresh `runicorn viewer` process (its decoded cache in a temp folder):
  1. first view: the time from asking for the JSONL-only run's chart (max_points=2000) to its
     answer, against a bare `for line in f: orjson.loads(line)` loop over the same file measured
     in the same run (bar: 0.4x the loop);
  2. second viewer start: the same chart from the decoded cache, against the SDK-written run's
     chart in another fresh viewer (bar: 1.0x, as fast);
and the peak memory (VmHWM) of each viewer process (bar: 500 MB). Each view is timed in REPEAT
fresh viewers and the median counts; the loop's median is taken over runs between them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from viewer_bench import big_line  # noqa: E402  (the same metrics lines as the viewer bench)

from runicorn import format as fmt  # noqa: E402
from runicorn.sdk.frames_writer import frame_events_file  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PLAIN_ID = "20260101_000000_d0d0d0"  # JSONL only
SDK_ID = "20260101_000000_d0d0d1"  # the same events with events.columns
BAR_FIRST = 0.4  # x the bare orjson loop
BAR_SECOND = 1.0  # x the SDK-written run
BAR_MEMORY_MB = 500.0


def write_runs(root: Path, steps: int) -> Path:
    t0 = 1_790_000_000.0
    plain = fmt.run_dir(root, "big", "plain", PLAIN_ID)
    sdk = fmt.run_dir(root, "big", "sdk", SDK_ID)
    for run_id, d in ((PLAIN_ID, plain), (SDK_ID, sdk)):
        d.mkdir(parents=True)
        meta = {"id": run_id, "project": "big", "name": d.parent.parent.name, "created_at": t0}
        (d / fmt.META_FILE).write_bytes(fmt.dumps_json_file(meta))
        (d / fmt.STATUS_FILE).write_bytes(fmt.dumps_json_file({"status": "finished", "started_at": t0}))
    with open(plain / fmt.EVENTS_FILE, "wb") as f:
        for start in range(0, steps, 10000):
            f.write(b"".join(big_line(s, t0 + s * 0.01) for s in range(start, min(steps, start + 10000))))
    shutil.copy(plain / fmt.EVENTS_FILE, sdk / fmt.EVENTS_FILE)
    frame_events_file(sdk)
    return plain / fmt.EVENTS_FILE


def orjson_loop_s(path: Path) -> float:
    loads = orjson.loads
    t = time.perf_counter()
    with open(path, "rb") as f:
        for raw in f:
            loads(raw)
    return time.perf_counter() - t


def get(url: str, timeout: float = 600) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return bytes(r.read())


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_mb(pid: int) -> float:
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith("VmHWM:"):
            return int(row.split()[1]) / 1024
    return float("nan")


class Viewer:
    """A fresh `runicorn viewer` process over ``root``, its decoded cache under ``cache_home``."""

    def __init__(self, root: Path, cache_home: Path) -> None:
        self.port = free_port()
        env = dict(
            os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
        )
        env["XDG_CACHE_HOME"] = str(cache_home)
        cmd = [sys.executable, "-m", "runicorn.cli", "viewer", "--storage", str(root)]
        self.proc = subprocess.Popen(
            [*cmd, "--port", str(self.port), "--no-token"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
        )
        deadline = time.monotonic() + 120
        while True:
            if self.proc.poll() is not None:
                out = self.proc.stdout.read().decode() if self.proc.stdout else ""
                raise RuntimeError(f"the viewer exited: {out}")
            try:
                get(f"http://127.0.0.1:{self.port}/api/health", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the viewer did not answer within 120 s") from None
                time.sleep(0.05)

    def chart_s(self, run_id: str) -> float:
        t = time.perf_counter()
        body = get(f"http://127.0.0.1:{self.port}/api/runs/{run_id}/metrics?max_points=2000")
        took = time.perf_counter() - t
        if not orjson.loads(body)["series"]:
            raise RuntimeError(f"run {run_id}: no series in the answer")
        return took

    def stop(self) -> float:
        """Stops it (it finishes writing its cache first); its peak memory in MB."""
        peak = peak_mb(self.proc.pid)
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        return peak


def report(figure: str, value: float, floor_label: str, floor: float, bar: float) -> None:
    ratio = value / floor
    verdict = "ok" if ratio < bar else "MISSED"
    print(
        f"{figure:<44} {value * 1000:8.0f} ms  = {ratio:.2f}x {floor_label} ({floor * 1000:.0f} ms)"
        f"  bar < {bar}x  {verdict}",
        flush=True,
    )


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3, help="fresh viewers per figure (the median counts)")
    ap.add_argument("--keep", type=Path, help="build the run here and keep it (default: a temp folder)")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="runicorn-jsonl-bench-"))
    try:
        root = work / "storage"
        events = write_runs(root, args.steps)
        size_mb = events.stat().st_size / 1e6
        print(f"{args.steps:,} steps x 4 metrics, {size_mb:.0f} MB of JSONL; {os.cpu_count()} CPUs")
        print(f"load average before: {load()}")
        loops = [orjson_loop_s(events) for _ in range(3)]
        firsts, first_peaks = [], []
        for i in range(args.repeat):  # each a fresh viewer with an empty cache: a first read
            viewer = Viewer(root, work / f"cache-first-{i}")
            firsts.append(viewer.chart_s(PLAIN_ID))
            first_peaks.append(viewer.stop())
            loops.append(orjson_loop_s(events))
        loop = statistics.median(loops)
        cache_home = work / "cache-first-0"  # written by the first viewer above
        seconds, second_peaks, sdks = [], [], []
        for _ in range(args.repeat):  # a fresh viewer each, alternating the cached and the SDK-written run
            viewer = Viewer(root, cache_home)
            seconds.append(viewer.chart_s(PLAIN_ID))
            second_peaks.append(viewer.stop())
            viewer = Viewer(root, work / "cache-unused")
            sdks.append(viewer.chart_s(SDK_ID))
            viewer.stop()
        first, cached, sdk = (statistics.median(x) for x in (firsts, seconds, sdks))
        first_peak, second_peak = max(first_peaks), max(second_peaks)
        cache_mb = sum(p.stat().st_size for p in (cache_home / "runicorn").rglob("*") if p.is_file()) / 1e6
        print(
            f"bare orjson loop over the file: median {loop * 1000:.0f} ms of {len(loops)} "
            f"({min(loops) * 1000:.0f} - {max(loops) * 1000:.0f} ms)"
        )
        print(f"each view below: the median of {args.repeat} fresh viewers")
        report("first view, JSONL only, no cache", first, "the orjson loop", loop, BAR_FIRST)
        report("second viewer start, from the decoded cache", cached, "the SDK-written run", sdk, BAR_SECOND)
        print(f"decoded cache on disk: {cache_mb:.0f} MB")
        for label, peak in (("first viewer", first_peak), ("second viewer", second_peak)):
            verdict = "ok" if peak < BAR_MEMORY_MB else "MISSED"
            print(f"peak memory, {label:<31} {peak:8.0f} MB  bar < {BAR_MEMORY_MB:.0f} MB  {verdict}")
        print(f"load average after: {load()}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
