"""Research view bench: parallel coordinates of 10,000 runs drawn in headless Chromium.

Writes RUNS runs with our SDK (a config of four keys, a summary metric, no metric history), starts
a real `runicorn viewer` on a loopback port, opens the Runs page's parallel-coordinates view and
prints (1) the plot's own drawing time (the canvas' `data-draw-ms`: layout and strokes, one path
per colour) and (2) navigation -> the plot drawn with every run. Bar: drawing <= 1 s.

Needs the viewer's research endpoints (/api/runs/columns, /api/runs/table); without them it says
so and stops.

    .venv/bin/python bench/research_web_bench.py [--runs 10000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from web_bench import WEB_DIST, launch_chromium, start_viewer  # noqa: E402

BAR_S = 1.0


def write_runs(root: Path, count: int) -> None:
    import runicorn as rn

    rng = random.Random(0)
    for i in range(count):
        lr = 10 ** rng.uniform(-5, -1)
        config = {
            "lr": lr,
            "batch_size": rng.choice([32, 64, 128]),
            "optimizer": rng.choice(["adam", "sgd"]),
            "depth": rng.randint(2, 12),
        }
        run = rn.init(
            project="bench",
            name="sweep",
            storage=root,
            config=config,
            capture_console=False,
            system_metrics=False,
        )
        run.summary({"acc": 1 - lr * 5 + rng.random() * 0.05})
        run.finish()
        if (i + 1) % 1000 == 0:
            print(f"  wrote {i + 1} runs", flush=True)


def draw_times(root: Path, count: int, repeat: int) -> list[tuple[float, float]]:
    """(drawing seconds, navigation -> drawn seconds) per open."""
    from playwright.sync_api import sync_playwright

    viewer, base = start_viewer(root)
    out = []
    try:
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            for _ in range(repeat):
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                start = time.perf_counter()
                page.goto(
                    f"{base}/?view=parallel&metric=summary.acc&cols=config.lr,config.batch_size,config.optimizer,config.depth"
                )
                plot = page.get_by_test_id("parallel-plot")
                page.wait_for_function(
                    "n => document.querySelector('[data-testid=parallel-plot]')?.dataset.lines === String(n)",
                    arg=count,
                    timeout=120_000,
                )
                total = time.perf_counter() - start
                out.append((float(plot.get_attribute("data-draw-ms") or "nan") / 1000, total))
                page.close()
            browser.close()
    finally:
        viewer.terminate()
        viewer.wait(10)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not (WEB_DIST / "index.html").is_file():
        print("build the web UI first: cd web && npm run build")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        write_runs(root, args.runs)
        print(f"wrote {args.runs} runs in {time.perf_counter() - t0:.1f} s")
        times = draw_times(root, args.runs, args.repeat)
    for draw_s, total_s in times:
        print(
            f"parallel plot of {args.runs} runs: drawn in {draw_s:.3f} s; navigation -> drawn {total_s:.2f} s"
        )
    worst = max(d for d, _ in times)
    print(f"{'PASS' if worst <= BAR_S else 'FAIL'}: worst drawing {worst:.3f} s (bar {BAR_S} s)")
    return 0 if worst <= BAR_S else 1


if __name__ == "__main__":
    sys.exit(main())
