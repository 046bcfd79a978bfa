"""The buffered writer under a full or vanished disk: warn once, keep going, lose nothing it can keep."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

import runicorn as rn
from runicorn import format as fmt
from runicorn.sdk.writer import AppendFile, BufferedWriter

pytestmark = pytest.mark.skipif(
    not os.path.exists("/dev/full"), reason="needs /dev/full to simulate a full disk"
)


def test_full_disk_warns_once_and_training_continues(storage_root: Path, caplog) -> None:
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    (run.dir / fmt.EVENTS_FILE).symlink_to("/dev/full")  # every write: ENOSPC
    with caplog.at_level(logging.WARNING, logger="runicorn"):
        for step in range(200):
            run.log({"loss": 1.0 / (step + 1)})
            if step % 50 == 0:
                run.flush()
        run.finish()
    warnings = [r.getMessage() for r in caplog.records if "cannot write" in r.getMessage()]
    assert len(warnings) == 1 and "No space left" in warnings[0]
    assert fmt.read_json(run.dir / fmt.STATUS_FILE)["status"] == fmt.FINISHED


def test_events_refused_by_the_disk_are_written_once_it_recovers(tmp_path: Path) -> None:
    target = tmp_path / "events.jsonl"
    target.symlink_to("/dev/full")
    writer = BufferedWriter({"e": target}, flush_interval_s=60, max_pending_bytes=1 << 20)
    queue = writer.queue("e")
    for i in range(10):
        queue.append(b'{"i":%d}\n' % i)
    assert writer.flush() is False
    writer.files["e"].close()
    target.unlink()  # space again: the same path is now a real file
    for i in range(10, 20):
        queue.append(b'{"i":%d}\n' % i)
    assert writer.close() is True
    assert target.read_bytes() == b"".join(b'{"i":%d}\n' % i for i in range(20))


def test_pending_bytes_are_capped_by_dropping_whole_oldest_lines(tmp_path: Path) -> None:
    f = AppendFile(tmp_path / "x")
    f._retry = b"".join(b"line%03d\n" % i for i in range(100))  # 8 bytes a line
    f.drop_oldest(80)
    assert f._retry == b"".join(b"line%03d\n" % i for i in range(90, 100))
    assert f.lost_lines == 90


def test_run_folder_deleted_mid_run_never_raises(storage_root: Path, caplog) -> None:
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    run.log({"a": 1.0})
    run.flush()
    run._writer.files[fmt.EVENTS_FILE].close()
    shutil.rmtree(run.dir)
    run.dir.write_text("not a folder any more")  # every write inside it fails: ENOTDIR
    with caplog.at_level(logging.WARNING, logger="runicorn"):
        for _ in range(10):
            run.log({"a": 2.0})
        run.summary({"b": 1})
        run.finish()
    assert any("cannot write" in r.getMessage() for r in caplog.records)


def test_a_writer_behind_the_loop_keeps_the_newest_lines_within_the_cap(tmp_path: Path) -> None:
    target = tmp_path / "events.jsonl"
    writer = BufferedWriter({"e": target}, flush_interval_s=60, max_pending_bytes=100_000)
    queue = writer.queue("e")
    lines = [b'{"i":%06d}\n' % i for i in range(50_000)]  # 13 bytes a line, 650 kB in all
    for line in lines:  # the loop outran the writer by 6.5 times its cap
        queue.append(line)
    assert writer.close() is True
    written = target.read_bytes()
    assert len(written) <= 100_000
    kept = written.count(b"\n")
    assert writer.lost_lines == 50_000 - kept  # nothing lost silently
    assert written == b"".join(lines[-kept:])  # the oldest went first
