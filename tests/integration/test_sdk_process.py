"""The SDK inside real training processes: crashes, signals, concurrency, import weight."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from runicorn import format as fmt

REPO = Path(__file__).resolve().parents[2]


def python(code: str, root: Path, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "RUNICORN_DIR": str(root), "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def only_run(root: Path) -> Path:
    runs = list(root.glob(f"*/*/{fmt.RUNS_DIR}/*"))
    assert len(runs) == 1, runs
    return runs[0]


def steps_on_disk(run: Path) -> list[int]:
    lines, _ = fmt.split_complete_lines((run / fmt.EVENTS_FILE).read_bytes())
    return [fmt.decode_event(line)["data"][fmt.STEP_KEY] for line in lines]


def test_kill_9_loses_at_most_the_last_second(tmp_path: Path) -> None:
    proc = python(
        """
        import time, runicorn as rn
        rn.init(project="p", name="n", capture_console=False, system_metrics=False)
        step = 0
        while True:
            step += 1
            rn.log({"loss": 1.0 / step}, step=step)
            if step % 100 == 0:
                print(step, flush=True)
                time.sleep(0.01)
    """,
        tmp_path,
    )
    deadline = time.time() + 20
    reported = 0
    while time.time() < deadline and reported < 3000:
        reported = int(proc.stdout.readline() or 0)
    time.sleep(1.2)  # one flush interval and more: everything logged by now was written
    last_printed_before_kill = reported
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    run = only_run(tmp_path)
    steps = steps_on_disk(run)  # every line parses: no torn file
    assert steps == list(range(1, len(steps) + 1))
    assert len(steps) >= last_printed_before_kill
    assert fmt.read_json(run / fmt.STATUS_FILE)["status"] == fmt.RUNNING  # a reader derives crashed


def test_uncaught_exception_marks_failed_and_saves_the_traceback(tmp_path: Path) -> None:
    proc = python(
        """
        import runicorn as rn
        rn.init(project="p", name="n", capture_console=True, system_metrics=False)
        rn.log({"a": 1.0})
        print("about to fail")
        raise RuntimeError("diverged at step 1")
    """,
        tmp_path,
    )
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 1 and "diverged at step 1" in err  # the user still sees the traceback
    run = only_run(tmp_path)
    status = fmt.read_json(run / fmt.STATUS_FILE)
    assert status["status"] == fmt.FAILED and "RuntimeError: diverged at step 1" in status["error"]
    assert "line 6, in <module>" in (run / fmt.TRACEBACK_FILE).read_text()
    assert "about to fail" in (run / fmt.LOGS_FILE).read_text()
    assert steps_on_disk(run) == [1]


def test_sigterm_marks_interrupted_and_writes_everything(tmp_path: Path) -> None:
    proc = python(
        """
        import time, runicorn as rn
        rn.init(project="p", name="n", capture_console=False, system_metrics=False)
        for step in range(1, 501):
            rn.log({"a": float(step)})
        print("ready", flush=True)
        time.sleep(60)
    """,
        tmp_path,
    )
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=10)
    run = only_run(tmp_path)
    assert fmt.read_json(run / fmt.STATUS_FILE)["status"] == fmt.INTERRUPTED
    assert steps_on_disk(run) == list(range(1, 501))


def test_script_that_forgets_finish_is_finished_at_exit(tmp_path: Path) -> None:
    proc = python(
        """
        import runicorn as rn
        rn.init(project="p", name="n", capture_console=False, system_metrics=False)
        for step in range(100):
            rn.log({"a": 1.0})
    """,
        tmp_path,
    )
    proc.communicate(timeout=30)
    run = only_run(tmp_path)
    assert fmt.read_json(run / fmt.STATUS_FILE)["status"] == fmt.FINISHED
    assert len(steps_on_disk(run)) == 100


def test_sixteen_processes_starting_at_once_make_sixteen_complete_runs(tmp_path: Path) -> None:
    code = """
        import runicorn as rn
        run = rn.init(project="p", name="n", capture_console=False, system_metrics=False)
        for step in range(200):
            rn.log({"a": float(step)})
        rn.finish()
    """
    procs = [python(code, tmp_path) for _ in range(16)]
    for proc in procs:
        proc.communicate(timeout=60)
        assert proc.returncode == 0
    runs = list(tmp_path.glob(f"p/n/{fmt.RUNS_DIR}/*"))
    assert len(runs) == 16 and len({r.name for r in runs}) == 16
    for run in runs:
        assert fmt.read_json(run / fmt.STATUS_FILE)["status"] == fmt.FINISHED
        assert len(steps_on_disk(run)) == 200


@pytest.mark.parametrize("module", ["runicorn", "runicorn.wandb"])
def test_import_runicorn_stays_light(module: str) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys, {module}; print(sorted(m for m in ('fastapi', 'uvicorn', 'paramiko', 'starlette', "
            "'runicorn.viewer', 'runicorn.store', 'runicorn.notify', 'smtplib', 'fsspec', 's3fs', "
            "'botocore', 'runicorn.sync', 'runicorn.sweep', 'runicorn.codec', 'runicorn.agent') "
            "if m in sys.modules))",
        ],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"


def ended(code: str, root: Path) -> tuple[subprocess.Popen, str, dict]:
    proc = python(code, root)
    _, err = proc.communicate(timeout=30)
    run = only_run(root)
    return proc, err, fmt.read_json(run / fmt.STATUS_FILE)


def test_sys_exit_with_an_error_code_marks_failed_with_that_code(tmp_path: Path) -> None:
    proc, _, status = ended(
        """
        import sys, runicorn as rn
        rn.init(project="p", name="n", capture_console=False, system_metrics=False)
        rn.log({"a": 1.0})
        sys.exit(3)
    """,
        tmp_path,
    )
    assert proc.returncode == 3
    assert status["status"] == fmt.FAILED and status[fmt.EXIT_CODE_KEY] == 3


def test_sys_exit_zero_and_a_normal_end_are_finished_with_code_zero(tmp_path: Path) -> None:
    for end in ("sys.exit(0)", "pass"):
        root = tmp_path / end.replace("(", "_").replace(")", "")
        proc, _, status = ended(
            f"""
            import sys, runicorn as rn
            rn.init(project="p", name="n", capture_console=False, system_metrics=False)
            {end}
        """,
            root,
        )
        assert proc.returncode == 0
        assert status["status"] == fmt.FINISHED and status[fmt.EXIT_CODE_KEY] == 0, end


def test_an_uncaught_exception_records_exit_code_one_and_the_traceback(tmp_path: Path) -> None:
    proc, err, status = ended(
        """
        import runicorn as rn
        rn.init(project="p", name="n", capture_console=False, system_metrics=False)
        raise ValueError("bad batch")
    """,
        tmp_path,
    )
    assert proc.returncode == 1 and "ValueError: bad batch" in err
    assert status["status"] == fmt.FAILED and status[fmt.EXIT_CODE_KEY] == 1
    assert "ValueError: bad batch" in (only_run(tmp_path) / fmt.TRACEBACK_FILE).read_text()


def test_an_exception_leaving_the_run_block_records_exit_code_1(tmp_path: Path) -> None:
    proc, err, status = ended(
        """
        import runicorn as rn
        with rn.init(project="p", name="n", capture_console=False, system_metrics=False):
            raise ValueError("bad batch")
    """,
        tmp_path,
    )
    assert proc.returncode == 1 and "ValueError: bad batch" in err
    assert status["status"] == fmt.FAILED and status[fmt.EXIT_CODE_KEY] == 1
    assert "ValueError: bad batch" in (only_run(tmp_path) / fmt.TRACEBACK_FILE).read_text()


def test_system_exit_inside_the_run_block_records_its_code(tmp_path: Path) -> None:
    proc, _, status = ended(
        """
        import runicorn as rn
        with rn.init(project="p", name="n", capture_console=False, system_metrics=False):
            raise SystemExit(4)
    """,
        tmp_path,
    )
    assert proc.returncode == 4
    assert status["status"] == fmt.FAILED and status[fmt.EXIT_CODE_KEY] == 4
    assert not (only_run(tmp_path) / fmt.TRACEBACK_FILE).exists()


def test_a_second_process_attaching_to_a_live_run_is_refused(tmp_path: Path) -> None:
    holder = python(
        """
        import sys, runicorn as rn
        run = rn.init(project="p", name="n", run_id="shared", capture_console=False, system_metrics=False)
        rn.log({"a": 1.0})
        print("ready", flush=True)
        sys.stdin.readline()
        rn.log({"a": 2.0})
    """,
        tmp_path,
        stdin=subprocess.PIPE,
    )
    assert holder.stdout.readline().strip() == "ready"
    second = python(
        """
        import runicorn as rn
        rn.init(project="p", name="n", run_id="shared", capture_console=False, system_metrics=False)
        rn.log({"a": 99.0})
    """,
        tmp_path,
    )
    _, err = second.communicate(timeout=30)
    assert second.returncode == 1 and "is being written by" in err and f"{holder.pid}@" in err
    holder.communicate("go\n", timeout=30)
    run = only_run(tmp_path)
    assert steps_on_disk(run) == [1, 2]  # nothing of the refused process in between
    assert fmt.read_json(run / fmt.STATUS_FILE)["status"] == fmt.FINISHED
