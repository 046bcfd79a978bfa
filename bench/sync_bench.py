"""Runs in an object store, against a real S3 server (rclone serve s3 on loopback).

- upload bytes per bytes appended: a live run appends, one sync sends its new segments and the
  manifest (bar: <= 1.1x, for a 1 MiB append and for a watch-sized 100-line append);
- a second sync of N unchanged runs: `runicorn sync` in a fresh process, imports included (bar:
  <= 2 s for 1,000 runs);
- the viewer over the bucket, cold (an empty cache folder): N runs listed (bar: <= 2 s), and a
  long run (1M steps by default) charted (bar: <= 2 s); and what it costs while nothing changes
  (the share of a core, the viewer and its reader process together).

    python bench/sync_bench.py [--runs 1000] [--steps 1000000]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(_REPO), str(_REPO / "tests")]

import httpx  # noqa: E402
from s3_server import S3Server  # noqa: E402

import runicorn  # noqa: E402
from runicorn import format as fmt  # noqa: E402
from runicorn.files import write_json_atomic  # noqa: E402
from runicorn.sync.bucket import Bucket, parse_bucket_url  # noqa: E402
from runicorn.sync.uploader import Uploader  # noqa: E402


def make_finished_runs(root: Path, count: int) -> None:
    """``count`` small finished runs written with the format's own functions (fast)."""
    now = time.time()
    for i in range(count):
        run_id = f"20261130_000000_{i:06x}"
        d = fmt.run_dir(root, "proj", f"exp{i % 4}", run_id)
        d.mkdir(parents=True)
        write_json_atomic(
            d / fmt.META_FILE, {"id": run_id, "project": "proj", "name": f"exp{i % 4}", "created_at": now}
        )
        write_json_atomic(d / fmt.STATUS_FILE, {"status": fmt.FINISHED, "started_at": now, "ended_at": now})
        lines = b"".join(
            fmt.encode_event(fmt.METRICS, {"global_step": s, "loss": 1 / (s + 1)}, now) for s in range(20)
        )
        (d / fmt.EVENTS_FILE).write_bytes(lines)
        (d / fmt.LOGS_FILE).write_text("12:00:00 | done\n")


def appended_cost(root: Path, bucket: Bucket, lines: int) -> tuple[int, int]:
    """(bytes appended, bytes sent) for one sync after a live run appends ``lines`` metric lines."""
    run = runicorn.init(
        project="live", name="grow", storage=root, capture_console=False, system_metrics=False
    )
    uploader = Uploader(root, bucket, only=run.dir)
    uploader.sync_once()
    before = sum((run.dir / f).stat().st_size for f in fmt.APPEND_ONLY_FILES if (run.dir / f).exists())
    for step in range(lines):
        run.log({"loss": 1 / (step + 1), "acc": step / lines}, step=step)
    run.flush()
    after = sum((run.dir / f).stat().st_size for f in fmt.APPEND_ONLY_FILES if (run.dir / f).exists())
    sent = bucket.bytes_sent
    uploader.sync_once()
    run.finish()
    return after - before, bucket.bytes_sent - sent


@contextmanager
def bucket_viewer(
    url: str, env: dict[str, str], cache: str
) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """``runicorn viewer --storage URL`` with its cache in ``cache``: (the process, its output file)."""
    out = Path(cache) / "viewer.out"
    with open(out, "wb") as f:
        proc = subprocess.Popen(
            [sys.executable, "-m", "runicorn.cli", "viewer", "--storage", url, "--port", "0", "--no-token"],
            env={**env, "XDG_CACHE_HOME": cache, "PYTHONUNBUFFERED": "1"},
            stdout=f,
            stderr=subprocess.STDOUT,
        )
        try:
            yield proc, out
        finally:
            proc.kill()
            proc.wait(10)


