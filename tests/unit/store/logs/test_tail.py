from __future__ import annotations

from pathlib import Path

from runicorn import format as fmt
from runicorn.store.logs.tail import MAX_LOG_LINE_BYTES, Tail, cut_marker, read_events, read_logs


def _event(step: int) -> bytes:
    return fmt.encode_event(fmt.METRICS, {"loss": step / 10, fmt.STEP_KEY: step}, 1000.0 + step)


def test_tail_resumes_after_truncated_line(tmp_path: Path) -> None:
    path = tmp_path / fmt.EVENTS_FILE
    full = _event(2)
    path.write_bytes(_event(1) + full[:10])
    tail = Tail(path)
    first = tail.read_events()
    assert [r["data"][fmt.STEP_KEY] for r in first.records] == [1]
    assert first.offset == len(_event(1))  # the half-written line is not consumed
    with open(path, "ab") as f:
        f.write(full[10:])
    second = tail.read_events()
    assert [r["data"][fmt.STEP_KEY] for r in second.records] == [2]
    assert tail.malformed == 0


def test_tail_skips_and_counts_malformed_and_binary_lines(tmp_path: Path) -> None:
    path = tmp_path / fmt.EVENTS_FILE
    path.write_bytes(_event(1) + b"{not json\n" + b"\x00\xff\xfe binary\n" + b"[1, 2]\n\n" + _event(2))
    chunk = read_events(path)
    assert [r["data"][fmt.STEP_KEY] for r in chunk.records] == [1, 2]
    assert chunk.malformed == 3
    assert chunk.offset == path.stat().st_size


def test_tail_reads_nan_and_infinity_tokens(tmp_path: Path) -> None:
    path = tmp_path / fmt.EVENTS_FILE
    path.write_bytes(
        b'{"ts": 1, "type": "metrics", "data": {"loss": NaN, "g": Infinity, "global_step": 0}}\n'
    )
    (record,) = read_events(path).records
    assert record["data"]["loss"] != record["data"]["loss"]
    assert record["data"]["g"] == float("inf")


def test_tail_restarts_when_the_file_shrank(tmp_path: Path) -> None:
    path = tmp_path / fmt.EVENTS_FILE
    path.write_bytes(_event(1) + _event(2) + _event(3))
    tail = Tail(path)
    assert len(tail.read_events().records) == 3
    path.write_bytes(_event(9))
    chunk = tail.read_events()
    assert chunk.restarted
    assert [r["data"][fmt.STEP_KEY] for r in chunk.records] == [9]


def test_tail_of_a_missing_file_is_empty_not_an_error(tmp_path: Path) -> None:
    chunk = read_events(tmp_path / "nope.jsonl", 0)
    assert chunk.records == [] and chunk.offset == 0


def test_log_lines_resume_from_offset_and_keep_bad_utf8_visible(tmp_path: Path) -> None:
    path = tmp_path / fmt.LOGS_FILE
    path.write_bytes(b"[10:00:00] epoch 1\r\nbad \xff byte\nhalf")
    first = read_logs(path)
    assert first.lines == ["[10:00:00] epoch 1", "bad \ufffd byte"]
    assert first.malformed == 1
    with open(path, "ab") as f:
        f.write(b" done\nnext\n")
    second = read_logs(path, first.offset)
    assert second.lines == ["half done", "next"]


def test_log_lines_are_paged_by_max_lines(tmp_path: Path) -> None:
    path = tmp_path / fmt.LOGS_FILE
    path.write_bytes(b"".join(f"line {i}\n".encode() for i in range(10)))
    page = read_logs(path, 0, max_lines=4)
    assert page.lines == [f"line {i}" for i in range(4)] and page.more
    rest = read_logs(path, page.offset, max_lines=100)
    assert rest.lines == [f"line {i}" for i in range(4, 10)] and not rest.more


def test_tail_restarts_when_the_file_was_replaced_by_a_longer_one(tmp_path: Path) -> None:
    path = tmp_path / fmt.LOGS_FILE
    path.write_bytes(b"old 1\n")
    tail = Tail(path)
    assert tail.read_logs().lines == ["old 1"]
    tmp = tmp_path / "new.txt"
    tmp.write_bytes(b"new 1\nnew 2\nnew 3\n")
    tmp.replace(path)
    chunk = tail.read_logs()
    assert chunk.restarted and chunk.lines == ["new 1", "new 2", "new 3"]


def test_a_long_log_line_is_cut_with_its_length_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / fmt.LOGS_FILE
    long_line = "é" * MAX_LOG_LINE_BYTES  # twice the limit in bytes; cut inside a character
    path.write_bytes(f"before\n{long_line}\nafter\n".encode())
    chunk = read_logs(path)
    assert chunk.lines == [
        "before",
        "é" * (MAX_LOG_LINE_BYTES // 2) + cut_marker(2 * MAX_LOG_LINE_BYTES),
        "after",
    ]
    assert chunk.malformed == 0 and chunk.offset == path.stat().st_size and not chunk.more


def test_a_long_line_without_its_newline_is_shown_cut_once(tmp_path: Path) -> None:
    path = tmp_path / fmt.LOGS_FILE
    path.write_bytes(b"start\n" + b"y" * (MAX_LOG_LINE_BYTES + 10))
    tail = Tail(path)
    first = tail.read_logs()
    assert first.lines == [
        "start",
        "y" * MAX_LOG_LINE_BYTES + cut_marker(MAX_LOG_LINE_BYTES + 10, complete=False),
    ]
    with open(path, "ab") as f:
        f.write(b"y" * 5000)
    assert tail.read_logs().lines == []
    with open(path, "ab") as f:
        f.write(b"yy end of the long line\nnext line\n")
    assert tail.read_logs().lines == ["next line"]
    # a client resuming from the offset handed out inside the cut line sees the same
    assert read_logs(path, first.offset).lines == ["next line"]


def test_a_short_half_written_line_still_waits_for_its_newline(tmp_path: Path) -> None:
    path = tmp_path / fmt.LOGS_FILE
    path.write_bytes(b"done\n" + b"z" * MAX_LOG_LINE_BYTES)
    chunk = read_logs(path)
    assert chunk.lines == ["done"] and chunk.offset == 5
