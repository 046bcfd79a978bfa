"""Records of one kind read on from where the last read stopped (runicorn/store/records/record_log.py),
as the run page and a polled job page read a run's checkpoints."""

from __future__ import annotations

import os
from pathlib import Path

from runicorn import format as fmt
from runicorn.store.records.run_progress import checkpoint_logs


def _checkpoint(path: str, step: int) -> bytes:
    return fmt.encode_event(fmt.CHECKPOINT, {"path": path, "step": step}, 1.0)


def _metrics(step: int) -> bytes:
    return fmt.encode_event(fmt.METRICS, {"global_step": step, "loss": 0.5}, 1.0)


def test_checkpoints_are_read_on_as_the_file_grows(tmp_path: Path) -> None:
    events = tmp_path / fmt.EVENTS_FILE
    events.write_bytes(_metrics(1) + _checkpoint("a.pt", 1) + b'{"type": "checkpoint", "data": {"pa')
    logs = checkpoint_logs()
    assert [c["path"] for c in logs.read(tmp_path)] == ["a.pt"]  # a line being written waits
    with open(events, "ab") as f:
        f.write(b'th": "b.pt", "step": 2}}\n' + _metrics(3) + _checkpoint("c.pt", 3))
    assert [(c["path"], c["step"]) for c in logs.read(tmp_path)] == [("a.pt", 1), ("b.pt", 2), ("c.pt", 3)]


def test_a_file_replaced_by_a_longer_one_is_read_from_its_start(tmp_path: Path) -> None:
    events = tmp_path / fmt.EVENTS_FILE
    events.write_bytes(_checkpoint("old.pt", 1))
    logs = checkpoint_logs()
    assert [c["path"] for c in logs.read(tmp_path)] == ["old.pt"]
    other = tmp_path / "other.jsonl"
    other.write_bytes(_metrics(1) * 3 + _checkpoint("new.pt", 7))  # longer than what was read
    os.replace(other, events)
    assert [c["path"] for c in logs.read(tmp_path)] == ["new.pt"]
