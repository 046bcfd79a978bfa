"""The full metric history of a run as CSV: one row per metrics record, one column per key.

Columns: ``step``, ``time``, ``stage``, then the metric keys sorted; rows end in CRLF (RFC 4180).
A key not logged at a row leaves its cell empty; NaN and infinities are written as ``nan``,
``inf``, ``-inf``. Produced in chunks so a 1,000,000-row run streams without building the file in
memory.

Metric keys and stage names are text a run chose, and a spreadsheet evaluates a cell that starts
with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) as a formula. Such a text cell is
written with a leading ``'`` (OWASP's advice on CSV injection): the spreadsheet shows the text,
the text is all still there. Numbers are never escaped: ``-0.5`` stays a number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from runicorn.store.metrics.series import RunSeries

ROWS_PER_CHUNK = 8192
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def metrics_csv(series: RunSeries) -> Iterator[bytes]:
    """UTF-8 CSV chunks of everything read so far (call ``series.update()`` first)."""
    cols = series.metric_rows
    keys = sorted(cols.columns)
    n = len(cols)
    spans = list(cols.stage_spans)
    buf = io.StringIO()
    # rows end in CRLF (RFC 4180): a cell holding a lone CR or LF is then quoted, never a row break
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["step", "time", "stage", *(text_cell(key) for key in keys)])
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
            cells = [_number(cols.steps[row]), repr(cols.times[row]), text_cell(stage)]
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
