"""A run's alerts (``rn.alert``): the ``alert`` records of ``events.jsonl``, for the viewer.

:class:`AlertLog` reads a run's events file on from where it stopped, through the one opener of
:mod:`runicorn.store.run_files`, and decodes only the lines that name the kind (a ``bytes.find``
skips the metric lines), so asking again for a long run's alerts reads only what was appended.
A file that shrank was replaced: it is read again from the start.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.store.run_files import open_run_file

MAX_ALERTS = 1000  # per run, the latest kept
READ_BYTES = 16 * 1024 * 1024  # read at a time
_MARK = b'"' + fmt.ALERT.encode() + b'"'


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


def alerts_in(data: bytes) -> list[dict[str, Any]]:
    """The alerts in ``data`` (whole lines)."""
    out: list[dict[str, Any]] = []
    pos = data.find(_MARK)
    while pos >= 0:
        start = data.rfind(b"\n", 0, pos) + 1
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end
        record = fmt.decode_event(data[start:end])
        alert = alert_from(record) if record is not None else None
        if alert is not None:
            out.append(alert)
        pos = data.find(_MARK, end)
    return out


class AlertLog:
    """The alerts of one run folder, kept up to date by :meth:`read`."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.offset = 0
        self.alerts: list[dict[str, Any]] = []

    def read(self) -> list[dict[str, Any]]:
        """Every alert so far (the latest :data:`MAX_ALERTS`), oldest first."""
        try:
            with open_run_file(self.run_dir, fmt.EVENTS_FILE) as f:
                size = os.fstat(f.fileno()).st_size
                if size < self.offset:  # replaced or truncated
                    self.offset, self.alerts = 0, []
                f.seek(self.offset)
                while self.offset < size:
                    data = f.read(min(READ_BYTES, size - self.offset))
                    whole = data.rfind(b"\n") + 1
                    if whole == 0:
                        if len(data) < READ_BYTES:
                            break  # a line still being written
                        whole = len(data)  # one huge line: no alert is that long; skip it
                    self.alerts.extend(alerts_in(data[:whole]))
                    self.offset += whole
                    f.seek(self.offset)
        except OSError:  # no events yet, or refused (a link leading out of the run folder)
            return list(self.alerts)
        del self.alerts[:-MAX_ALERTS]
        return list(self.alerts)


class AlertLogs:
    """One :class:`AlertLog` per run folder asked about, the most recent ``max_runs`` kept."""

    def __init__(self, max_runs: int = 64) -> None:
        self.max_runs = max_runs
        self._logs: OrderedDict[Path, AlertLog] = OrderedDict()
        self._lock = threading.Lock()

    def read(self, run_dir: Path) -> list[dict[str, Any]]:
        with self._lock:
            log = self._logs.pop(run_dir, None) or AlertLog(run_dir)
            self._logs[run_dir] = log
            while len(self._logs) > self.max_runs:
                self._logs.popitem(last=False)
            return log.read()
