"""The sender of a forked process (runicorn/sdk/child_lines.py) over a real pipe: it never blocks the
caller, keeps what a full pipe refused and sends it later, and says once when it cannot."""

from __future__ import annotations

import logging
import os
import threading

from runicorn.sdk.child_lines import ChildLines
from runicorn.sdk.guest_pipe import GUEST_EVENT_LINE


def read_until_end(fd: int, into: list[bytes]) -> None:
    while chunk := os.read(fd, 1 << 16):
        into.append(chunk)


def test_a_full_pipe_never_blocks_the_caller_and_what_waits_is_sent_later() -> None:
    read_end, write_end = os.pipe()
    lines = ChildLines(write_end, max_pending_bytes=1 << 24, run_id="r")
    line = b'{"ts":1,"type":"metrics","data":{"x":1}}' + b" " * 1000 + b"\n"
    for _ in range(200):  # about 200 KB: more than a pipe holds, and nobody reads yet
        lines.events.append(line)
    assert not lines.flush()  # the rest waits in the process's memory; the caller went on
    received: list[bytes] = []
    reader = threading.Thread(target=read_until_end, args=(read_end, received))
    reader.start()  # the run's process reads again
    assert lines.close(timeout_s=10) is True
    os.close(write_end)
    reader.join(10)
    os.close(read_end)
    assert b"".join(received) == (GUEST_EVENT_LINE + line) * 200


def test_a_pipe_nobody_reads_any_more_is_warned_once(caplog) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the run's process finished
    lines = ChildLines(write_end, max_pending_bytes=1 << 24, run_id="r")
    with caplog.at_level(logging.WARNING, logger="runicorn"):
        for _ in range(3):
            lines.logs.append(b"12:00:00 | hello\n")
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 1 and "cannot send its values" in said[0]
    assert lines.lost_lines == 3
    os.close(write_end)
