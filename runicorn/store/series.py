"""A run's metric history as columns in memory, filled incrementally from ``events.jsonl``.

:class:`RunSeries` reads the events file from the byte offset where it stopped last time (the
file's size, mtime and inode say whether anything changed) and appends to stdlib
``array('d')`` columns: one row per ``metrics`` record (step, time, byte offset where its line
ends) and, per metric key, the rows it appears in and its values. ``system`` records (CPU/GPU
samples) fill a second, separate set of columns; ``image`` records are kept as a list.

Decoding is done in bulk: groups of complete lines are parsed by one ``orjson.loads`` call, and
columns are pulled out with C-level ``map``; a group that holds a broken line (or NaN tokens,
which orjson rejects) falls back to line-by-line decoding, where bad lines are skipped and
counted in ``malformed``. A truncated last line waits until it is complete.

Queries (:meth:`RunSeries.metrics`) return each key downsampled on its own
(:mod:`runicorn.store.downsample`), stage spans for drawing separators, and the byte ``offset`` to
pass back as ``since`` to get only what was appended.
"""

from __future__ import annotations

import math
import os
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate, groupby
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import Any

import orjson

from runicorn import format as fmt
from runicorn.store.downsample import keep_indexes, nonfinite_indexes

READ_CHUNK_BYTES = 8 * 1024 * 1024
DECODE_GROUP_LINES = 4096
X_MODES = ("step", "time", "elapsed")
_NUMBER_TYPES = frozenset({int, float})
_get_data = itemgetter("data")
_get_type = methodcaller("get", "type")
_get_ts = methodcaller("get", "ts")
_get_data_or_none = methodcaller("get", "data")
_get_step = itemgetter(fmt.STEP_KEY)
_get_time = itemgetter(fmt.TIME_KEY)
_plus_one = (1).__add__


@dataclass
class Column:
    """One metric key: its values and the rows (of its ColumnSet) they belong to.

    While a key has a value in every row since it first appeared, its rows are implicit
    (``first_row + i``) and cost no memory; the first gap makes them explicit.
    """

    values: array = field(default_factory=lambda: array("d"))
    nonfinite: list[int] = field(default_factory=list)  # indexes into values holding NaN/Inf
    first_row: int = 0
    explicit_rows: array | None = None  # None while rows are first_row, first_row + 1, ...

    def row_of(self, i: int) -> int:
        return self.first_row + i if self.explicit_rows is None else self.explicit_rows[i]

    def index_of_row(self, row: int) -> int:
        """Index of the first value whose row is >= ``row``."""
        if self.explicit_rows is None:
            return min(len(self.values), max(0, row - self.first_row))
        return bisect_left(self.explicit_rows, row)

    def rows_slice(self, a: int, b: int) -> Sequence[int]:
        if self.explicit_rows is None:
            return range(self.first_row + a, self.first_row + min(b, len(self.values)))
        return self.explicit_rows[a:b]

    def extend(self, rows: Sequence[int], values: array) -> None:
        start = len(self.values)
        contiguous = isinstance(rows, range) and (start == 0 or rows.start == self.first_row + start)
        if start == 0 and isinstance(rows, range):
            self.first_row = rows.start
        elif not contiguous and self.explicit_rows is None:
            self.explicit_rows = array("q", range(self.first_row, self.first_row + start))
        if self.explicit_rows is not None:
            self.explicit_rows.extend(rows)
        self.values.extend(values)
        self.nonfinite.extend(nonfinite_indexes(values, start))


@dataclass
class StageSpan:
    """Rows ``first_row..last_row`` (inclusive) were logged with ``stage``."""

    stage: str
    first_row: int
    last_row: int


