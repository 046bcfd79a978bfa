"""Web UI bench: a run of 1,000,000 steps opens to drawn charts in headless Chromium.

Writes a run of STEPS steps x 4 metrics with our SDK, starts a real `runicorn viewer` on a
loopback port, opens the run page and times navigation -> every chart drawn (its canvas present
and holding points). The first open is cold (the viewer reads the 1M-step run), the next ones
warm; then once more cold without events.columns (as a run written by another program). Prints
the built bundle size. Bar: < 2 s.

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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from runicorn import format as fmt  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
WEB_DIST = REPO / "runicorn" / "web_dist"
BAR_S = 2.0
KEYS = ("train/loss", "train/acc", "train/lr", "val/loss")


def write_run(root: Path, steps: int) -> str:
    """The run as a training script writes it, through our SDK (events.columns included)."""
    import runicorn as rn

    run = rn.init(project="bench", name="big", storage=root, capture_console=False, system_metrics=False)
    log = run.log
    for step in range(1, steps + 1):
        values = {"train/loss": 1.0 / step, "train/acc": 1 - 1.0 / step, "train/lr": 0.1}
        if step % 100 == 0:
            values["val/loss"] = 1.1 / step
        log(values, stage="train")
    run.finish()
    return run.id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_viewer(root: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    viewer = subprocess.Popen(
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
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        cwd=REPO,
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


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_chromium(pw: Any) -> Any:
    """Debian's headless chromium, as every web bench drives it."""
    return pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)


def open_times(root: Path, run_id: str, repeat: int, label: str = "") -> list[float]:
    """Seconds from navigation to every chart drawn: a fresh viewer, the first open cold."""
    from playwright.sync_api import sync_playwright

    viewer, base = start_viewer(root)
    times = []
    try:
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            for i in range(repeat):
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                t = time.perf_counter()
                page.goto(f"{base}/runs/{run_id}")
                page.wait_for_function(
                    """n => { const c = document.querySelectorAll('.chart');
                              return c.length === n && [...c].every(e => e.querySelector('canvas')
                                && Number(e.dataset.points) > 0); }""",
                    arg=len(KEYS),
                    timeout=60_000,
                )
                elapsed = time.perf_counter() - t
                times.append(elapsed)
                kind = "cold" if i == 0 else "warm"
                what = f"{kind} {label}".strip()
                print(f"open {what}: {elapsed:.3f} s to {len(KEYS)} drawn charts")
                page.close()
            browser.close()
    finally:
        viewer.terminate()
        viewer.wait(10)
    return times


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
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "storage"
        t = time.perf_counter()
        run_id = write_run(root, args.steps)
        print(f"wrote {args.steps:,} steps x {len(KEYS)} metrics in {time.perf_counter() - t:.1f} s")
        times = open_times(root, run_id, args.repeat)
        api_cold = server_cold_s(root, run_id)
        columns = next(root.rglob(fmt.COLUMNS_FILE))
        columns.unlink()  # as a run written by another program: the viewer decodes the JSON
        plain = open_times(root, run_id, 1, "without events.columns")
    print(
        f"of the cold open, the viewer's first read of the events file alone takes {api_cold:.3f} s "
        f"(UI share about {max(times[0] - api_cold, 0):.3f} s)"
    )
    raw, gz = bundle_size()
    print(f"bundle size: {raw / 1024:.1f} KiB (gzip {gz / 1024:.1f} KiB)")
    print(f"cold open without events.columns: {plain[0]:.3f} s (bar {BAR_S:.1f} s)")
    worst = max(times)
    verdict = "ok" if worst < BAR_S else "OVER"
    print(f"worst open {worst:.3f} s vs bar {BAR_S:.1f} s: ratio {worst / BAR_S:.2f} ({verdict})")
    return 0 if worst < BAR_S else 1


if __name__ == "__main__":
    sys.exit(main())
