"""Console capture in a real process: at the file-descriptor level, so child processes' output
reaches logs.txt too, once, while the terminal still shows everything."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from runicorn import format as fmt

REPO = Path(__file__).resolve().parents[2]


def python(code: str, root: Path) -> subprocess.Popen:
    env = {**os.environ, "RUNICORN_DIR": str(root), "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def only_run(root: Path) -> Path:
    runs = list(root.glob(f"*/*/{fmt.RUNS_DIR}/*"))
    assert len(runs) == 1, runs
    return runs[0]


def test_console_capture_catches_child_processes_once_and_the_terminal_still_sees_all(tmp_path: Path) -> None:
    script = python(
        """
        import os, subprocess
        import runicorn as rn
        rn.init(project="p", name="n", capture_console=True, system_metrics=False)
        print("py line")
        os.system("echo from-child")
        subprocess.run(["sh", "-c", "echo from-sub >&2"], check=True)
        rn.finish()
        print("after finish")
        """,
        tmp_path,
    )
    out, err = script.communicate(timeout=30)
    assert script.returncode == 0, err
    assert "py line" in out and "from-child" in out and "after finish" in out  # the terminal
    assert "from-sub" in err
    logged = (only_run(tmp_path) / fmt.LOGS_FILE).read_text().splitlines()
    texts = sorted(line.split("] ", 1)[1] for line in logged)
    assert texts == ["from-child", "from-sub", "py line"]
    assert all(line.startswith("[") and line[9:11] == "] " for line in logged)
