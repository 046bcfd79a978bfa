"""Research view speed: 10,000 runs with 20 config and 20 summary keys each, queried through a
real `runicorn viewer` over HTTP (docs/viewer.md#speed).

Usage:  python bench/research_bench.py [--runs 10000] [--keep DIR]

Prints, warm (the median of 10 requests after 3 untimed ones): a query over all runs
(/api/runs?q=...), /api/runs/table with 21 columns, /api/runs/columns, and the same query
answered by the store alone. Bars: 100 ms for the query and the table.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from viewer_process import ViewerProcess  # noqa: E402

from runicorn import format as fmt  # noqa: E402

QUERY = "config.lr < 0.01 and summary.val/acc > 0.5 and config.optimizer.name == 'adam'"
COLUMNS = ",".join(
    [
        "summary.val/acc",
        *(f"config.k{i}" for i in range(17)),
        "config.lr",
        "config.bs",
        "config.optimizer.name",
    ]
)


def write_runs(args: tuple[Path, int, int]) -> None:
    root, start, count = args
    rnd = random.Random(start)
    t0 = 1_790_000_000.0
    for i in range(start, start + count):
        created = t0 + i * 60
        run_id = time.strftime("%Y%m%d_%H%M%S", time.localtime(created)) + f"_{i:06x}"
        d = fmt.run_dir(root, f"proj{i % 5}", f"exp{i % 40}", run_id)
        d.mkdir(parents=True)
        meta = {
            "id": run_id,
            "project": f"proj{i % 5}",
            "name": f"exp{i % 40}",
            "created_at": created,
            "tags": [f"t{i % 7}"],
            "format_version": fmt.FORMAT_VERSION,
        }
        config = {f"k{k}": rnd.choice([1, 2, 3, "a", "b"]) for k in range(17)}
        config.update(
            lr=rnd.choice([1e-4, 1e-3, 1e-2, 1e-1]),
            bs=rnd.choice([16, 32, 64]),
            optimizer={"name": rnd.choice(["adam", "sgd"])},
        )
        summary = {f"m{k}/value": rnd.random() for k in range(19)}
        summary["val/acc"] = rnd.random()
        (d / fmt.META_FILE).write_bytes(fmt.dumps_json_file(meta))
        (d / fmt.STATUS_FILE).write_bytes(
            fmt.dumps_json_file({"status": "finished", "started_at": created, "ended_at": created + 30})
        )
        (d / fmt.CONFIG_FILE).write_bytes(fmt.dumps_json_file(config))
        (d / fmt.SUMMARY_FILE).write_bytes(fmt.dumps_json_file(summary))


def timed(viewer: ViewerProcess, path: str, repeat: int = 10) -> tuple[float, int]:
    for _ in range(3):
        body = viewer.get(path, timeout=120)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        body = viewer.get(path, timeout=120)
        times.append(time.perf_counter() - start)
    return statistics.median(times), len(body)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    base_dir = args.keep or Path(tempfile.mkdtemp(prefix="research-bench-"))
    root = base_dir / "root"
    if not root.exists():
        start = time.perf_counter()
        chunk = max(1, args.runs // 8)
        with Pool(min(8, os.cpu_count() or 1)) as pool:
            pool.map(write_runs, [(root, s, min(chunk, args.runs - s)) for s in range(0, args.runs, chunk)])
        print(f"wrote {args.runs} runs in {time.perf_counter() - start:.1f} s")
    q = urllib.parse.quote(QUERY)
    figures = [
        ("query over all runs (/api/runs?q=)", f"/api/runs?q={q}&sort=config.lr", 0.100),
        (
            "/api/runs/table, 21 columns",
            f"/api/runs/table?columns={urllib.parse.quote(COLUMNS)}&limit=10000",
            0.100,
        ),
        ("/api/runs/columns", "/api/runs/columns", None),
        ("/api/runs/columns?q=", f"/api/runs/columns?q={q}", None),
    ]
    try:
        with ViewerProcess(root) as viewer:
            for name, url, bar in figures:
                seconds, size = timed(viewer, url)
                verdict = (
                    ""
                    if bar is None
                    else f"  bar {bar * 1000:.0f} ms: {'ok' if seconds <= bar else 'MISSED'}"
                )
                print(f"{name:<40} {seconds * 1000:7.1f} ms  ({size / 1024:.0f} KB){verdict}")
    finally:
        if args.keep is None:
            shutil.rmtree(base_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
