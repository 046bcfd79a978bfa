"""Wide run page bench: a run of 1,500 metrics x 20 steps opens to its first drawn chart in
headless Chromium.

Writes two runs with our SDK: the wide one (30 prefixes x 50 metrics, 20 steps) and a floor
(the same 20 steps of 4 metrics), starts a real `runicorn viewer` on a loopback port and times
navigation -> the first chart drawn (a canvas holding points) on each run page, the first open
of each cold (a fresh viewer reading the run), the next ones warm. Also counts the canvases on the
wide page at that moment (only the charts near the viewport are drawn), and scrolls the wide page
top to bottom a step each frame, printing the frame gaps next to the same page's idle frames.
Bar: < 1 s to the first chart; scrolling p95 frame under 50 ms.

    .venv/bin/python bench/wide_page_bench.py [--layers 30] [--per-layer 50] [--steps 20]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from web_bench import WEB_DIST, launch_chromium, start_viewer  # noqa: E402

BAR_S = 1.0
FRAME_BAR_MS = 50.0  # a frame longer than a long task (50 ms) is a visible stutter
FIRST_CHART = """() => [...document.querySelectorAll('.chart')].some(
    e => e.querySelector('canvas') && Number(e.dataset.points) > 0)"""


def write_run(root: Path, name: str, keys: list[str], steps: int) -> str:
    """A run as a training script writes it, through our SDK."""
    import runicorn as rn

    run = rn.init(project="bench", name=name, storage=root, capture_console=False, system_metrics=False)
    for step in range(1, steps + 1):
        run.log({k: (n + 1) / step for n, k in enumerate(keys)}, step=step)
    run.finish()
    return run.id


def first_chart_times(base: str, run_id: str, repeat: int, label: str) -> tuple[list[float], int]:
    """Seconds from navigation to the first drawn chart per open, and the canvases at the last."""
    from playwright.sync_api import sync_playwright

    times: list[float] = []
    drawn = 0
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        for i in range(repeat):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            t = time.perf_counter()
            page.goto(f"{base}/runs/{run_id}")
            page.wait_for_function(FIRST_CHART, timeout=120_000, polling="raf")
            elapsed = time.perf_counter() - t
            times.append(elapsed)
            drawn = int(page.locator(".chart canvas").count())
            kind = "cold" if i == 0 else "warm"
            print(f"  {label} {kind}: {elapsed:.3f} s to the first drawn chart ({drawn} canvases then)")
            page.close()
        browser.close()
    return times, drawn


# Frame gaps (ms) over `frames` animation frames, scrolling `step_px` a frame through the page or
# sitting still (the floor: what the machine's load costs a frame by itself).
FRAME_GAPS = """async ([frames, stepPx]) => {
    const gaps = [];
    let last = await new Promise(requestAnimationFrame);
    for (let i = 0; i < frames; i++) {
        if (stepPx) window.scrollBy(0, stepPx);
        const now = await new Promise(requestAnimationFrame);
        gaps.push(now - last);
        last = now;
    }
    return gaps;
}"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def scroll_frames(base: str, run_id: str, step_px: int) -> tuple[list[float], list[float], int]:
    """Frame gaps scrolling the wide page top to bottom, the idle floor, the canvases at the end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{base}/runs/{run_id}")
        page.wait_for_function(FIRST_CHART, timeout=120_000)
        height = int(page.evaluate("document.documentElement.scrollHeight"))
        frames = max(1, height // step_px)
        idle = page.evaluate(FRAME_GAPS, [frames, 0])
        scrolled = page.evaluate(FRAME_GAPS, [frames, step_px])
        canvases = int(page.locator(".chart canvas").count())
        browser.close()
    return scrolled, idle, canvases


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--layers", type=int, default=30)
    parser.add_argument("--per-layer", type=int, default=50)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scroll-px", type=int, default=200, help="scrolled each frame")
    args = parser.parse_args()
    if not (WEB_DIST / "index.html").is_file():
        print("the web UI is not built: cd web && npm ci && npm run build", file=sys.stderr)
        return 1
    wide_keys = [f"layer{i}/m{j}" for i in range(args.layers) for j in range(args.per_layer)]
    floor_keys = ["train/loss", "train/acc", "train/lr", "val/loss"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "storage"
        t = time.perf_counter()
        wide_id = write_run(root, "wide", wide_keys, args.steps)
        floor_id = write_run(root, "floor", floor_keys, args.steps)
        print(f"wrote {len(wide_keys):,} metrics x {args.steps} steps in {time.perf_counter() - t:.1f} s")
        results = {}
        viewer, base = start_viewer(root)
        try:
            scrolled, idle, scroll_canvases = scroll_frames(base, wide_id, args.scroll_px)
        finally:
            viewer.terminate()
            viewer.wait(10)
        for label, run_id in (
            ("floor (4 metrics)", floor_id),
            (f"wide ({len(wide_keys):,} metrics)", wide_id),
        ):
            viewer, base = start_viewer(root)  # a fresh viewer per run: its first open is cold
            try:
                results[label] = first_chart_times(base, run_id, args.repeat, label)
            finally:
                viewer.terminate()
                viewer.wait(10)
    (floor, _), (wide, canvases) = results.values()
    for kind, pick in (("cold", lambda ts: ts[0]), ("warm", lambda ts: min(ts[1:] or ts))):
        w, f = pick(wide), pick(floor)
        verdict = "ok" if w < BAR_S else "OVER"
        print(
            f"first chart {kind}: wide {w:.3f} s vs bar {BAR_S:.1f} s ({w / BAR_S:.2f} of it, {verdict}); "
            f"floor {f:.3f} s, wide / floor {w / f:.2f}"
        )
    print(f"canvases on the wide page at its first chart: {canvases} of {len(wide_keys):,} charts")
    p95, floor95 = percentile(scrolled, 0.95), percentile(idle, 0.95)
    print(
        f"scrolling the wide page {args.scroll_px} px a frame over {len(scrolled)} frames: frame gap median "
        f"{percentile(scrolled, 0.5):.1f} ms, p95 {p95:.1f} ms, worst {max(scrolled):.1f} ms "
        f"(bar: p95 under {FRAME_BAR_MS:.0f} ms); idle floor p95 {floor95:.1f} ms, worst {max(idle):.1f} ms; "
        f"ratio p95 / floor {p95 / floor95:.2f}; {scroll_canvases} canvases at the bottom"
    )
    return 0 if max(wide) < BAR_S else 1


if __name__ == "__main__":
    sys.exit(main())
