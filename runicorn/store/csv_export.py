"""The full metric history of a run as CSV: one row per metrics record, one column per key.

Columns: ``step``, ``time``, ``stage``, then the metric keys sorted. A key not logged at a row
leaves its cell empty; NaN and infinities are written as ``nan``, ``inf``, ``-inf``. Produced in
chunks so a 1,000,000-row run streams without building the file in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from runicorn.store.series import RunSeries

ROWS_PER_CHUNK = 8192


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def metrics_csv(series: RunSeries) -> Iterator[bytes]:
    """UTF-8 CSV chunks of everything read so far (call ``series.update()`` first)."""
    cols = series.metric_rows
    keys = sorted(cols.columns)
    n = len(cols)
    spans = list(cols.stage_spans)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["step", "time", "stage", *keys])
    span_i = 0
    for c0 in range(0, n, ROWS_PER_CHUNK):
        c1 = min(n, c0 + ROWS_PER_CHUNK)
        lookups = []
        for key in keys:
            col = cols.columns[key]
            a = col.index_of_row(c0)
            b = col.index_of_row(c1)
            lookups.append(dict(zip(col.rows_slice(a, b), col.values[a:b], strict=True)))
        for row in range(c0, c1):
            while span_i < len(spans) and spans[span_i].last_row < row:
                span_i += 1
            stage = spans[span_i].stage if span_i < len(spans) and spans[span_i].first_row <= row else ""
            cells = [_number(cols.steps[row]), repr(cols.times[row]), stage]
            for lookup in lookups:
                v = lookup.get(row)
                cells.append("" if v is None else repr(v))
            writer.writerow(cells)
        yield buf.getvalue().encode()
        buf.seek(0)
        buf.truncate()
    rest = buf.getvalue()
    if rest:
        yield rest.encode()
