"""A run's alerts (``rn.alert``): the ``alert`` records of ``events.jsonl``, for the viewer,
read incrementally by :class:`~runicorn.store.records.record_log.RecordLogs`."""

from __future__ import annotations

from typing import Any

from runicorn import format as fmt
from runicorn.store.records.record_log import RecordLogs

MAX_ALERTS = 1000  # per run, the latest kept


def alert_from(record: dict[str, Any]) -> dict[str, Any] | None:
    """``{ts, step, title, text, level}`` of an ``alert`` record, or None for another kind or a
    record whose fields are not of their types."""
    data = record.get("data")
    if record.get("type") != fmt.ALERT or not isinstance(data, dict):
        return None
    title, text, level, step = data.get("title"), data.get("text", ""), data.get("level"), data.get("step")
    if not isinstance(title, str) or not isinstance(text, str):
        return None
    ts = record.get("ts")
    return {
        "ts": ts if isinstance(ts, (int, float)) and not isinstance(ts, bool) else None,
        "step": step if isinstance(step, int) and not isinstance(step, bool) else None,
        "title": title,
        "text": text,
        "level": level if level in fmt.ALERT_LEVELS else "info",
    }


def alert_logs(max_runs: int = 64) -> RecordLogs:
    """The alerts of each run folder asked about (the latest :data:`MAX_ALERTS` per run)."""
    return RecordLogs(fmt.ALERT, alert_from, MAX_ALERTS, max_runs)
