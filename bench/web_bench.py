"""Web UI bench: a run of 1,000,000 steps opens to drawn charts in headless Chromium.

Writes a run of STEPS steps x 4 metrics (events.jsonl through runicorn.format), starts a real
`runicorn viewer` on a loopback port, opens the run page and times navigation -> every chart drawn
(its canvas present and holding points). The first open is cold (the viewer reads the 1M-step file),
the next ones warm. Prints the built bundle size. Bar: < 2 s.

    .venv/bin/python bench/web_bench.py [--steps 1000000]
"""

from __future__ import annotations

import argparse
import gzip
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from runicorn import format as fmt  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
WEB_DIST = REPO / "runicorn" / "web_dist"
BAR_S = 2.0
KEYS = ("train/loss", "train/acc", "train/lr", "val/loss")


def write_run(root: Path, steps: int) -> str:
    run_id = fmt.new_run_id()
    folder = fmt.run_dir(root, "bench", "big", run_id)
    folder.mkdir(parents=True)
    t0 = time.time() - steps * 0.01
    fmt.write_json_atomic(folder / fmt.META_FILE, {"id": run_id, "project": "bench", "name": "big",
                                                   "created_at": t0, "hostname": socket.gethostname()})
    fmt.write_json_atomic(folder / fmt.STATUS_FILE, {"status": fmt.FINISHED, "started_at": t0,
                                                     "ended_at": t0 + steps * 0.01})
    with open(folder / fmt.EVENTS_FILE, "wb", buffering=1 << 20) as f:
        for step in range(1, steps + 1):
            ts = t0 + step * 0.01
            data = {"train/loss": 1.0 / step, "train/acc": 1 - 1.0 / step, "train/lr": 0.1,
                    fmt.STEP_KEY: step, fmt.TIME_KEY: ts, fmt.STAGE_KEY: "train"}
            if step % 100 == 0:
                data["val/loss"] = 1.1 / step
            f.write(fmt.encode_event(fmt.METRICS, data, ts))
    return run_id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_viewer(root: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    viewer = subprocess.Popen(
        [sys.executable, "-m", "runicorn.cli", "viewer", "--storage", str(root), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=REPO,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/health", timeout=1).read()
            return viewer, base
        except OSError:
            if time.monotonic() > deadline or viewer.poll() is not None:
                viewer.kill()
                raise SystemExit("viewer did not start") from None
            time.sleep(0.1)


def server_cold_s(root: Path, run_id: str) -> float:
    """The viewer's own first answer for the run's charts (no browser): the part the UI waits on."""
    viewer, base = start_viewer(root)
    try:
        t = time.perf_counter()
        urllib.request.urlopen(f"{base}/api/runs/{run_id}/metrics?x=step", timeout=120).read()
        return time.perf_counter() - t
    finally:
        viewer.terminate()
        viewer.wait(10)


def bundle_size() -> tuple[int, int]:
    files = [p for p in WEB_DIST.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), sum(len(gzip.compress(p.read_bytes())) for p in files)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not (WEB_DIST / "index.html").is_file():
        print("the web UI is not built: cd web && npm ci && npm run build", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "storage"
        t = time.perf_counter()
        run_id = write_run(root, args.steps)
        print(f"wrote {args.steps:,} steps x {len(KEYS)} metrics in {time.perf_counter() - t:.1f} s")
        viewer, base = start_viewer(root)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path="/usr/bin/chromium", headless=True,
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                          "--disable-component-update", "--disable-sync", "--no-first-run"])
                times = []
                for i in range(args.repeat):
                    page = browser.new_page(viewport={"width": 1400, "height": 900})
                    t = time.perf_counter()
                    page.goto(f"{base}/runs/{run_id}")
                    page.wait_for_function(
                        """n => { const c = document.querySelectorAll('.chart');
                                  return c.length === n && [...c].every(e => e.querySelector('canvas')
                                    && Number(e.dataset.points) > 0); }""",
                        arg=len(KEYS), timeout=60_000)
                    elapsed = time.perf_counter() - t
                    times.append(elapsed)
                    print(f"open {'cold' if i == 0 else 'warm'}: {elapsed:.3f} s to {len(KEYS)} drawn charts")
                    page.close()
                browser.close()
        finally:
            viewer.terminate()
            viewer.wait(10)
        api_cold = server_cold_s(root, run_id)
    print(f"of the cold open, the viewer's first read of the events file alone takes {api_cold:.3f} s "
          f"(UI share about {max(times[0] - api_cold, 0):.3f} s)")
    raw, gz = bundle_size()
    print(f"bundle size: {raw / 1024:.1f} KiB (gzip {gz / 1024:.1f} KiB)")
    worst = max(times)
    verdict = "ok" if worst < BAR_S else "OVER"
    print(f"worst open {worst:.3f} s vs bar {BAR_S:.1f} s: ratio {worst / BAR_S:.2f} ({verdict})")
    return 0 if worst < BAR_S else 1


if __name__ == "__main__":
    sys.exit(main())
