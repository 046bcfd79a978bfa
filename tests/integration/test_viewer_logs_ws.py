"""The live log tail over a real WebSocket (docs/api.md#logs, docs/viewer.md#live-tail)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

import runicorn
from runicorn import format as fmt

WAIT_S = 5.0  # generous on a loaded machine; the poll runs every 0.1 s in tests, 0.2 s by default


def recv(ws: ClientConnection) -> dict:
    return json.loads(ws.recv(timeout=WAIT_S))


def test_appended_lines_reach_a_connected_client(tmp_path: Path, live_viewer) -> None:
    root = tmp_path / "storage"
    run = runicorn.init(project="p", name="live", storage=root, capture_console=False, system_metrics=False)
    run.log_text("first line")
    run.flush()
    base = live_viewer(root)
    with connect(base.replace("http", "ws") + f"/api/runs/{run.id}/logs/ws", open_timeout=10) as ws:
        first = recv(ws)
        assert first["start"] == 0 and first["lines"][0].endswith("first line")
        logs = run.dir / fmt.LOGS_FILE
        with open(logs, "ab") as f:  # a writer halfway through a line: nothing is sent yet
            f.write(b"half a li")
            f.flush()
            with pytest.raises(TimeoutError):
                ws.recv(timeout=0.5)
            f.write(b"ne\nanother\n")
        second = recv(ws)
        assert second["lines"] == ["half a line", "another"] and second["start"] == first["offset"]
        run.log_text("from the SDK")
        run.flush()
        assert recv(ws)["lines"][0].endswith("from the SDK")
    run.finish()


def test_websocket_resumes_from_an_offset_and_follows_a_replaced_file(tmp_path: Path, live_viewer) -> None:
    root = tmp_path / "storage"
    run = runicorn.init(project="p", name="n", storage=root, capture_console=False, system_metrics=False)
    run.finish()
    logs = run.dir / fmt.LOGS_FILE
    logs.write_bytes(b"one\ntwo\nthree\n")
    base = live_viewer(root)
    with connect(base.replace("http", "ws") + f"/api/runs/{run.id}/logs/ws?offset=8", open_timeout=10) as ws:
        assert recv(ws)["lines"] == ["three"]
        logs.write_bytes(b"new\n")  # rotated: shorter than the offset
        answer = recv(ws)
        assert answer["restarted"] is True and answer["lines"] == ["new"]


def test_websocket_for_an_unknown_run_says_404_and_closes(tmp_path: Path, live_viewer) -> None:
    root = tmp_path / "storage"
    root.mkdir()
    base = live_viewer(root)
    with connect(base.replace("http", "ws") + "/api/runs/nope/logs/ws", open_timeout=10) as ws:
        refusal = recv(ws)
        assert refusal["status"] == 404
        assert "GET /api/runs" in refusal["hint"]  # says where to find the runs that do exist
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=WAIT_S)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4404