class ColumnSet:
    """Rows of one record kind (metrics or system), column by column."""

    def __init__(self) -> None:
        self.steps = array("d")
        self.times = array("d")
        self.ends = array("q")  # byte offset just after each row's line
        self.columns: dict[str, Column] = {}
        self.stage_spans: list[StageSpan] = []

    def __len__(self) -> int:
        return len(self.steps)

    def x_values(self, x: str) -> tuple[array, float]:
        """The x array for ``x`` (step, time or elapsed) and what to subtract from it."""
        if x == "step":
            return self.steps, 0.0
        if x == "time":
            return self.times, 0.0
        if x == "elapsed":
            return self.times, self.times[0] if len(self.times) else 0.0
        raise ValueError(f"unknown x {x!r}: use one of {', '.join(X_MODES)}")

    def append(self, datas: list[dict[str, Any]], records: list[dict[str, Any]], ends: list[int]) -> None:
        """Append rows: the records' ``data`` and the records (whose ``ts`` stands in for a
        missing ``data.time``)."""
        n = len(datas)
        if n == 0:
            return
        base = len(self.steps)
        self.steps.extend(self._steps_of(datas))
        self.times.extend(self._times_of(datas, records))
        self.ends.extend(ends)
        self._append_stages(datas, base)
        keys = set().union(*datas) - fmt.RESERVED_METRIC_KEYS
        for key in sorted(keys):
            self._append_column(key, datas, base)

    def _steps_of(self, datas: list[dict[str, Any]]) -> array:
        try:  # fast path: every row has a numeric step
            return array("d", map(_get_step, datas))
        except (KeyError, TypeError, OverflowError):
            pass
        steps = list(map(methodcaller("get", fmt.STEP_KEY), datas))
        prev = self.steps[-1] if len(self.steps) else 0.0
        out = array("d")
        for s in steps:
            prev = _as_float(s, prev + 1)
            out.append(prev)
        return out

    def _times_of(self, datas: list[dict[str, Any]], records: list[dict[str, Any]]) -> array:
        try:  # fast path: every row has a numeric time
            return array("d", map(_get_time, datas))
        except (KeyError, TypeError, OverflowError):
            pass
        times = list(map(methodcaller("get", fmt.TIME_KEY), datas))
        stamps = list(map(_get_ts, records))
        prev = self.times[-1] if len(self.times) else 0.0
        out = array("d")
        for t, ts in zip(times, stamps, strict=True):
            prev = _as_float(t, _as_float(ts, prev))
            out.append(prev)
        return out

    def _append_stages(self, datas: list[dict[str, Any]], base: int) -> None:
        stages = list(map(methodcaller("get", fmt.STAGE_KEY), datas))
        row = base
        runs: Any = [(stages[0], len(stages))] if stages.count(stages[0]) == len(stages) else None
        if runs is None:
            runs = ((stage, len(list(group))) for stage, group in groupby(stages))
        for stage, count in runs:
            if isinstance(stage, str) and stage:
                last = self.stage_spans[-1] if self.stage_spans else None
                if last is not None and last.stage == stage and last.last_row == row - 1:
                    last.last_row = row + count - 1
                else:
                    self.stage_spans.append(StageSpan(stage, row, row + count - 1))
            row += count

    def _append_column(self, key: str, datas: list[dict[str, Any]], base: int) -> None:
        new_rows: Sequence[int]
        try:  # fast path: every row has a number for this key
            new_values = array("d", map(itemgetter(key), datas))
            new_rows = range(base, base + len(datas))
        except (KeyError, TypeError, OverflowError):
            rows_list: list[int] = []
            new_values = array("d")
            for i, d in enumerate(datas):
                v = d.get(key)
                if type(v) in _NUMBER_TYPES or type(v) is bool:
                    try:
                        new_values.append(float(v))  # type: ignore[arg-type]
                    except OverflowError:
                        continue
                    rows_list.append(base + i)
            if not rows_list:
                return
            new_rows = rows_list
        col = self.columns.get(key)
        if col is None:
            col = self.columns[key] = Column()
        col.extend(new_rows, new_values)


def _as_float(value: Any, default: float) -> float:
    if type(value) in _NUMBER_TYPES:
        try:
            return float(value)
        except OverflowError:
            return default
    return default


