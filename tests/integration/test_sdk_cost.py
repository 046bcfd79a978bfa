"""What the SDK costs a training process: memory in a tight loop, what finish() imports, the
first system sample."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from runicorn import format as fmt

REPO = Path(__file__).resolve().parents[2]


def run_script(code: str, root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RUNICORN_DIR": str(root), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, timeout=55
    )
    assert done.returncode == 0, done.stderr
    return done


def only_run(root: Path) -> Path:
    runs = list(root.glob(f"*/*/{fmt.RUNS_DIR}/*"))
    assert len(runs) == 1, runs
    return runs[0]


@pytest.fixture
def memory_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder in memory (tmpfs) where there is one: the test is about the SDK's queue, not
    about a disk shared with other work that may stall writes for seconds (that case is capped
    by max_pending_bytes, see tests/unit/sdk/test_writer.py)."""
    if not os.path.isdir("/dev/shm"):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="runicorn-test-", dir="/dev/shm"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_million_logs_in_a_tight_loop_keep_memory_bounded_and_lose_nothing(memory_folder: Path) -> None:
    tmp_path = memory_folder
    done = run_script(
        """
        import resource
        import runicorn as rn
        run = rn.init(project="p", name="n", capture_console=False, system_metrics=False)
        log = run.log
        for _ in range(1_000_000):
            log({"loss": 0.5, "acc": 0.8, "lr": 1e-3, "grad_norm": 1.5})
        run.finish()
        try:  # this program's own peak: ru_maxrss would also count the forked test process's
            with open("/proc/self/status") as status:
                print([line.split()[1] for line in status if line.startswith("VmHWM:")][0])  # KiB
        except OSError:
            print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux
        """,
        tmp_path,
    )
    peak_mb = int(done.stdout.split()[-1]) / 1024
    assert peak_mb < 300, f"peak RSS {peak_mb:.0f} MB"
    run = only_run(tmp_path)
    with open(run / fmt.EVENTS_FILE, "rb") as f:
        assert sum(1 for _ in f) == 1_000_000
    assert "lost_events" not in fmt.read_json(run / fmt.STATUS_FILE)


def test_finish_frames_the_tail_without_loading_the_viewers_store(tmp_path: Path) -> None:
    done = run_script(
        """
        import sys
        import runicorn as rn
        run = rn.init(project="p", name="n", capture_console=False, system_metrics=False)
        for _ in range(20_000):  # a few frames' worth, framed by finish()
            run.log({"loss": 0.5, "acc": 0.8})
        run.finish()
        heavy = ("multiprocessing", "concurrent.futures", "runicorn.store", "runicorn.viewer")
        print(sorted(m for m in heavy if m in sys.modules))
        """,
        tmp_path,
    )
    assert done.stdout.strip() == "[]"
    assert (only_run(tmp_path) / fmt.COLUMNS_FILE).stat().st_size > 0  # it did frame
