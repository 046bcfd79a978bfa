"""Viewer speed at scale: 10,000 runs and one run of 1,000,000 steps x 4 metrics.

Usage:  python bench/viewer_bench.py [--runs 10000] [--steps 1000000] [--keep DIR]
Quick:  python bench/viewer_bench.py --runs 500 --steps 50000

Generates the trees under a temp folder, then measures (each figure printed with its bar and
the ratio bar / measured, > 1 means within the bar):
  - the read store directly (runicorn.store), always;
  - a real `runicorn viewer` subprocess over HTTP, when that command exists;
  - the PyPI Runicorn 0.7.2 viewer on the same trees, when `.side-venv/bin/python` has it
    (`python3 -m venv .side-venv && .side-venv/bin/pip install runicorn==0.7.2`), with our speed-up.
Peak memory is the viewer process's VmHWM (or this process's max RSS for the store figures).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from viewer_process import free_port, get, ours_env, peak_mb  # noqa: E402

from runicorn import format as fmt  # noqa: E402
from runicorn.sdk.frames_writer import frame_events_file  # noqa: E402

BIG_ID = "20260101_000000_b16b16"
PLAIN_ID = "20260101_000000_b16b17"  # the big run's events without events.columns
BARS = {  # figure -> bar in seconds (or MB for memory)
    "runs cold": 3.0,
    "runs warm": 0.050,
    "metrics cold": 1.0,
    "metrics cold, no events.columns": 1.0,
    "metrics warm": 0.050,
    "since poll": 0.020,
    "peak memory MB": 500.0,
}


# --- trees -------------------------------------------------------------------------------------
def write_small_runs(root: Path, count: int) -> None:
    rnd = random.Random(1)
    t0 = 1_790_000_000.0
    for i in range(count):
        created = t0 + i * 60
        run_id = time.strftime("%Y%m%d_%H%M%S", time.localtime(created)) + f"_{i:06x}"  # as new_run_id
        d = fmt.run_dir(root, f"proj{i % 10}", f"exp{i % 50}", run_id)
        d.mkdir(parents=True)
        meta = {
            "id": run_id,
            "project": f"proj{i % 10}",
            "name": f"exp{i % 50}",
            "created_at": created,
            "hostname": "bench",
            "tags": [f"t{i % 7}"],
            "format_version": fmt.FORMAT_VERSION,
        }
        (d / fmt.META_FILE).write_bytes(fmt.dumps_json_file(meta))
        status = {"status": "finished", "started_at": created, "ended_at": created + 30}
        (d / fmt.STATUS_FILE).write_bytes(fmt.dumps_json_file(status))
        (d / fmt.SUMMARY_FILE).write_bytes(fmt.dumps_json_file({"loss": rnd.random(), "acc": rnd.random()}))
        lines = [
            fmt.encode_event(
                fmt.METRICS,
                {"loss": 1 / (s + 1), "acc": s / 20, fmt.STEP_KEY: s, fmt.TIME_KEY: created + s},
                created + s,
            )
            for s in range(20)
        ]
        (d / fmt.EVENTS_FILE).write_bytes(b"".join(lines))


def big_line(step: int, t: float) -> bytes:
    data = {
        "loss": 1.0 / (step + 1),
        "acc": (step % 1000) / 1000.0,
        "lr": 0.001,
        "grad_norm": (step * 7919) % 97 / 9.7,
        fmt.STEP_KEY: step,
        fmt.TIME_KEY: t,
        fmt.STAGE_KEY: "train" if step % 10000 < 9000 else "val",
    }
    return orjson.dumps({"ts": t, "type": fmt.METRICS, "data": data}) + b"\n"


def write_big_run(root: Path, steps: int) -> Path:
    d = fmt.run_dir(root, "big", "long", BIG_ID)
    d.mkdir(parents=True)
    t0 = 1_790_000_000.0
    (d / fmt.META_FILE).write_bytes(
        fmt.dumps_json_file(
            {"id": BIG_ID, "project": "big", "name": "long", "path": "big/long", "created_at": t0}
        )
    )
    (d / fmt.STATUS_FILE).write_bytes(
        fmt.dumps_json_file({"status": "running", "started_at": t0, "heartbeat_at": time.time()})
    )
    with open(d / fmt.EVENTS_FILE, "wb") as f:
        for start in range(0, steps, 10000):
            f.write(b"".join(big_line(s, t0 + s * 0.01) for s in range(start, min(steps, start + 10000))))
    frame_events_file(d)  # events.columns, as our SDK leaves it once it has kept up
    # The same events without events.columns: a run written by another program (or by 0.7.2).
    plain = fmt.run_dir(root, "big", "long-plain", PLAIN_ID)
    plain.mkdir(parents=True)
    for name in (fmt.META_FILE, fmt.STATUS_FILE):
        shutil.copy(d / name, plain / name)
    os.link(d / fmt.EVENTS_FILE, plain / fmt.EVENTS_FILE)  # one file: appends reach both runs
    return d


def append_steps(run: Path, first: int, count: int) -> None:
    with open(run / fmt.EVENTS_FILE, "ab") as f:
        f.write(b"".join(big_line(s, 1_790_000_000.0 + s * 0.01) for s in range(first, first + count)))


# --- timing -------------------------------------------------------------------------------------
def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def best_of(fn: Callable[[], object], n: int = 5) -> float:
    return min(timed(fn) for _ in range(n))


def report(label: str, figure: str, value: float, theirs: float | None = None) -> None:
    bar = BARS[figure]
    unit = "MB" if figure.endswith("MB") else "ms"
    shown = value if unit == "MB" else value * 1000
    bar_shown = bar if unit == "MB" else bar * 1000
    verdict = "ok " if value <= bar else "OVER"
    line = f"{verdict} {label:<7} {figure:<32} {shown:10.1f} {unit}  bar {bar_shown:7.0f} {unit}"
    line += f"  ratio {bar / value:6.1f}x"
    if theirs is not None:
        their_shown = theirs * (1 if unit == "MB" else 1000)
        line += f"  | runicorn 0.7.2 {their_shown:10.1f} {unit}  speed-up {theirs / value:6.1f}x"
    print(line, flush=True)


# --- the store directly ---------------------------------------------------------------------------
def bench_store(root: Path, big: Path, steps: int) -> None:
    from runicorn.store import RunFilter, RunSeries, StoreReader
    from runicorn.store.metrics.decode_pool import default_workers

    reader = StoreReader(root, decode_workers=default_workers())  # as the viewer
    report("store", "runs cold", timed(lambda: reader.query_runs(limit=50)))
    # warm figures use the viewer's own refresh interval (a background re-scan at most every second)
    report("store", "runs warm", best_of(lambda: reader.query_runs(limit=50)))
    keys = ["loss", "acc", "lr", "grad_norm"]
    report("store", "metrics cold", timed(lambda: reader.metrics(BIG_ID, keys, max_points=2000)))
    plain_cold = timed(lambda: reader.metrics(PLAIN_ID, keys, max_points=2000))
    report("store", "metrics cold, no events.columns", plain_cold)
    pool = reader.decode_pool
    print(
        f"     ({pool.workers} decoding processes; {pool.pieces_by_workers} of {pool.pieces_decoded} "
        "pieces decoded by them, the rest by the reader's thread while they started)",
        flush=True,
    )
    report("store", "metrics warm", best_of(lambda: reader.metrics(BIG_ID, keys, max_points=2000)))
    offset = reader.metrics(BIG_ID, keys, max_points=2000)["offset"]
    append_steps(big, steps, 1000)
    report("store", "since poll", timed(lambda: reader.metrics(BIG_ID, keys, max_points=2000, since=offset)))
    report("store", "peak memory MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    reader.index.wait_for_refresh()
    t = time.perf_counter()
    reader.query_runs(RunFilter(status="finished"), limit=50)  # waits for nothing now: the full scan is done
    print(f"     (full scan done; a filtered page then takes {(time.perf_counter() - t) * 1000:.1f} ms)")
    reader.close()

    def one_thread(run: Path) -> Callable[[], None]:
        def read() -> None:
            series = RunSeries(run)
            series.update()
            series.metrics(keys, max_points=2000)

        return read

    plain = fmt.run_dir(root, "big", "long-plain", PLAIN_ID)
    print(
        f"     (metrics cold in one thread, no worker processes: {timed(one_thread(big)) * 1000:.1f} ms; "
        f"without events.columns {timed(one_thread(plain)) * 1000:.1f} ms)"
    )


# --- over HTTP ---------------------------------------------------------------------------------------
def wait_up(url: str, proc: subprocess.Popen[bytes], limit_s: float = 120) -> float:
    t = time.perf_counter()
    while time.perf_counter() - t < limit_s:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stdout.read().decode() if proc.stdout else ''}")
        try:
            get(url, timeout=5)
            return time.perf_counter() - t
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server at {url} did not answer within {limit_s} s")


def start(cmd: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env or ours_env())


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def ours_available() -> bool:
    probe = subprocess.run(
        [sys.executable, "-m", "runicorn.cli", "viewer", "--help"], capture_output=True, env=ours_env()
    )
    return probe.returncode == 0


def bench_http_ours(root: Path, big: Path, steps: int, theirs: dict[str, float]) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start(
        [
            sys.executable,
            "-m",
            "runicorn.cli",
            "viewer",
            "--storage",
            str(root),
            "--port",
            str(port),
            "--no-token",
        ]
    )
    try:
        t_start = wait_up(f"{base}/api/health", proc)  # counted, as for 0.7.2: start to first list
        runs_cold = t_start + timed(lambda: get(f"{base}/api/runs?limit=50"))
        report("http", "runs cold", runs_cold, theirs.get("runs cold"))
        report(
            "http", "runs warm", best_of(lambda: get(f"{base}/api/runs?limit=50")), theirs.get("runs warm")
        )
        url = f"{base}/api/runs/{BIG_ID}/metrics?max_points=2000"
        report("http", "metrics cold", timed(lambda: get(url)), theirs.get("metrics cold"))
        plain_url = f"{base}/api/runs/{PLAIN_ID}/metrics?max_points=2000"
        plain_cold = timed(lambda: get(plain_url))
        report("http", "metrics cold, no events.columns", plain_cold, theirs.get("metrics cold"))
        report("http", "metrics warm", best_of(lambda: get(url)), theirs.get("metrics warm"))
        offset = orjson.loads(get(url))["offset"]
        append_steps(big, steps + 1000, 1000)
        report("http", "since poll", timed(lambda: get(f"{url}&since={offset}")))
        report("http", "peak memory MB", peak_mb(proc.pid), theirs.get("peak memory MB"))
    finally:
        stop(proc)


def bench_http_theirs(root: Path, side_python: Path) -> dict[str, float]:
    """Runicorn 0.7.2's viewer on the same tree: its /api/runs and downsampled metrics."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["RUNICORN_DIR"] = str(root)
    cmd = [str(side_python.parent / "runicorn"), "viewer", "--storage", str(root), "--port", str(port)]
    proc = start(cmd + ["--log-level", "WARNING"], env=env)
    out: dict[str, float] = {}
    try:
        t_start = wait_up(f"{base}/api/health", proc, limit_s=300)
        out["runs cold"] = t_start + timed(lambda: get(f"{base}/api/runs"))
        out["runs warm"] = best_of(lambda: get(f"{base}/api/runs"), 3)
        url = f"{base}/api/runs/{BIG_ID}/metrics?downsample=2000"
        out["metrics cold"] = timed(lambda: get(url))
        out["metrics warm"] = best_of(lambda: get(url), 3)
        out["peak memory MB"] = peak_mb(proc.pid)
    except (RuntimeError, OSError) as exc:
        print(f"runicorn 0.7.2 viewer: {exc}")
    finally:
        stop(proc)
    for k, v in out.items():
        unit = "MB" if k.endswith("MB") else "ms"
        print(f"     runicorn 0.7.2 {k:<15} {v if unit == 'MB' else v * 1000:10.1f} {unit}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10000, help="small runs in the tree (default 10000)")
    ap.add_argument("--steps", type=int, default=1_000_000, help="steps of the big run (default 1000000)")
    ap.add_argument("--keep", metavar="DIR", help="build the trees in DIR and keep them")
    ap.add_argument("--store-only", action="store_true", help="skip the HTTP figures")
    args = ap.parse_args()
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="runicorn-bench-"))
    try:
        t = time.perf_counter()
        write_small_runs(tmp / "store", args.runs)
        big = write_big_run(tmp / "store", args.steps)
        print(
            f"trees: {args.runs} runs + 1 run of {args.steps} steps x 4 metrics, "
            f"written in {time.perf_counter() - t:.1f} s",
            flush=True,
        )
        # the store figures run in a child so their memory and caches are their own
        if os.environ.get("_RUNICORN_BENCH_CHILD") != "store":
            subprocess.run(
                [sys.executable, __file__, "--keep", str(tmp), "--runs", "-1", "--steps", str(args.steps)],
                env=dict(os.environ, _RUNICORN_BENCH_CHILD="store"),
                check=False,
            )
        if args.store_only:
            return 0
        side = Path(__file__).resolve().parents[1] / ".side-venv" / "bin" / "python"
        theirs = bench_http_theirs(tmp / "store", side) if side.exists() else {}
        if not theirs:
            print("runicorn 0.7.2 not measured (no .side-venv with runicorn==0.7.2)")
        if ours_available():
            bench_http_ours(tmp / "store", big, args.steps, theirs)
        else:
            print("`runicorn viewer` not available yet: HTTP figures skipped")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


def child_main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep")
    ap.add_argument("--runs", type=int)
    ap.add_argument("--steps", type=int)
    args = ap.parse_args()
    root = Path(args.keep) / "store"
    bench_store(root, fmt.run_dir(root, "big", "long", BIG_ID), args.steps)
    return 0


if __name__ == "__main__":
    sys.exit(child_main() if os.environ.get("_RUNICORN_BENCH_CHILD") == "store" else main())
