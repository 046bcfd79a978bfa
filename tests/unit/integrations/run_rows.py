"""Reading back what an integration wrote: the one run under a storage root and its metric rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runicorn import format as fmt


def only_run(root: Path) -> Path:
    runs = list(root.glob(f"*/*/{fmt.RUNS_DIR}/*"))
    assert len(runs) == 1, runs
    return runs[0]


def metric_rows(run: Path) -> list[dict[str, Any]]:
    """Each metrics record's values with its step, in the order written (time and stage left out)."""
    lines, _ = fmt.split_complete_lines((run / fmt.EVENTS_FILE).read_bytes())
    rows = []
    for line in lines:
        record = fmt.decode_event(line)
        if record is not None and record["type"] == fmt.METRICS:
            data = dict(record["data"])
            data.pop(fmt.TIME_KEY, None)
            rows.append(data)
    return rows
