"""A run's records of one small kind (``alert``, ``checkpoint``) from ``events.jsonl``, read on
from where the last read stopped, for the viewer.

:class:`RecordLog` reads a run's events file through the one opener of
:mod:`runicorn.files` and decodes only the lines that name the kind (a ``bytes.find``
skips the metric lines), following the file with a :class:`~runicorn.store.follower.Follower`:
asking again for a long run's records reads only what was appended, and a file replaced or
shorter than what was read is read again from the start. Each kind brings its own
``parse`` (record -> the API's fields, or None for a record whose fields are not of their types).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.files import open_run_file
from runicorn.store.follower import Follower, Look
from runicorn.store.lru import LRU

READ_BYTES = 16 * 1024 * 1024  # read at a time
Parse = Callable[[dict[str, Any]], "dict[str, Any] | None"]


def records_in(data: bytes, kind: str, parse: Parse) -> list[dict[str, Any]]:
    """The records of ``kind`` in ``data`` (whole lines), each through ``parse``."""
    mark = b'"' + kind.encode() + b'"'
    out: list[dict[str, Any]] = []
    pos = data.find(mark)
    while pos >= 0:
        start = data.rfind(b"\n", 0, pos) + 1
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end
        record = fmt.decode_event(data[start:end])
        parsed = parse(record) if record is not None else None
        if parsed is not None:
            out.append(parsed)
        pos = data.find(mark, end)
    return out


class RecordLog:
    """The records of one kind in one run folder, kept up to date by :meth:`read`."""

    def __init__(self, run_dir: Path, kind: str, parse: Parse, max_records: int) -> None:
        self.run_dir = run_dir
        self.kind = kind
        self.parse = parse
        self.max_records = max_records
        self.records: list[dict[str, Any]] = []
        self._follower = Follower()

    @property
    def offset(self) -> int:
        """Bytes of ``events.jsonl`` read (complete lines only)."""
        return self._follower.offset

    def read(self) -> list[dict[str, Any]]:
        """Every record so far (the latest ``max_records``), oldest first."""
        try:
            with open_run_file(self.run_dir, fmt.EVENTS_FILE) as f:
                st = os.fstat(f.fileno())
                look = self._follower.look(st)
                if look is Look.RESTARTED:  # replaced or truncated
                    self.records = []
                if look is not Look.SAME:
                    for lines in self._follower.whole_lines(f, st.st_size, READ_BYTES):
                        self.records.extend(records_in(lines, self.kind, self.parse))
        except OSError:  # no events yet, or refused (a link leading out of the run folder)
            self._follower.interrupted()
            return list(self.records)
        del self.records[: -self.max_records]
        return list(self.records)


class RecordLogs:
    """One :class:`RecordLog` of ``kind`` per run folder asked about, the most recent
    ``max_runs`` kept."""

    def __init__(self, kind: str, parse: Parse, max_records: int, max_runs: int = 64) -> None:
        self.kind = kind
        self.parse = parse
        self.max_records = max_records
        self.max_runs = max_runs
        self._logs: LRU[Path, RecordLog] = LRU(max_runs)
        self._lock = threading.Lock()

    def read(self, run_dir: Path) -> list[dict[str, Any]]:
        with self._lock:
            log = self._logs.get_or_add(
                run_dir, lambda: RecordLog(run_dir, self.kind, self.parse, self.max_records)
            )
            return log.read()
