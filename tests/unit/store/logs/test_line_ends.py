"""Many readers of a log with a huge line look through it once (store/logs/line_ends.py)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.store.logs.tail import MAX_LOG_LINE_BYTES, cut_marker
from runicorn.store.reader import StoreReader

RunWriter = Callable[..., Path]

MIB = 1024 * 1024
LONG = 4 * MIB  # a line cut when shown; the rest of it must be looked through for its newline
UNFINISHED = 2 * MIB  # a line at the end of the file whose newline has not come


def _read_all(reader: StoreReader, key: str, offset: int = 0) -> tuple[list[str], int]:
    """What a browser tab opening the run's logs gets: every line from ``offset`` on."""
    lines: list[str] = []
    more = True
    while more:
        answer = reader.logs(key, offset=offset)
        lines += answer["lines"]
        offset, more = answer["offset"], answer["more"]
    return lines, offset


def _huge_log_run(storage: Path, write_run: RunWriter) -> tuple[StoreReader, str, Path]:
    run = write_run(run_id="20260101_000000_10eb1e")
    logs = run / fmt.LOGS_FILE
    logs.write_bytes(b"before\n" + b"x" * LONG + b"\nafter\n" + b"y" * UNFINISHED)
    return StoreReader(storage), "20260101_000000_10eb1e", logs


def test_many_readers_of_a_huge_line_look_through_it_once(storage: Path, write_run: RunWriter) -> None:
    reader, key, logs = _huge_log_run(storage, write_run)
    answers: list[Any] = []

    def tab() -> None:
        answers.append(_read_all(reader, key))

    tabs = [threading.Thread(target=tab) for _ in range(24)]
    for t in tabs:
        t.start()
    for t in tabs:
        t.join()
    expected = [
        "before",
        "x" * MAX_LOG_LINE_BYTES + cut_marker(LONG),
        "after",
        "y" * MAX_LOG_LINE_BYTES + cut_marker(UNFINISHED, complete=False),
    ]
    assert answers == [(expected, logs.stat().st_size)] * 24
    # every byte of the file at most once, not once per reader
    assert reader.line_ends.searched_bytes <= logs.stat().st_size


def test_a_growing_line_is_looked_through_only_in_what_was_appended(
    storage: Path, write_run: RunWriter
) -> None:
    reader, key, logs = _huge_log_run(storage, write_run)
    _, offset = _read_all(reader, key)
    searched = reader.line_ends.searched_bytes
    with open(logs, "ab") as f:
        f.write(b"y" * MIB + b" end\nlast\n")
    assert _read_all(reader, key, offset)[0] == ["last"]
    assert _read_all(reader, key)[0][3:] == [
        "y" * MAX_LOG_LINE_BYTES + cut_marker(UNFINISHED + MIB + 4),
        "last",
    ]
    assert reader.line_ends.searched_bytes - searched <= MIB + 5


def test_what_is_known_of_a_replaced_or_shortened_log_is_forgotten(
    storage: Path, write_run: RunWriter
) -> None:
    reader, key, logs = _huge_log_run(storage, write_run)
    _read_all(reader, key)
    # another file under the same name (a new inode): its lines end elsewhere
    new = logs.with_name("logs.new")
    new.write_bytes(b"new\n" + b"z" * (2 * MIB) + b"\nz after\n" + b"z" * (3 * MIB) + b"\nz end\n")
    os.replace(new, logs)
    assert _read_all(reader, key)[0] == [
        "new",
        "z" * MAX_LOG_LINE_BYTES + cut_marker(2 * MIB),
        "z after",
        "z" * MAX_LOG_LINE_BYTES + cut_marker(3 * MIB),
        "z end",
    ]
    # the same file cut shorter and written again: newlines now where none were, and one where
    # one was (after "z" * 2 MiB)
    with open(logs, "r+b") as f:
        f.truncate(0)
        f.write(b"w\n" + b"w" * MIB + b"\nmiddle\n" + b"w" * (MIB - 6) + b"\nw end\n")
    assert _read_all(reader, key)[0] == [
        "w",
        "w" * MAX_LOG_LINE_BYTES + cut_marker(MIB),
        "middle",
        "w" * MAX_LOG_LINE_BYTES + cut_marker(MIB - 6),
        "w end",
    ]
