"""Console capture: printed lines reach logs.txt; progress bars keep only their last state."""

from __future__ import annotations

import sys
from pathlib import Path

import runicorn as rn
from runicorn import format as fmt


def test_prints_and_progress_bars_are_captured_readably(storage_root: Path, capsys) -> None:
    run = rn.init(storage=storage_root, capture_console=True, system_metrics=False)
    print("epoch 1")
    for i in range(1000):  # what tqdm does: redraw one line with \r
        sys.stderr.write(f"\r{i / 10:.0f}%|###")
    sys.stderr.write("\n")
    print("no newline at the end", end="")
    run.finish()
    lines = (run.dir / fmt.LOGS_FILE).read_text().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("[") and lines[0].endswith("] epoch 1")
    assert lines[1].endswith("] 100%|###")
    assert lines[2].endswith("] no newline at the end")
    out = capsys.readouterr()
    assert "epoch 1" in out.out and "100%|###" in out.err  # the terminal still sees everything


def test_finish_restores_the_original_streams(storage_root: Path) -> None:
    before = sys.stdout
    run = rn.init(storage=storage_root, capture_console=True, system_metrics=False)
    assert sys.stdout is not before
    run.finish()
    assert sys.stdout is before
