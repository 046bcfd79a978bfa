"""Parameter importance speed: the runs of bench/research_bench.py (20 config keys: 17 of mixed
numbers and strings, lr, bs, the optimizer), importance of ``summary.val/acc`` (docs/web.md
"Parameter importance").

Usage:  python bench/importance_bench.py [--runs 10000] [--keep DIR]

Prints: the first ``/api/research/importance`` of a fresh viewer (what a user pays: scikit-learn's
import and the forest), the answer computed again in this process (median of 3, no cache), and the
floor, ``/api/runs/table`` with the same 21 columns (warm), with the ratio. Bars: 3 s for the
first answer, 1 s for the computation.
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
import urllib.parse
import urllib.request
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from research_bench import COLUMNS, free_port, timed, write_runs  # noqa: E402

from runicorn.store.index.run_index import RunIndex  # noqa: E402
from runicorn.store.query.importance import parameter_importance  # noqa: E402

METRIC = "summary.val/acc"


def wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/api/health", timeout=1).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    base_dir = args.keep or Path(tempfile.mkdtemp(prefix="importance-bench-"))
    root = base_dir / "root"
    if not root.exists():
        chunk = max(1, args.runs // 8)
        with Pool(min(8, os.cpu_count() or 1)) as pool:
            pool.map(write_runs, [(root, s, min(chunk, args.runs - s)) for s in range(0, args.runs, chunk)])
    port = free_port()
    env = {**os.environ, "RUNICORN_CONFIG_FILE": str(base_dir / "no-config.json")}
    cmd = [sys.executable, "-m", "runicorn.cli", "viewer", "--storage", str(root), "--port", str(port)]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    viewer = subprocess.Popen([*cmd, "--no-token"], env=env, **quiet)  # type: ignore[call-overload]
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base)
        urllib.request.urlopen(f"{base}/api/runs/columns", timeout=120).read()  # the index is read
        start = time.perf_counter()
        url = f"{base}/api/research/importance?metric={urllib.parse.quote(METRIC)}"
        urllib.request.urlopen(url, timeout=120).read()
        first = time.perf_counter() - start
        floor, _ = timed(f"{base}/api/runs/table?columns={urllib.parse.quote(COLUMNS)}&limit=10000")
    finally:
        viewer.terminate()
        viewer.wait(10)
    index = RunIndex(root)
    runs = index.runs()
    times = []
    for _ in range(3):
        start = time.perf_counter()
        answer = parameter_importance(runs, METRIC)
        times.append(time.perf_counter() - start)
    compute = statistics.median(times)
    print(f"runs: {answer['used']}, parameters: {len(answer['parameters'])}, model: {answer['model']}")
    for name, seconds, bar in (
        ("first importance answer (fresh viewer)", first, 3.0),
        ("importance computed again (no cache)", compute, 1.0),
    ):
        verdict = "ok" if seconds <= bar else "MISSED"
        print(f"{name:<40} {seconds * 1000:7.0f} ms  bar {bar * 1000:.0f} ms: {verdict}")
    ratio = compute / floor
    floor_name = "floor: /api/runs/table, 21 columns"
    print(f"{floor_name:<40} {floor * 1000:7.0f} ms  (computed / floor {ratio:.1f}x)")
    if args.keep is None:
        shutil.rmtree(base_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
