"""Runs whose summary.json lacks the last logged values (older versions, imports, JSONL written by
hand): the index shows each metric's last number from events.jsonl, the file's values over them
(runicorn/store/index/logged_summary.py, docs/format.md#summaryjson)."""

from __future__ import annotations

import json
from pathlib import Path

from runicorn import format as fmt
from runicorn.store.index.run_index import RunIndex
from runicorn.store.query.run_filter import RunFilter


def metrics_line(step: int, **values: object) -> str:
    return json.dumps({"ts": 1.0 + step, "type": "metrics", "data": {**values, "global_step": step}}) + "\n"


def hand_written_run(root: Path, run_id: str, lines: list[str], summary: dict | None = None) -> Path:
    d = fmt.run_dir(root, "p", "n", run_id)
    d.mkdir(parents=True)
    (d / fmt.META_FILE).write_text(json.dumps({"id": run_id, "project": "p", "name": "n"}))
    (d / fmt.STATUS_FILE).write_text(json.dumps({"status": "finished"}))
    (d / fmt.EVENTS_FILE).write_text("".join(lines))
    if summary is not None:
        (d / fmt.SUMMARY_FILE).write_text(json.dumps(summary))
    return d


def test_a_run_without_summary_json_shows_its_last_values_and_answers_queries(tmp_path: Path) -> None:
    lines = [metrics_line(1, loss=1.0, **{"layer0/m0": -1.0}), "not json\n"]
    lines += [metrics_line(2, loss=0.5, **{"layer0/m0": 0.25}), "NaN line {\n", metrics_line(3, acc=1)]
    hand_written_run(tmp_path, "20260101_000000_aaaaaa", lines)
    hand_written_run(tmp_path, "20260101_000000_bbbbbb", [metrics_line(1, **{"layer0/m0": -2.0})])
    index = RunIndex(tmp_path)
    assert index.get("20260101_000000_aaaaaa").summary == {"loss": 0.5, "layer0/m0": 0.25, "acc": 1}
    page = index.query(RunFilter(q="summary.layer0/m0 > 0"))
    assert [run.id for run in page.runs] == ["20260101_000000_aaaaaa"]


def test_what_a_program_wrote_in_summary_json_wins_over_the_logged_value(tmp_path: Path) -> None:
    lines = [metrics_line(1, loss=1.0, acc=0.1), metrics_line(2, loss=0.5, acc=0.2)]
    hand_written_run(tmp_path, "20260101_000000_aaaaaa", lines, summary={"acc": 0.9, "best": "b"})
    info = RunIndex(tmp_path).get("20260101_000000_aaaaaa")
    assert info.summary == {"loss": 0.5, "acc": 0.9, "best": "b"}
    assert info.summary_file == {"acc": 0.9, "best": "b"}


def test_lines_appended_later_are_read_on(tmp_path: Path) -> None:
    d = hand_written_run(tmp_path, "20260101_000000_aaaaaa", [metrics_line(1, loss=1.0)])
    index = RunIndex(tmp_path)
    assert index.get("20260101_000000_aaaaaa").summary == {"loss": 1.0}
    with open(d / fmt.EVENTS_FILE, "a") as f:
        f.write(metrics_line(2, loss=0.5, acc=0.3))
        f.write('{"ts": 3, "type": "metrics", "data": {"loss": 0.1')  # a line being written
    index.refresh(force=True)
    assert index.get("20260101_000000_aaaaaa").summary == {"loss": 0.5, "acc": 0.3}


def test_a_summary_with_the_sdks_note_is_shown_as_written(tmp_path: Path) -> None:
    note = {fmt.SUMMARY_NOTE_KEY: {"last_values": True, "explicit": []}}
    lines = [metrics_line(1, loss=1.0, old=3.0)]
    hand_written_run(tmp_path, "20260101_000000_aaaaaa", lines, summary={"loss": 0.5, **note})
    info = RunIndex(tmp_path).get("20260101_000000_aaaaaa")
    assert info.summary == {"loss": 0.5}  # the file is trusted: the events are not read
    assert fmt.SUMMARY_NOTE_KEY not in info.as_dict()["summary"]
