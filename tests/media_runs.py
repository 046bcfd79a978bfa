"""A run holding every media kind, written through the REAL SDK, for the viewer's API and browser
tests: histograms of a drifting distribution over 50 steps, a 100-row table, a tone, an animated
GIF and an HTML page."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import runicorn

HTML_PAGE = '<h1 id="title">Report</h1><p style="color: #4338ca">All tests passed.</p>'


def media_run(storage_root: Path, steps: int = 50) -> runicorn.Run:
    run = runicorn.init(
        project="vision",
        name="media_kinds",
        storage=storage_root,
        capture_console=False,
        system_metrics=False,
    )
    assert isinstance(run, runicorn.Run)
    rng = np.random.default_rng(0)
    for step in range(1, steps + 1):
        run.log({"loss": 1.0 / step}, step=step)
        run.log_histogram("weights", rng.normal(step / 10, 1.0, 2000), num_bins=32)
    rows = [[i, f"item {i:03d}", (i * 37) % 100 / 10] for i in range(100)]
    run.log_table("preds", ["id", "name", "score"], rows)
    tone = 0.5 * np.sin(np.linspace(0, 2 * np.pi * 440, 8000)).astype(np.float32)
    run.log_audio("tone", tone, sample_rate=8000, caption="440 Hz")
    frames = np.zeros((4, 3, 24, 32), dtype=np.uint8)
    for t in range(4):
        frames[t, t % 3] = 60 * (t + 1)
    run.log_video("rollout", frames, fps=4, caption="episode")
    run.log_html("report", HTML_PAGE)
    run.finish()
    return run
