"""A file of a run folder that is a link leaving the run folder is never served
(docs/viewer.md#security): each file of SDK runs is replaced by a link to a secret file outside,
and every endpoint of a real viewer is asked about every run."""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path

import httpx
import numpy as np
import pytest
from websockets.sync.client import connect

import runicorn
from runicorn import format as fmt
from runicorn.codec.blocks import decode_block
from runicorn.codec.frames import encode_frame

MARKER = "secret-marker-outside-the-run"
# One line that is at once a JSON object, an events record and a log line, naming the marker.
SECRET_LINE = (
    json.dumps(
        {
            "ts": 1.0,
            "type": fmt.METRICS,
            "data": {fmt.STEP_KEY: 1, MARKER: 1.0},
            "notes": MARKER,
            "tags": [MARKER],
            "status": MARKER,
            MARKER: MARKER,
        }
    )
    + "\n"
)
LINKED_FILES = [
    fmt.META_FILE,
    fmt.STATUS_FILE,
    fmt.SUMMARY_FILE,
    fmt.CONFIG_FILE,
    fmt.EVENTS_FILE,
    fmt.LOGS_FILE,
    fmt.GIT_DIFF_FILE,
    fmt.TRACEBACK_FILE,
]


def sdk_run(root: Path, name: str) -> runicorn.Run:
    run = runicorn.init(project="links", name=name, storage=root, capture_console=False, system_metrics=False)
    for step in range(1, 6):
        run.log({"loss": 1.0 / step}, step=step)
    run.log_text("a line of the run")
    run.log_image("samples", np.full((4, 4, 3), 100, dtype=np.uint8), step=1)
    run.summary({"best": 1.0})
    run.finish()
    (run.dir / fmt.GIT_DIFF_FILE).write_text("diff --git a/x b/x\n")
    (run.dir / fmt.TRACEBACK_FILE).write_text("Traceback (most recent call last):\n")
    return run  # type: ignore[return-value]


def columns_run(root: Path, secret_dir: Path) -> runicorn.Run:
    """A run whose events.columns is a link to frames outside that match its events.jsonl bytes
    and name the marker as a metric: followed, the marker would show among its metric keys."""
    run = runicorn.init(
        project="links", name="columns", storage=root, capture_console=False, system_metrics=False
    )
    run.finish()
    lines = b"".join(
        fmt.encode_event(fmt.METRICS, {fmt.STEP_KEY: i, "loss": 1.0 / (i + 1)}, float(i))
        for i in range(20_000)
    )
    (run.dir / fmt.EVENTS_FILE).write_bytes(lines)  # over 1 MB: read from frames when valid ones exist
    block = decode_block(lines)
    assert block.metrics is not None
    block.metrics.columns = {MARKER: block.metrics.columns["loss"]}
    frames = secret_dir / "secret.columns"
    frames.write_bytes(encode_frame(block, 0, zlib.crc32(lines)))
    columns = run.dir / fmt.COLUMNS_FILE
    columns.unlink(missing_ok=True)
    os.symlink(frames, columns)
    return run  # type: ignore[return-value]


def replace_with_link(path: Path, target: Path) -> None:
    path.unlink(missing_ok=True)
    os.symlink(target, path)


def endpoints(run_id: str, media: list[str]) -> list[str]:
    paths = [
        f"/api/runs/{run_id}",
        f"/api/runs/{run_id}/metrics",
        f"/api/runs/{run_id}/system",
        f"/api/runs/{run_id}/metrics.csv",
        f"/api/runs/{run_id}/logs",
        f"/api/runs/{run_id}/media",
        f"/api/runs/{run_id}/git-diff",
        f"/api/runs/{run_id}/traceback",
        f"/api/compare?ids={run_id}&keys=loss",
    ]
    return paths + [f"/api/runs/{run_id}/{m}" for m in media]


def test_links_leaving_a_run_folder_are_never_served(storage_root: Path, live_viewer, tmp_path: Path) -> None:
    secret_dir = tmp_path / "elsewhere"
    secret_dir.mkdir()
    secret = secret_dir / "secret.txt"
    secret.write_text(SECRET_LINE)
    runs: list[runicorn.Run] = []
    for name in LINKED_FILES:
        run = sdk_run(storage_root, name.replace(".", "-"))
        replace_with_link(run.dir / name, secret)
        runs.append(run)
    media_run = sdk_run(storage_root, "pictures")
    media_files = sorted(
        p.relative_to(media_run.dir).as_posix() for p in (media_run.dir / "media").rglob("*.*")
    )
    assert media_files
    for media in media_files:
        replace_with_link(media_run.dir / media, secret)
    runs.append(media_run)
    # A link inside the run folder to another of its own files is fine.
    inside_run = sdk_run(storage_root, "inside")
    (inside_run.dir / "logs-copy.txt").write_bytes((inside_run.dir / fmt.LOGS_FILE).read_bytes())
    replace_with_link(inside_run.dir / fmt.LOGS_FILE, inside_run.dir / "logs-copy.txt")
    runs.append(columns_run(storage_root, secret_dir))

    base = live_viewer(storage_root)
    bodies: dict[str, bytes] = {}
    with httpx.Client(base_url=base, timeout=30) as client:
        for path in [
            "/api/runs",
            f"/api/runs?q={MARKER}",
            "/api/runs?sort=summary.best",
            "/api/projects",
            "/api/projects/links/names",
        ]:
            answer = client.get(path)
            assert answer.status_code == 200, path
            bodies[path] = answer.content
        listed = {r["id"] for r in json.loads(bodies["/api/runs"])["runs"]}
        assert listed == {r.id for r in [*runs, inside_run]}, [r.dir for r in runs if r.id not in listed]
        for run in [*runs, inside_run]:
            for path in endpoints(run.id, media_files if run is media_run else []):
                answer = client.get(path)
                assert answer.status_code in (200, 404), (path, answer.status_code, answer.text)
                bodies[path] = answer.content
        for run in [*runs, inside_run]:
            with connect(base.replace("http", "ws") + f"/api/runs/{run.id}/logs/ws", open_timeout=10) as ws:
                try:
                    bodies[f"ws {run.id}"] = ws.recv(timeout=1.0).encode()  # type: ignore[union-attr]
                except TimeoutError:
                    pass
        for path, body in bodies.items():
            assert MARKER.encode() not in body, path
        # what lies inside the run folder is still served
        inside_logs = client.get(f"/api/runs/{inside_run.id}/logs").json()
        assert any("a line of the run" in line for line in inside_logs["lines"])
        linked_logs_run = runs[LINKED_FILES.index(fmt.LOGS_FILE)]
        assert client.get(f"/api/runs/{linked_logs_run.id}/logs").json()["lines"] == []
        assert client.get(f"/api/runs/{runs[0].id}/metrics").json()["keys"] == ["loss"]
        assert client.get(f"/api/runs/{runs[-1].id}/metrics").json()["keys"] == ["loss"]
        assert client.get("/api/health").status_code == 200


@pytest.mark.parametrize("name", [fmt.META_FILE, fmt.STATUS_FILE])
def test_a_run_whose_json_file_links_out_carries_a_warning(
    storage_root: Path, live_viewer, tmp_path: Path, name: str
) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text(SECRET_LINE)
    run = sdk_run(storage_root, "warned")
    replace_with_link(run.dir / name, secret)
    base = live_viewer(storage_root)
    detail = httpx.get(f"{base}/api/runs/{run.id}", timeout=30).json()
    assert any(name in w and "outside" in w for w in detail["warnings"]), detail["warnings"]
