"""The histogram, table, audio, video and HTML records of a run, read apart from its metrics.

The metric columns (:mod:`runicorn.store.metrics.series`) skip these kinds. This reader finds their lines
in ``events.jsonl`` by a byte search for their ``"type"`` (no decoding of the metric lines around
them) and keeps their ``data`` in memory, read on by byte offset through a
:class:`~runicorn.store.follower.Follower` like the metrics: a live run's new records are picked up
by reading only what was appended. A replaced or truncated file is read again from the start.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.store.lru import LRU
from runicorn.store.records.followed_events import FollowedEvents

_KIND_PATTERN = re.compile(
    rb'"type"\s*:\s*"(' + b"|".join(k.encode() for k in fmt.EXTRA_MEDIA_KINDS) + rb')"'
)


class MediaRecords(FollowedEvents):
    """The records of the kinds in :data:`runicorn.format.EXTRA_MEDIA_KINDS` of one run, by kind,
    in file order (each record's ``data`` with its ``ts``). Thread-safe."""

    def _reset(self) -> None:
        self.by_kind: dict[str, list[dict[str, Any]]] = {kind: [] for kind in fmt.EXTRA_MEDIA_KINDS}
        self.malformed = 0

    def of(self, kind: str) -> list[dict[str, Any]]:
        """The records of ``kind`` read so far (call :meth:`update` first)."""
        return self.by_kind[kind]

    def _take_lines(self, data: bytes) -> None:
        """Decode the lines of ``data`` (whole lines) that hold a record of a kind kept here."""
        line_end = -1
        for match in _KIND_PATTERN.finditer(data):
            if match.start() < line_end:
                continue  # a second match on a line already taken
            start = data.rfind(b"\n", 0, match.start()) + 1
            line_end = data.find(b"\n", match.end())
            record = fmt.decode_event(data[start:line_end])
            kind = record.get("type") if record is not None else None
            if record is None or kind not in self.by_kind:
                self.malformed += record is None
                continue
            item = dict(record["data"])
            item.setdefault("ts", record.get("ts"))
            self.by_kind[kind].append(item)


class MediaRecordsCache:
    """At most ``max_runs`` :class:`MediaRecords`, least recently used dropped first."""

    def __init__(self, max_runs: int = 64) -> None:
        self.max_runs = max_runs
        self._runs: LRU[Path, MediaRecords] = LRU(max_runs)

    def get(self, run_dir: Path) -> MediaRecords:
        """The run's records, brought up to date with its events file."""
        run_dir = Path(run_dir)
        records = self._runs.get_or_add(run_dir, lambda: MediaRecords(run_dir))
        records.update()
        return records


def histograms(records: list[dict[str, Any]], max_steps: int) -> dict[str, Any]:
    """Histogram records by key: ``{"keys": {key: {"steps", "edges", "counts", "total"}}}``, each
    key's steps in order, at most ``max_steps`` of them (evenly picked, the last one kept)."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        key, step = record.get("key"), record.get("step")
        edges, counts = record.get("edges"), record.get("counts")
        if (
            not isinstance(key, str)
            or not isinstance(step, int)
            or not isinstance(edges, list)
            or not isinstance(counts, list)
            or len(edges) != len(counts) + 1
            or not 0 < len(counts) <= fmt.MAX_HISTOGRAM_BINS
        ):
            continue
        by_key.setdefault(key, []).append(record)
    out: dict[str, Any] = {}
    for key, items in by_key.items():
        items.sort(key=lambda r: r["step"])
        picked = _evenly(items, max_steps)
        out[key] = {
            "steps": [r["step"] for r in picked],
            "edges": [r["edges"] for r in picked],
            "counts": [r["counts"] for r in picked],
            "total": len(items),
        }
    return {"keys": out}


def _evenly(items: list[Any], n: int) -> list[Any]:
    if len(items) <= n:
        return items
    if n <= 1:
        return items[-1:]
    last = len(items) - 1
    return [items[round(i * last / (n - 1))] for i in range(n)]
