"""Huge log lines (docs/viewer.md#live-tail): a 200 MB line, or 64 MB without a newline, is shown
cut with a marker and reading goes on past it, over HTTP and the WebSocket of a real viewer,
while the viewer keeps answering."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx
from websockets.sync.client import connect

import runicorn
from runicorn import format as fmt
from runicorn.store.logs.tail import MAX_LOG_LINE_BYTES, cut_marker

LONG_LINE_BYTES = 200 * 1024 * 1024
NO_NEWLINE_BYTES = 64 * 1024 * 1024
READERS = 24
HEALTH_TIMEOUT_S = 2.0  # far above what a responsive viewer needs (bench/log_tail_bench.py)
WAIT_S = 30.0


def run_with_logs(root: Path, name: str, data: bytes) -> runicorn.Run:
    run = runicorn.init(project="p", name=name, storage=root, capture_console=False, system_metrics=False)
    run.finish()
    with open(run.dir / fmt.LOGS_FILE, "wb") as f:
        f.write(data)
    return run  # type: ignore[return-value]


def write_huge(path: Path, head: bytes, fill: int, tail: bytes) -> None:
    block = b"x" * (8 * 1024 * 1024)
    with open(path, "wb") as f:
        f.write(head)
        for _ in range(fill // len(block)):
            f.write(block)
        f.write(tail)


def http_lines(base: str, run_id: str) -> list[str]:
    """Every line the logs endpoint gives, page after page, until it says there is no more."""
    lines: list[str] = []
    offset = 0
    with httpx.Client(base_url=base, timeout=WAIT_S) as client:
        for _ in range(100):
            answer = client.get(f"/api/runs/{run_id}/logs", params={"offset": offset}).json()
            lines += answer["lines"]
            offset = answer["offset"]
            if not answer["more"]:
                return lines
    raise AssertionError(f"the logs never ended: {len(lines)} lines, offset {offset}")


def ws_lines(base: str, run_id: str, until: str) -> list[str]:
    lines: list[str] = []
    url = base.replace("http", "ws") + f"/api/runs/{run_id}/logs/ws"
    with connect(url, open_timeout=WAIT_S, max_size=None) as ws:
        while until not in lines:
            lines += json.loads(ws.recv(timeout=WAIT_S))["lines"]
    return lines


def test_a_200_mb_line_is_cut_and_24_readers_get_past_it_while_the_viewer_answers(
    storage_root: Path, live_viewer
) -> None:
    run = run_with_logs(storage_root, "long", b"")
    write_huge(run.dir / fmt.LOGS_FILE, b"before\n", LONG_LINE_BYTES, b"\nafter\n")
    expected = ["before", "x" * MAX_LOG_LINE_BYTES + cut_marker(LONG_LINE_BYTES), "after"]
    base = live_viewer(storage_root)
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def reader(i: int) -> None:
        try:
            got = http_lines(base, run.id) if i % 2 else ws_lines(base, run.id, until="after")
            results.append(got)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(READERS)]
    for t in threads:
        t.start()
    health_answers = 0
    with httpx.Client(base_url=base, timeout=HEALTH_TIMEOUT_S) as client:
        while any(t.is_alive() for t in threads):
            assert client.get("/api/health").json()["ok"] is True  # a timeout fails the test
            health_answers += 1
            time.sleep(0.05)
    for t in threads:
        t.join()
    assert not errors, errors
    assert results == [expected] * READERS
    assert health_answers > 0


def test_a_line_without_its_newline_is_shown_cut_and_the_tail_goes_on_after_it(
    storage_root: Path, live_viewer
) -> None:
    run = run_with_logs(storage_root, "endless", b"")
    logs = run.dir / fmt.LOGS_FILE
    write_huge(logs, b"start\n", NO_NEWLINE_BYTES, b"")
    base = live_viewer(storage_root)
    cut = "x" * MAX_LOG_LINE_BYTES + cut_marker(NO_NEWLINE_BYTES, complete=False)
    url = base.replace("http", "ws") + f"/api/runs/{run.id}/logs/ws"
    with connect(url, open_timeout=WAIT_S, max_size=None) as ws:
        assert json.loads(ws.recv(timeout=WAIT_S))["lines"] == ["start", cut]
        with open(logs, "ab") as f:
            f.write(b"xxx the newline finally comes\nnext line\n")
        assert json.loads(ws.recv(timeout=WAIT_S))["lines"] == ["next line"]
    whole = "x" * MAX_LOG_LINE_BYTES + cut_marker(NO_NEWLINE_BYTES + len("xxx the newline finally comes"))
    assert http_lines(base, run.id) == ["start", whole, "next line"]
