"""A kind of rows (metrics or system) as columns in memory: :class:`ColumnSet`.

One row per record: its step and time in ``array('d')`` columns, and, per metric key, the rows
the key has a number in and those numbers. Rows arrive a block at a time
(:class:`~runicorn.codec.blocks.Rows`); what a block could not know on its own (the step and
time of the row before its first one) is filled in here.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from runicorn.codec.blocks import Rows, nonfinite_indexes

X_MODES = ("step", "time", "elapsed")


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

    def extend(self, rows: Sequence[int], values: array, nonfinite: list[int] | None = None) -> None:
        """Append ``values`` at ``rows``; ``nonfinite``: their NaN/Inf indexes, when known."""
        start = len(self.values)
        contiguous = isinstance(rows, range) and (start == 0 or rows.start == self.first_row + start)
        if start == 0 and isinstance(rows, range):
            self.first_row = rows.start
        elif not contiguous and self.explicit_rows is None:
            self.explicit_rows = array("q", range(self.first_row, self.first_row + start))
        if self.explicit_rows is not None:
            self.explicit_rows.extend(rows)
        self.values.extend(values)
        if nonfinite is None:
            nonfinite = nonfinite_indexes(values)
        self.nonfinite.extend(map(start.__add__, nonfinite))


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
        self.columns: dict[str, Column] = {}
        self.stage_spans: list[StageSpan] = []

    def __len__(self) -> int:
        return len(self.steps)

    def x_values(self, x: str) -> tuple[array, float]:
        """The x array for ``x`` (step, time, elapsed, or a metric key: see :meth:`metric_x`)
        and what to subtract from it."""
        if x == "step":
            return self.steps, 0.0
        if x == "time":
            return self.times, 0.0
        if x == "elapsed":
            return self.times, self.times[0] if len(self.times) else 0.0
        if x:
            return self.metric_x(x), 0.0
        raise ValueError(f"unknown x {x!r}: use one of {', '.join(X_MODES)} or a metric key")

    def metric_x(self, key: str) -> array:
        """Per row, the value of metric ``key`` in that row, else the latest before it (NaN
        before its first value): a metric as an x axis."""
        out = array("d", [math.nan]) * len(self.steps)
        col = self.columns.get(key)
        if col is None or not len(col.values):
            return out
        values, n = col.values, len(col.values)
        if col.explicit_rows is None:  # a value in every row from its first: copied as it is
            out[col.first_row : col.first_row + n] = values
            last_row = col.first_row + n - 1
        else:
            rows = col.explicit_rows
            for i in range(n - 1):
                out[rows[i] : rows[i + 1]] = array("d", [values[i]]) * (rows[i + 1] - rows[i])
            last_row = rows[n - 1]
        out[last_row:] = array("d", [values[n - 1]]) * (len(out) - last_row)
        return out

    def extend(self, rows: Rows) -> None:
        """Append a block's rows (their arrays are taken over, not copied)."""
        base = len(self.steps)
        steps, times = rows.steps, rows.times
        if rows.steps_lead:  # rows without a step count on from the last one
            prev = self.steps[-1] if base else 0.0
            for i in range(rows.steps_lead):
                prev = prev + 1
                steps[i] = prev
        if rows.times_lead:  # rows without a time or ts repeat the last one
            last = self.times[-1] if base else 0.0
            for i in range(rows.times_lead):
                times[i] = last
        self.steps.extend(steps)
        self.times.extend(times)
        self._extend_stages(rows.stages, base)
        for key in sorted(rows.columns):
            rel_rows, values = rows.columns[key]
            new_rows: Sequence[int]
            if rel_rows is None:
                new_rows = range(base, base + rows.count)
            else:
                new_rows = array("q", map(base.__add__, rel_rows))
            col = self.columns.get(key)
            if col is None:
                col = self.columns[key] = Column()
            col.extend(new_rows, values, rows.nonfinite.get(key, []))

    def extend_many(self, parts: list[Rows]) -> None:
        """The same as :meth:`extend` of each part in turn, with each array copied once.

        Appending block after block to columns of a million rows reallocates (and copies) the
        growing arrays again and again; this joins the parts' arrays first."""
        if len(parts) == 1:
            self.extend(parts[0])
            return
        base = len(self.steps)
        steps, times = _joined([p.steps for p in parts]), _joined([p.times for p in parts])
        at = 0
        for rows in parts:  # leads: as in extend, from the row before (this part's or the last read)
            if rows.steps_lead:
                prev = steps[at - 1] if at else (self.steps[-1] if base else 0.0)
                for i in range(at, at + rows.steps_lead):
                    prev = prev + 1
                    steps[i] = prev
            if rows.times_lead:
                last = times[at - 1] if at else (self.times[-1] if base else 0.0)
                for i in range(at, at + rows.times_lead):
                    times[i] = last
            self._extend_stages(rows.stages, base + at)
            at += rows.count
        self.steps.extend(steps)
        self.times.extend(times)
        pieces: dict[str, list[tuple[int, Rows]]] = {}  # per key, in the order extend meets them
        at = base
        for rows in parts:
            for key in sorted(rows.columns):
                pieces.setdefault(key, []).append((at, rows))
            at += rows.count
        for key, where in pieces.items():
            col = self.columns.get(key)
            if col is None:
                col = self.columns[key] = Column()
            values = _joined([rows.columns[key][1] for _, rows in where])
            nonfinite: list[int] = []
            done = 0
            for _, rows in where:
                nonfinite.extend(map(done.__add__, rows.nonfinite.get(key, [])))
                done += len(rows.columns[key][1])
            row_list: Sequence[int] = range(where[0][0], where[0][0] + len(values))
            gaps = any(a + rows.count != b for (a, rows), (b, _) in pairwise(where))
            if gaps or any(rows.columns[key][0] is not None for _, rows in where):
                row_list = array("q")
                for start, rows in where:
                    rel_rows = rows.columns[key][0]
                    row_list.extend(
                        range(start, start + rows.count) if rel_rows is None else map(start.__add__, rel_rows)
                    )
            col.extend(row_list, values, nonfinite)

    def _extend_stages(self, runs: list[tuple[str | None, int]], base: int) -> None:
        row = base
        for stage, count in runs:
            if stage is not None:
                last = self.stage_spans[-1] if self.stage_spans else None
                if last is not None and last.stage == stage and last.last_row == row - 1:
                    last.last_row = row + count - 1
                else:
                    self.stage_spans.append(StageSpan(stage, row, row + count - 1))
            row += count


def _joined(parts: list[array]) -> array:
    """One array holding ``parts`` (arrays of one type) back to back."""
    out = array(parts[0].typecode)
    out.frombytes(b"".join(parts))
    return out
