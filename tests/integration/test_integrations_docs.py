"""Every python example in docs/integrations.md runs as printed (each in its own process, against a
temporary storage root) and leaves a finished run with metrics: the page cannot drift from the code."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from runicorn import format as fmt

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "docs" / "integrations.md"


def examples() -> dict[str, str]:
    """The fenced python blocks of the page, by the heading they sit under."""
    found: dict[str, str] = {}
    heading = ""
    for part in re.split(r"^(## .+|```python\n[\s\S]*?```)$", PAGE.read_text(), flags=re.M):
        if part.startswith("## "):
            heading = part[3:].strip()
        elif part.startswith("```python"):
            found[heading] = part[len("```python\n") : -3]
    return found


def test_the_page_has_one_example_per_framework() -> None:
    assert list(examples()) == ["Lightning", "Hugging Face Trainer", "Keras"]


@pytest.mark.parametrize("heading", ["Lightning", "Hugging Face Trainer", "Keras"])
def test_the_example_runs_and_records_a_run(tmp_path: Path, heading: str) -> None:
    root = tmp_path / "storage"
    env = {
        **os.environ,
        "RUNICORN_DIR": str(root),
        "PYTHONPATH": str(REPO),
        "HF_HUB_OFFLINE": "1",
        "KERAS_BACKEND": "torch",
        "PYTHONWARNINGS": "ignore",
    }
    out = subprocess.run(
        [sys.executable, "-c", examples()[heading]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-4000:]
    runs = list(root.glob(f"*/*/{fmt.RUNS_DIR}/*"))
    assert len(runs) == 1, runs
    assert fmt.read_json(runs[0] / fmt.STATUS_FILE)["status"] == "finished"
    lines, _ = fmt.split_complete_lines((runs[0] / fmt.EVENTS_FILE).read_bytes())
    assert any(fmt.decode_event(line)["type"] == fmt.METRICS for line in lines)
