"""Storage roots for the viewer tests: runs written by the real SDK, plus hostile and PyPI runs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

import runicorn
from runicorn import format as fmt

OUTSIDE_BYTES = "bytes-that-live-outside-the-root"
PYPI_FIXTURES = Path(__file__).parents[1] / "data" / "pypi-0.7.2" / "storage"


def sdk_run(
    root: Path,
    project: str = "vision",
    name: str = "resnet",
    steps: int = 20,
    tags: list[str] | None = None,
    status: str = "finished",
    notes: str | None = None,
    summary: dict | None = None,
) -> runicorn.Run:
    """A finished run written through the SDK: loss/acc per step in two stages, a log line, an image."""
    run = runicorn.init(
        project=project,
        name=name,
        storage=root,
        config={"lr": 0.01, "depth": 18},
        tags=tags or ["baseline"],
        notes=notes,
        capture_console=False,
        system_metrics=False,
    )
    for step in range(steps):
        stage = "warmup" if step < steps // 4 else "train"
        run.log({"loss": 1.0 / (step + 1), "acc": step / steps}, step=step, stage=stage)
    run.log_text(f"trained {steps} steps")
    run.log_image("samples", np.full((8, 8, 3), 200, dtype=np.uint8), step=steps - 1, caption="last")
    run.summary(summary if summary is not None else {"best_acc": (steps - 1) / steps})
    run.finish(status=status)
    return run  # type: ignore[return-value]


def hostile_run(root: Path) -> Path:
    """A run folder with broken JSON, truncated and binary lines, and a symlink leaving the root."""
    d = fmt.run_dir(root, "broken", "junk", "20261123_000000_bad000")
    (d / fmt.MEDIA_DIR).mkdir(parents=True)
    (d / fmt.META_FILE).write_text('{"id": "20261123_000000_bad000", "project": "broken", "name": "junk"}')
    (d / fmt.STATUS_FILE).write_text('{"status": "finished", "ended_at": 17')  # torn JSON
    (d / fmt.SUMMARY_FILE).write_bytes(b"\x00\xff not json")
    (d / fmt.CONFIG_FILE).write_text('{"lr": NaN, "clip": Infinity, "nested": {"x": -Infinity}}')
    good = fmt.encode_event(fmt.METRICS, {"global_step": 1, "loss": 0.5}, 1.0)
    good2 = fmt.encode_event(fmt.METRICS, {"global_step": 2, "loss": 0.25}, 2.0)
    (d / fmt.EVENTS_FILE).write_bytes(
        good + b"{not json\n" + b"\x89PNG\x00\xff\xfe\n" + good2 + b'{"ts": 3, "ty'
    )
    (d / fmt.LOGS_FILE).write_bytes(b"ok line\n\xff\xfe bad utf8\nlast partial")
    outside = root.parent / "outside-secret.txt"
    outside.write_text(OUTSIDE_BYTES)
    os.symlink(outside, d / fmt.MEDIA_DIR / "escape.png")
    os.symlink(root.parent, d / fmt.MEDIA_DIR / "up")
    return d


def copy_pypi_runs(root: Path) -> list[str]:
    """The runs written by the PyPI Runicorn 0.7.2 (kept as fixtures) copied under ``root``."""
    if not PYPI_FIXTURES.is_dir():
        return []
    shutil.copytree(PYPI_FIXTURES, root, dirs_exist_ok=True)
    import json

    return sorted(json.loads((PYPI_FIXTURES.parent / "ids.json").read_text()).values())
