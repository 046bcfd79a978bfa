"""Summary by default over real parts (docs/sdk.md#summary): runs that never call rn.summary (the
SDK, ``runicorn run``, a process killed with SIGKILL, JSONL written by hand) show each metric's
last value in /api/runs, as /api/runs/table columns and in queries."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx

import runicorn as rn
from runicorn import format as fmt

REPO = Path(__file__).resolve().parents[2]


def env(storage: Path) -> dict[str, str]:
    return {**os.environ, "RUNICORN_DIR": str(storage), "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}


def runs_answer(base: str, **params: str) -> dict:
    answer = httpx.get(base + "/api/runs", params=params, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_runs_that_never_set_a_summary_have_one_in_the_api_tables_and_queries(
    storage_root: Path, live_viewer
) -> None:
    run = rn.init(project="p", name="sdk", storage=storage_root, capture_console=False, system_metrics=False)
    for step in range(3):
        run.log({"val": {"acc": 0.3 * step}, "layer0/m0": step - 1.0})
    run.finish()
    folder = fmt.run_dir(storage_root, "p", "hand", "20260101_000000_aaaaaa")
    folder.mkdir(parents=True)
    lines = [{"ts": 1.0, "type": "metrics", "data": {"val/acc": 0.7, "layer0/m0": -3.0, "global_step": 1}}]
    (folder / fmt.EVENTS_FILE).write_text("".join(json.dumps(line) + "\n" for line in lines))
    (folder / fmt.STATUS_FILE).write_text('{"status": "finished"}')  # no meta.json, no summary.json
    base = live_viewer(storage_root)

    by_id = {r["id"]: r for r in runs_answer(base)["runs"]}
    assert by_id[run.id]["summary"] == {"val/acc": 0.6, "layer0/m0": 1.0}
    assert by_id["20260101_000000_aaaaaa"]["summary"] == {"val/acc": 0.7, "layer0/m0": -3.0}
    assert [r["id"] for r in runs_answer(base, q="summary.layer0/m0 > 0")["runs"]] == [run.id]
    table = httpx.get(
        base + "/api/runs/table", params={"columns": "summary.val/acc", "sort": "summary.val/acc"}
    )
    assert table.json()["columns"]["summary.val/acc"] == [0.7, 0.6]
    columns = {c["name"] for c in httpx.get(base + "/api/runs/columns").json()["columns"]}
    assert {"summary.val/acc", "summary.layer0/m0"} <= columns and not any("_runicorn" in c for c in columns)
    assert not (folder / fmt.SUMMARY_FILE).exists()  # the viewer never writes into runs


def test_a_runicorn_run_script_without_rn_summary_has_its_last_values(tmp_path: Path) -> None:
    train = tmp_path / "train.py"
    train.write_text(
        "import runicorn as rn\nrn.init()\nfor s in range(1, 4):\n    rn.log({'loss': 1.0 / s})\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "runicorn.cli", "run", sys.executable, str(train)],
        cwd=tmp_path,
        env=env(tmp_path / "storage"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    (run,) = (tmp_path / "storage").glob(f"*/*/{fmt.RUNS_DIR}/*")
    values, note = fmt.split_summary(fmt.read_json(run / fmt.SUMMARY_FILE) or {})
    assert values == {"loss": 1.0 / 3} and note is not None and note["last_values"] is True


def test_a_run_killed_without_finish_keeps_its_summaries(storage_root: Path) -> None:
    code = textwrap.dedent(
        """
        import sys, time
        import runicorn as rn
        import runicorn.format as fmt
        import runicorn.sdk.run as sdk_run
        fmt.HEARTBEAT_INTERVAL_S = 0.05  # the writer's tick, which rewrites summary.json
        sdk_run._SUMMARY_SAVE_S = 0.05
        run = rn.init(project="p", name="killed", capture_console=False, system_metrics=False)
        print(run.dir, flush=True)
        step = 0
        while True:
            step += 1
            run.log({"loss": 1.0 / step, "step_seen": step})
            time.sleep(0.001)
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", code], env=env(storage_root), stdout=subprocess.PIPE, text=True
    ) as child:
        try:
            assert child.stdout is not None
            run_dir = Path(child.stdout.readline().strip())
            deadline = time.monotonic() + 30
            values: dict = {}
            while time.monotonic() < deadline and values.get("step_seen", 0) < 20:
                values, _ = fmt.split_summary(fmt.read_json(run_dir / fmt.SUMMARY_FILE) or {})
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.kill()
            child.wait(10)
    values, note = fmt.split_summary(fmt.read_json(run_dir / fmt.SUMMARY_FILE) or {})
    assert note is not None and note["last_values"] is True
    assert values["step_seen"] >= 20 and values["loss"] == 1.0 / values["step_seen"]
