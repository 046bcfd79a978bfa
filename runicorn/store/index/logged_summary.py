"""Each metric's last logged value, read from a run's ``events.jsonl``: the summary of a run whose
``summary.json`` does not hold it (older versions, the PyPI package, imports, files written by
hand; see :mod:`runicorn.format.summary`).

Read only when a run's summary is asked for (the run list's page, a query or column naming
``summary.``), never by a scan, and read on from where the last read stopped: a
:class:`LoggedValues` remembers the file (device, inode) and the byte offset of its last complete
line, so a running run's growing file costs only its new lines. Lines are decoded a few MB at a
time as one JSON array (one ``orjson`` call); a stretch holding a broken line is decoded line by
line, skipping it. Values are the numbers the history keeps (:func:`runicorn.format.metric_items`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from runicorn import format as fmt
from runicorn.files import open_run_file
from runicorn.store.follower import Follower

__all__ = ["LoggedValues", "read_logged"]

READ_CHUNK_BYTES = 4 * 1024 * 1024
_RESERVED = fmt.RESERVED_METRIC_KEYS
_METRICS = fmt.METRICS


@dataclass(frozen=True)
class LoggedValues:
    """The last value of each metric in the first ``offset`` bytes of one events file. Never
    changed once made: a read on makes a new one (runs of the index share it)."""

    dev: int = -1
    ino: int = -1
    offset: int = 0
    values: dict[str, Any] = field(default_factory=dict)


def read_logged(run_dir: Path, before: LoggedValues | None = None) -> LoggedValues:
    """The run's logged last values now, read on from ``before`` when it is the same file (not
    replaced, not cut); an empty one when the file is missing."""
    try:
        f = open_run_file(run_dir, fmt.EVENTS_FILE)
    except OSError:
        return LoggedValues()
    with f:
        st = os.fstat(f.fileno())
        follower = Follower()
        values: dict[str, Any] = {}
        if (
            before is not None
            and (before.dev, before.ino) == (st.st_dev, st.st_ino)
            and st.st_size >= before.offset
        ):
            if st.st_size == before.offset:
                return before
            follower.offset = before.offset
            values = dict(before.values)
        for chunk in follower.whole_lines(f, st.st_size, READ_CHUNK_BYTES):
            _fold(chunk, values)
        return LoggedValues(st.st_dev, st.st_ino, follower.offset, values)


def _fold(chunk: bytes, values: dict[str, Any]) -> None:
    """Fold the metrics records of ``chunk`` (whole lines) into ``values``, in order."""
    try:
        records = orjson.loads(b"[" + chunk.rstrip(b"\n").replace(b"\n", b",") + b"]")
    except orjson.JSONDecodeError:  # a broken or blank line, or NaN tokens: line by line
        records = [fmt.decode_event(line) for line in chunk.splitlines()]
    for record in records:
        if record.__class__ is not dict or record.get("type") != _METRICS:
            continue
        data = record.get("data")
        if data.__class__ is not dict:
            continue
        for key, value in data.items():
            kind = value.__class__
            if (kind is float or kind is int) and key not in _RESERVED:
                values[key] = value
