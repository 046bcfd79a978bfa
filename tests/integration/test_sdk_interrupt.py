"""Ctrl-C in a real training process: the run is recorded ``interrupted`` with exit code 130, and
the process still dies by SIGINT, as it would without Runicorn, so that a shell loop running one
script after another stops at the first."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from runicorn import format as fmt

REPO = Path(__file__).resolve().parents[2]

# A training script: starts a run (console capture and the system sampler on, as by default),
# has lines written, says "ready", then trains until Ctrl-C. argv[1] says how it holds the run.
SCRIPT = """
import sys, time
import runicorn as rn

def train(run):
    for step in range(100):
        rn.log({"loss": 1.0 / (step + 1)})
    run.flush()
    print("ready", flush=True)
    while True:
        time.sleep(0.01)

with open(sys.argv[2], "a") as started:
    started.write("started\\n")
how = sys.argv[1]
if how == "with":
    with rn.init(project="p", name="n") as run:
        train(run)
run = rn.init(project="p", name="n")
if how == "rich":  # a library that prints tracebacks its own way replaces sys.excepthook
    sys.excepthook = lambda kind, exc, tb: print("custom hook:", kind.__name__, file=sys.stderr)
train(run)
"""


def start(script: Path, root: Path, how: str, marker: Path, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "RUNICORN_DIR": str(root), "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, str(script), how, str(marker)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "train.py"
    path.write_text(textwrap.dedent(SCRIPT))
    return path


def only_run(root: Path) -> Path:
    (run,) = root.glob(f"*/*/{fmt.RUNS_DIR}/*")
    return run


@pytest.mark.parametrize("how", ["plain", "with", "rich"])
def test_ctrl_c_kills_the_process_by_sigint_and_records_interrupted_130(
    tmp_path: Path, script: Path, how: str
) -> None:
    proc = start(script, tmp_path / "root", how, tmp_path / "started")
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGINT, err  # killed by SIGINT, as Python without a run
    assert "KeyboardInterrupt" in err  # the user still sees it
    status = fmt.read_json(only_run(tmp_path / "root") / fmt.STATUS_FILE)
    assert status["status"] == fmt.INTERRUPTED and status["exit_code"] == 130


def test_a_shell_loop_of_training_scripts_stops_at_ctrl_c(tmp_path: Path, script: Path) -> None:
    """``for s in 1 2; do python train.py; done``: Ctrl-C reaches the shell and the script (the
    terminal's foreground process group); the shell goes on only when the script handled it."""
    marker, root = tmp_path / "started", tmp_path / "root"
    env = {**os.environ, "RUNICORN_DIR": str(root), "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    loop = f"for i in 1 2; do '{sys.executable}' '{script}' plain '{marker}'; done"
    shell = subprocess.Popen(
        ["bash", "-c", loop],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert shell.stdout.readline().strip() == "ready"
        os.killpg(shell.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        shell.communicate(timeout=30)
    finally:
        if shell.poll() is None:
            os.killpg(shell.pid, signal.SIGKILL)
            shell.wait()
    assert marker.read_text().split() == ["started"]  # the second script never started
    assert shell.returncode == -signal.SIGINT
    status = fmt.read_json(only_run(root) / fmt.STATUS_FILE)
    assert status["status"] == fmt.INTERRUPTED and status["exit_code"] == 130


def test_a_script_that_catches_ctrl_c_and_goes_on_ends_normally(tmp_path: Path) -> None:
    code = """
        import time, runicorn as rn
        rn.init(project="p", name="n", capture_console=False, system_metrics=False)
        rn.log({"loss": 1.0})
        try:
            print("ready", flush=True)
            while True:
                time.sleep(0.01)
        except KeyboardInterrupt:
            rn.log({"test_acc": 0.9})  # stopped early, evaluated anyway
    """
    env = {**os.environ, "RUNICORN_DIR": str(tmp_path), "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)
    assert proc.returncode == 0
    run = only_run(tmp_path)
    status = fmt.read_json(run / fmt.STATUS_FILE)
    assert status["status"] == fmt.FINISHED and status["exit_code"] == 0
    assert b'"test_acc":0.9' in (run / fmt.EVENTS_FILE).read_bytes()
