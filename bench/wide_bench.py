"""Wide runs and big projects: a real `runicorn viewer` over 1,500 runs of 1,500 metrics x 20
steps, 150 config params and 50 tags each (bench/wide_project.py; docs/scale.md).

Usage:  python bench/wide_bench.py [--runs 1500] [--metrics 1500] [--steps 20] [--keep DIR]
Quick:  python bench/wide_bench.py --runs 150 --metrics 300

Each cold figure is taken in a fresh viewer process (the files are in the page cache: the
generator has just written them, or a first untimed pass read them). Each figure is printed with
its bar and a floor measured in this run: the time this process takes to read the same bytes in
a bare loop (and take their CRC-32, for the figures that read metrics: the viewer checks every
byte of a frame and of the events lines it stands for), or one HTTP round trip for a warm answer.
The viewer's CPU time for each figure is printed too: on a busy machine the wall time grows with
the load, the CPU time much less (its child processes' included: the columns warmer). Peak memory is
the viewers' VmHWM or the viewer and its children together, sampled, whichever is more. The
viewers' cache folder (``XDG_CACHE_HOME``) starts empty: the columns' first call is timed on a
first start, when nothing is kept, and again on the next start, answered from what the first kept.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from viewer_process import ViewerProcess  # noqa: E402
from wide_project import Shape, metric_keys, project_at, run_id_of, shape_arguments, shape_of  # noqa: E402

from runicorn import format as fmt  # noqa: E402
from runicorn.codec.checksum import FAST, crc32  # noqa: E402

GROUP_BY = "config.optimizer.lr"
COMPARE_RUNS = 100
TABLE_COLUMNS = "config.optimizer.lr,config.section0.p0,config.section1.p1,summary.layer0/m0"
BARS = {  # figure -> bar (seconds, or MB)
    "first /api/runs page from process start": 3.0,
    "/api/runs/columns, first call": 0.5,
    "/api/runs/columns, first call, next start": 0.5,
    "/api/runs/table, 4 columns": 0.3,
    "/api/metrics/grouped, cold": 1.5,
    "/api/metrics/grouped, warm": 0.2,
    "/api/compare, 1 key x 100 runs, cold": 0.5,
    "one run's metrics (all keys), cold": 0.5,
    "peak memory MB": 500.0,
}
failures: list[str] = []


def report(
    figure: str, value: float, floor: float | None, floor_what: str = "", cpu: float | None = None
) -> None:
    bar = BARS[figure]
    mb = figure.endswith("MB")
    unit, scale = ("MB", 1.0) if mb else ("ms", 1000.0)
    ok = value <= bar
    if not ok:
        failures.append(figure)
    line = (
        f"{'ok  ' if ok else 'OVER'} {figure:<42} {value * scale:9.1f} {unit}  bar {bar * scale:7.0f} {unit}"
    )
    line += f"  bar/measured {bar / value:5.1f}x"
    if floor is not None:
        line += f"  | floor {floor * scale:8.1f} {unit} ({floor_what}), measured/floor {value / floor:5.1f}x"
    if cpu is not None:
        line += f"  | viewer CPU {cpu * 1000:7.1f} ms"
    print(line, flush=True)


def read_all(paths: list[Path], crc: bool = False) -> float:
    """Seconds to read every file in ``paths`` whole in a bare loop (and take its CRC-32: what
    a reader that checks every byte it uses pays at least)."""
    t = time.perf_counter()
    for p in paths:
        with open(p, "rb") as f:
            data = f.read()
        if crc:
            crc32(data)  # as the viewer computes it (ISA-L's when isal is installed, else zlib's)
    return time.perf_counter() - t


def stat_all(paths: list[Path]) -> float:
    """Seconds to stat every file in ``paths`` in a bare loop (what checking a kept answer costs
    at least)."""
    t = time.perf_counter()
    for p in paths:
        os.lstat(p)
    return time.perf_counter() - t


def best(fn: Callable[[], float], n: int = 3) -> float:
    return min(fn() for _ in range(n))


def run_dirs(root: Path, shape: Shape) -> list[Path]:
    return [
        fmt.run_dir(root, shape.project, f"exp{i % shape.experiments}", run_id_of(i))
        for i in range(shape.runs)
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shape_arguments(ap)
    ap.add_argument(
        "--keep", type=Path, help="keep the project under this folder (reused when the shape matches)"
    )
    args = ap.parse_args()
    shape = shape_of(args)
    root = project_at(args.keep, shape)
    try:
        with tempfile.TemporaryDirectory(prefix="wide-bench-cache-") as cache:
            os.environ["XDG_CACHE_HOME"] = cache  # the viewers' cache folder starts empty
            return measure(root, shape)
    finally:
        if args.keep is None:
            shutil.rmtree(root.parent, ignore_errors=True)


def measure(root: Path, shape: Shape) -> int:
    dirs = run_dirs(root, shape)
    key = metric_keys(shape)[min(7 * shape.per_prefix, shape.metrics - 1)]
    json_files = [d / n for d in dirs for n in fmt.REWRITTEN_FILES]
    frame_files = [d / fmt.COLUMNS_FILE for d in dirs]
    event_files = [d / fmt.EVENTS_FILE for d in dirs]
    read_all(json_files + frame_files + event_files)  # into the page cache, untimed
    floor_json = best(lambda: read_all(json_files))
    floor_stat = best(lambda: stat_all(json_files + event_files))
    floor_both = best(lambda: read_all(frame_files + event_files, crc=True))
    compared = list(range(0, shape.runs, max(1, shape.runs // COMPARE_RUNS)))[:COMPARE_RUNS]
    floor_compare = best(
        lambda: read_all([frame_files[i] for i in compared] + [event_files[i] for i in compared], crc=True)
    )
    floor_one = best(lambda: read_all([frame_files[0], event_files[0]], crc=True))
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    by = "ISA-L" if FAST else "zlib"
    print(
        f"load: {load} on {os.cpu_count()} CPUs; metric {key!r}, grouped by {GROUP_BY}; CRC-32 by {by}",
        flush=True,
    )
    peaks: list[float] = []

    with ViewerProcess(root) as viewer:  # the runs page, then the research view's first calls
        t = viewer.timed("/api/runs?limit=50")
        first_cpu = viewer.cpu_s()
        report("first /api/runs page from process start", viewer.up_s + t, floor_json, "read JSON", first_cpu)
        t, cpu = viewer.timed_cpu("/api/runs/columns")
        report("/api/runs/columns, first call", t, floor_json, "read the JSON files", cpu)
        health = viewer.best_of("/api/health")
        table = f"/api/runs/table?columns={urllib.parse.quote(TABLE_COLUMNS)}"
        t, cpu = viewer.timed_cpu(table)
        report("/api/runs/table, 4 columns", t, health, "one round trip", cpu)
        peaks.append(viewer.peak_mb())

    with ViewerProcess(root) as viewer:  # the next start: the columns answer kept by the first
        viewer.get("/api/runs?limit=50")
        t, cpu = viewer.timed_cpu("/api/runs/columns")
        report("/api/runs/columns, first call, next start", t, floor_stat, "stat the runs' files", cpu)
        peaks.append(viewer.peak_mb())

    grouped = f"/api/metrics/grouped?by={GROUP_BY}&key={urllib.parse.quote(key)}"
    with ViewerProcess(root) as viewer:
        viewer.get("/api/runs?limit=50")  # the user opened the viewer; the scan may go on
        t, cpu = time.perf_counter(), viewer.cpu_s()
        answer = orjson.loads(viewer.get(grouped))
        cold, cold_cpu = time.perf_counter() - t, viewer.cpu_s() - cpu
        counted = len({r for g in answer["groups"] for r in g["runs"]})
        if counted != shape.runs or answer["truncated"]:
            failures.append("grouped")
            print(f"OVER grouped answered {counted} of {shape.runs} runs, truncated {answer['truncated']}")
        report("/api/metrics/grouped, cold", cold, floor_both, "read + CRC the runs' files", cold_cpu)
        health = viewer.best_of("/api/health")
        warm = min(viewer.timed_cpu(grouped) for _ in range(5))
        report("/api/metrics/grouped, warm", *warm[:1], health, "one round trip", warm[1])
        peaks.append(viewer.peak_mb())

    ids = ",".join(dirs[i].name for i in compared)
    with ViewerProcess(root) as viewer:
        viewer.get("/api/runs?limit=50")
        path = f"/api/compare?ids={ids}&keys={urllib.parse.quote(key)}"
        t, cpu = viewer.timed_cpu(path)
        report("/api/compare, 1 key x 100 runs, cold", t, floor_compare, "read + CRC the same", cpu)
        peaks.append(viewer.peak_mb())

    with ViewerProcess(root) as viewer:
        viewer.get("/api/runs?limit=50")
        path = f"/api/runs/{dirs[0].name}/metrics?max_points=2000"
        t, cpu = viewer.timed_cpu(path)
        report("one run's metrics (all keys), cold", t, floor_one, "read + CRC the same", cpu)
        peaks.append(viewer.peak_mb())

    with ViewerProcess(root) as viewer:  # what the cold figures after the first page share
        viewer.get("/api/runs?limit=50")
        tail, tail_cpu = viewer.timed_cpu("/api/runs?limit=1&status=finished")  # waits for the first scan
        print(
            f"     (the rest of the first scan after the first page: {tail * 1000:.0f} ms, viewer CPU ",
            end="",
        )
        print(f"{tail_cpu * 1000:.0f} ms; the research view's and the grouped cold figures include it)")
        after, after_cpu = viewer.timed_cpu(grouped)
        shown = f"{after * 1000:.0f} ms, viewer CPU {after_cpu * 1000:.0f} ms"
        print(f"     (/api/metrics/grouped, cold, in a fresh viewer whose first scan is done: {shown})")
        peaks.append(viewer.peak_mb())

    report("peak memory MB", max(peaks), None)
    print(f"(peak memory per viewer: {', '.join(f'{p:.0f}' for p in peaks)} MB)")
    if failures:
        print(f"over the bar: {', '.join(failures)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
