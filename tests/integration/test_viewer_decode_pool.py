"""The viewer decodes the cold read of a long run in worker processes and stops them with itself."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import httpx
from viewer_server import ViewerThread

import runicorn as rn
from runicorn import format as fmt
from runicorn.files import write_json_atomic
from runicorn.store import RunSeries


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not status.exists() or "zombie" not in status.read_text()


def test_a_long_run_read_by_worker_processes_answers_as_one_thread(tmp_path: Path) -> None:
    root = tmp_path / "storage"
    run_dir = fmt.run_dir(root, "p", "long", "20260101_000000_abcdef")
    run_dir.mkdir(parents=True)
    write_json_atomic(run_dir / fmt.META_FILE, {"id": run_dir.name, "project": "p", "name": "long"})
    with open(run_dir / fmt.EVENTS_FILE, "wb") as f:
        for s in range(20_000):
            data = {"loss": 1 / (s + 1), "acc": s % 7, fmt.STEP_KEY: s, fmt.TIME_KEY: 1000.0 + s}
            if s % 1000 == 0:
                data["val_acc"] = 0.5
            f.write(fmt.encode_event(fmt.METRICS, data, 1000.0 + s))
            if s % 100 == 0:
                f.write(
                    fmt.encode_event(
                        fmt.SYSTEM, {fmt.SYSTEM_CPU_PERCENT: 10.0, fmt.TIME_KEY: 1000.0 + s}, 1.0
                    )
                )
    viewer = ViewerThread(root, web_dist=tmp_path / "no-web-dist")
    pool = viewer.app.state.reader.decode_pool
    pool.workers, pool.min_bytes, pool.piece_bytes = 2, 0, 100_000  # a small file, many pieces
    pool.caller_helps = False  # the workers decode every piece, however busy the machine is
    try:
        assert pool.start()
        pids = pool.worker_pids()
        answer = httpx.get(
            f"{viewer.base_url}/api/runs/{run_dir.name}/metrics?max_points=500", timeout=60
        ).json()
        assert pool.failed is None and pool.pieces_by_workers > 0
        serial = RunSeries(run_dir)
        serial.update()
        expected = serial.metrics(max_points=500)
        assert {k: answer[k] for k in expected} == expected
        assert pids and all(_alive(pid) for pid in pids)
    finally:
        viewer.stop()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in pids)  # stopped with the viewer
    assert not pool.usable


def test_a_long_sdk_run_is_served_from_its_frames_with_the_answers_of_its_lines(tmp_path: Path) -> None:
    """Over HTTP, as the browser asks: the run's events.columns is what the viewer reads (no
    JSON decoded, no worker started), and every answer equals that of the events alone."""
    root = tmp_path / "storage"
    run = rn.init(project="p", name="long", storage=root, capture_console=False, system_metrics=False)
    for i in range(30_000):
        values = {"train/loss": 1 / (i + 1), "train/acc": (i % 13) / 13}
        if i % 500 == 0:
            values["val/loss"] = 0.5
        run.log(values, stage="train" if i % 5000 else "eval")
    run.finish()
    plain = fmt.run_dir(root, "p", "plain", run.id[:-6] + "0abcde")
    plain.mkdir(parents=True)
    for name in (fmt.META_FILE, fmt.STATUS_FILE, fmt.EVENTS_FILE):
        shutil.copy(run.dir / name, plain / name)
    viewer = ViewerThread(root, web_dist=tmp_path / "no-web-dist")
    pool = viewer.app.state.reader.decode_pool
    pool.min_bytes = 0  # the JSON of the copy without frames goes to the worker processes
    try:
        answers = {}
        for key in (run.id, plain.name):
            url = f"{viewer.base_url}/api/runs/{key}/metrics"
            answers[key] = [
                httpx.get(url, params=params, timeout=60).json()
                for params in ({"max_points": 900}, {"x": "time", "max_points": 900})
            ]
            if key == run.id:
                assert pool.pieces_decoded == 0  # the framed run needed no decoding
        assert answers[run.id] == answers[plain.name]
        assert answers[run.id][0]["series"]["train/loss"]["count"] == 30_000
    finally:
        viewer.stop()