def viewer_cold(url: str, env: dict[str, str], until: str, check) -> float:  # type: ignore[no-untyped-def]
    os.sync()  # the bench's own writes (thousands of runs just made) are not the viewer's to wait on
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        with bucket_viewer(url, env, cache) as (proc, out):
            while not (m := re.search(r"Runicorn viewer: (http://\S+)", out.read_text())):
                if proc.poll() is not None:
                    raise SystemExit(out.read_text())
                time.sleep(0.02)
            base = m.group(1).rstrip("/")
            while True:
                try:
                    if check(httpx.get(base + until, timeout=30)):
                        return time.perf_counter() - started
                except (httpx.HTTPError, KeyError, ValueError):
                    pass
                if time.perf_counter() - started > 300:
                    raise SystemExit(f"viewer never answered {until}:\n{out.read_text()}")
                time.sleep(0.05)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def family(pid: int) -> list[int]:
    """The process and its children."""
    kids = [
        int(p.parent.name)
        for p in Path("/proc").glob("[0-9]*/stat")
        if p.read_text().rsplit(")", 1)[1].split()[1] == str(pid)
    ]
    return [pid, *kids]


def viewer_idle_cpu(url: str, env: dict[str, str], runs: int, seconds: float = 10.0) -> float:
    """The share of a core the bucket viewer (its reader process included) uses while nothing
    changes, measured once its cache holds every run."""
    with tempfile.TemporaryDirectory() as cache, bucket_viewer(url, env, cache) as (proc, out):
        while "Runicorn viewer:" not in out.read_text():
            time.sleep(0.05)
        while sum(1 for _ in Path(cache).rglob(fmt.EVENTS_FILE)) < runs:  # the first cycle's work
            time.sleep(0.2)
        time.sleep(3)
        pids = family(proc.pid)
        before = sum(cpu_seconds(p) for p in pids)
        time.sleep(seconds)
        return (sum(cpu_seconds(p) for p in pids) - before) / seconds


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=1_000_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        top = Path(tmp)
        (top / "s3").mkdir()
        server = S3Server(top / "s3")
        server.start()
        try:
            os.environ.update(server.env())
            os.environ["XDG_CACHE_HOME"] = str(top / "cache")  # the sync state, not the user's
            env = dict(os.environ)
            name = server.new_bucket()
            url = f"s3://{name}/bench"
            root = top / "root"
            make_finished_runs(root, args.runs)
            bucket = Bucket(parse_bucket_url(url))
            t = time.perf_counter()
            first = Uploader(root, bucket).sync_once()
            print(f"first sync of {args.runs} runs: {time.perf_counter() - t:.2f} s, {first.bytes} bytes")
            os.sync()
            t = time.perf_counter()  # what the user waits for: a fresh `runicorn sync` process
            second = subprocess.run(
                [sys.executable, "-m", "runicorn.cli", "sync", str(root), url],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            took = time.perf_counter() - t
            print(
                f"second sync of {args.runs} unchanged runs, a fresh process: {took:.2f} s "
                f"({second.stdout.strip()}) (bar <= 2 s)"
            )
            live_root = top / "live"
            for lines in (10_000, 100):
                appended, sent = appended_cost(
                    live_root, Bucket(parse_bucket_url(f"s3://{name}/live")), lines
                )
                print(
                    f"append of {appended} bytes ({lines} lines): {sent} bytes sent, "
                    f"{sent / appended:.2f}x (bar <= 1.1x)"
                )
            took = viewer_cold(url, env, "/api/runs?limit=1", lambda r: r.json()["total"] >= args.runs)
            print(f"viewer over the bucket, cold: {args.runs} runs listed in {took:.2f} s (bar <= 2 s)")
            share = viewer_idle_cpu(url, env, args.runs, seconds=20)
            print(f"viewer over the bucket, idle: {share:.0%} of a core (its reader process included)")

            long_root = top / "long"
            run = runicorn.init(
                project="long", name="run", storage=long_root, capture_console=False, system_metrics=False
            )
            for step in range(args.steps):
                run.log({"loss": 1 / (step + 1)}, step=step)
            run.finish()
            Uploader(long_root, Bucket(parse_bucket_url(f"s3://{name}/long"))).sync_once()
            size = (run.dir / fmt.EVENTS_FILE).stat().st_size + (run.dir / fmt.COLUMNS_FILE).stat().st_size
            took = viewer_cold(
                f"s3://{name}/long",
                env,
                f"/api/runs/{run.id}/metrics?keys=loss",
                lambda r: r.json()["rows"] >= args.steps,
            )
            print(
                f"viewer over the bucket, cold: a {args.steps}-step run ({size} bytes) charted "
                f"in {took:.2f} s (bar <= 2 s)"
            )
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