class RunSeries:
    """The metric, system and image history of one run folder, read incrementally. Thread-safe."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        self.events_path = self.run_dir / fmt.EVENTS_FILE
        self._lock = threading.RLock()
        self._reset()

    def _reset(self) -> None:
        self.metric_rows = ColumnSet()
        self.system_rows = ColumnSet()
        self.images: list[dict[str, Any]] = []
        self.offset = 0  # bytes of events.jsonl consumed (complete lines only)
        self.malformed = 0  # lines skipped as not a valid record
        self._stamp: tuple[int, int, int] | None = None
        self._results: dict[tuple[Any, ...], dict[str, Any]] = {}

    # --- reading -------------------------------------------------------------------------------
    def update(self) -> bool:
        """Read what was appended since the last call; True when anything changed."""
        with self._lock:
            try:
                st = os.stat(self.events_path)
            except OSError:
                changed = self._stamp is not None
                if changed:
                    self._reset()
                return changed
            stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
            if stamp == self._stamp:
                return False
            if self._stamp is not None and (st.st_size < self.offset or st.st_ino != self._stamp[2]):
                self._reset()  # replaced or truncated: read again from the start
            self._stamp = stamp
            before = self.offset
            self._read_from_offset()
            if self.offset != before or before == 0:
                self._results.clear()
            return self.offset != before

    def _read_from_offset(self) -> None:
        try:
            f = open(self.events_path, "rb")
        except OSError:
            return
        with f:
            f.seek(self.offset)
            carry = b""
            while True:
                block = f.read(READ_CHUNK_BYTES)
                if not block:
                    break
                data = carry + block if carry else block
                end = data.rfind(b"\n")
                if end < 0:
                    carry = data
                    continue
                self._ingest(data[: end + 1], self.offset)
                self.offset += end + 1
                carry = data[end + 1 :]

    def _ingest(self, data: bytes, start: int) -> None:
        lines = data.split(b"\n")
        lines.pop()  # data ends with a newline
        ends = list(accumulate(map(_plus_one, map(len, lines)), initial=start))
        del ends[0]
        for g in range(0, len(lines), DECODE_GROUP_LINES):
            group = lines[g : g + DECODE_GROUP_LINES]
            group_ends = ends[g : g + DECODE_GROUP_LINES]
            records = _decode_bulk(group)
            if records is None:
                records, group_ends = self._decode_each(group, group_ends)
            self._dispatch(records, group_ends)

    def _decode_each(self, lines: list[bytes], ends: list[int]) -> tuple[list[dict[str, Any]], list[int]]:
        records: list[dict[str, Any]] = []
        kept_ends: list[int] = []
        for line, end in zip(lines, ends, strict=True):
            if not line.strip():
                continue
            record = fmt.decode_event(line)
            if record is None:
                self.malformed += 1
                continue
            records.append(record)
            kept_ends.append(end)
        return records, kept_ends

    def _dispatch(self, records: list[dict[str, Any]], ends: list[int]) -> None:
        types = list(map(_get_type, records))
        if types.count(fmt.METRICS) == len(types):
            self.metric_rows.append(list(map(_get_data, records)), records, ends)
            return
        for kind, group in groupby(zip(types, records, ends, strict=True), key=itemgetter(0)):
            items = list(group)
            if kind == fmt.METRICS or kind == fmt.SYSTEM:
                target = self.metric_rows if kind == fmt.METRICS else self.system_rows
                group_records = [r for _, r, _ in items]
                target.append(list(map(_get_data, group_records)), group_records, [e for _, _, e in items])
            elif kind == fmt.IMAGE:
                for _, record, _ in items:
                    image = dict(record["data"])
                    image.setdefault("ts", record.get("ts"))
                    self.images.append(image)
            # other kinds: written by a newer version; ignored, not malformed

    # --- queries -------------------------------------------------------------------------------
    def metric_keys(self) -> list[str]:
        with self._lock:
            return sorted(self.metric_rows.columns)

    def system_keys(self) -> list[str]:
        with self._lock:
            return sorted(self.system_rows.columns)

    def metrics(
        self,
        keys: list[str] | None = None,
        x: str = "step",
        max_points: int = 2000,
        since: int | None = None,
        system: bool = False,
    ) -> dict[str, Any]:
        """Downsampled series per key, stage spans, and ``offset`` for the next ``since``.

        ``keys`` None means all keys. ``since`` (a byte offset from an earlier answer) limits the
        answer to rows appended after it; a ``since`` past the end of the file (the file was
        replaced) answers everything with ``restarted: true``. ``system`` answers the system
        samples (x is then time or elapsed; step counts samples). Raises ValueError for a bad
        ``x`` or ``max_points``.
        """
        if x not in X_MODES:
            raise ValueError(f"unknown x {x!r}: use one of {', '.join(X_MODES)}")
        if max_points < 1:
            raise ValueError("max_points must be at least 1")
        with self._lock:
            cache_key = (tuple(keys) if keys is not None else None, x, max_points, since, system)
            cached = self._results.get(cache_key)
            if cached is not None:
                return cached
            result = self._compute(keys, x, max_points, since, system)
            if len(self._results) >= 32:
                self._results.pop(next(iter(self._results)))
            self._results[cache_key] = result
            return result

    def _compute(
        self, keys: list[str] | None, x: str, max_points: int, since: int | None, system: bool
    ) -> dict[str, Any]:
        cols = self.system_rows if system else self.metric_rows
        restarted = since is not None and (since > self.offset or since < 0)
        start_row = 0 if since is None or restarted else bisect_right(cols.ends, since)
        xs, x0 = cols.x_values(x)
        wanted = sorted(cols.columns) if keys is None else list(keys)
        series: dict[str, Any] = {}
        for key in wanted:
            col = cols.columns.get(key)
            if col is None:
                series[key] = {"x": [], "y": [], "count": 0, "downsampled": False}
                continue
            first = col.index_of_row(start_row)
            values = col.values[first:] if first else col.values
            nonfinite = [i - first for i in col.nonfinite if i >= first] if col.nonfinite else []
            picks = keep_indexes(values, max_points, nonfinite)
            row_of = col.row_of
            series[key] = {
                "x": [xs[row_of(first + i)] - x0 for i in picks],
                "y": [_finite_or_none(values[i]) for i in picks],
                "count": len(values),
                "downsampled": len(picks) < len(values),
            }
        stages = [
            {"stage": s.stage, "x_start": xs[s.first_row] - x0, "x_end": xs[s.last_row] - x0}
            for s in cols.stage_spans
            if s.last_row >= start_row
        ]
        return {
            "x": x,
            "keys": sorted(cols.columns),
            "series": series,
            "stages": stages,
            "rows": len(cols) - start_row,
            "since": None if since is None else since,
            "offset": self.offset,
            "restarted": restarted,
            "malformed": self.malformed,
        }


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _decode_bulk(lines: list[bytes]) -> list[dict[str, Any]] | None:
    """All lines as records with one orjson call; None when any line is not a plain record."""
    try:
        records = orjson.loads(b"[" + b",".join(lines) + b"]")
    except orjson.JSONDecodeError:
        return None
    if len(records) != len(lines) or set(map(type, records)) != {dict}:
        return None
    if set(map(type, map(_get_data_or_none, records))) != {dict}:
        return None
    return records
