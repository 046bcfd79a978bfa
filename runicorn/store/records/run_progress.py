"""How far a run has come, in a few fields: for a job's answer (``GET /api/jobs/{id}``) and the
viewer's run page (its checkpoints).

:func:`run_progress` reads the run's ``status.json``, the latest value of each metric from the
end of ``events.jsonl``, its ``checkpoint`` records and the last lines of ``logs.txt``, through
the one opener of :mod:`runicorn.files` (links out of the run folder are refused).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.files import open_run_file, read_run_json
from runicorn.store.records.record_log import RecordLogs

TAIL_BYTES = 256 * 1024  # read from the end of events.jsonl for the latest metrics
LAST_LOG_LINES = 20
MAX_CHECKPOINTS = 1000  # per run, the latest kept


def _tail(run_dir: Path, name: str, max_bytes: int) -> bytes:
    try:
        with open_run_file(run_dir, name) as f:
            size = os.fstat(f.fileno()).st_size
            start = max(0, size - max_bytes)
            f.seek(start)
            data = f.read(size - start)
    except OSError:
        return b""
    if start > 0:  # the first line is cut
        data = data[data.find(b"\n") + 1 :]
    return data


def latest_metrics(run_dir: Path) -> tuple[dict[str, float], int | None]:
    """({metric: latest value}, latest step) from the end of the run's events."""
    values: dict[str, float] = {}
    step: int | None = None
    for line in reversed(_tail(run_dir, fmt.EVENTS_FILE, TAIL_BYTES).splitlines()):
        record = fmt.decode_event(line)
        if record is None or record.get("type") != fmt.METRICS:
            continue
        data = record.get("data") or {}
        if step is None and isinstance(data.get(fmt.STEP_KEY), int):
            step = data[fmt.STEP_KEY]
        for key, value in fmt.metric_items(record).items():
            values.setdefault(key, value)
    return values, step


def checkpoint_from(record: dict[str, Any]) -> dict[str, Any] | None:
    """``{ts, path, step}`` of a ``checkpoint`` record, or None for another kind or bad fields."""
    data = record.get("data")
    if record.get("type") != fmt.CHECKPOINT or not isinstance(data, dict):
        return None
    path, step, ts = data.get("path"), data.get("step"), record.get("ts")
    if not isinstance(path, str) or not path:
        return None
    return {
        "ts": ts if isinstance(ts, (int, float)) and not isinstance(ts, bool) else None,
        "path": path,
        "step": step if isinstance(step, int) and not isinstance(step, bool) else None,
    }


def checkpoint_logs(max_runs: int = 64) -> RecordLogs:
    """The checkpoints of each run folder asked about, read on from where the last read stopped
    (the viewer's run page)."""
    return RecordLogs(fmt.CHECKPOINT, checkpoint_from, MAX_CHECKPOINTS, max_runs)


def last_log_lines(run_dir: Path, count: int = LAST_LOG_LINES) -> list[str]:
    data = _tail(run_dir, fmt.LOGS_FILE, 64 * 1024)
    lines = data.decode("utf-8", "replace").splitlines()
    return lines[-count:]


def run_progress(run_dir: Path, checkpoints: RecordLogs) -> dict[str, Any]:
    """``{status, step, metrics, checkpoints, last_log_lines}`` of the run at ``run_dir`` (all
    empty for a run not started yet). ``checkpoints``: the caller's :func:`checkpoint_logs`, which
    reads each run's events on from where it stopped (a job page polled every few seconds)."""
    status = read_run_json(run_dir, fmt.STATUS_FILE) or {}
    metrics, step = latest_metrics(run_dir)
    return {
        "run_status": status.get(fmt.STATUS_KEY),
        "step": step,
        "metrics": metrics,
        "checkpoints": checkpoints.read(run_dir),
        "last_log_lines": last_log_lines(run_dir),
    }
