"""events.columns: the SDK's decoded frames give a reader the same run as events.jsonl, faster,
and never a wrong one (an edited, torn or foreign frames file falls back to the JSON lines)."""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from pathlib import Path
from typing import Any

import orjson
import pytest

import runicorn as rn
from runicorn import format as fmt
from runicorn.codec.frames import frame_refs, valid_length, whole_frames_length
from runicorn.sdk.frames_writer import FramesWriter, frame_events_file
from runicorn.store.metrics import series as series_module
from runicorn.store.metrics.series import RunSeries

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def train(storage: Path, steps: int, run_id: str | None = None, start: int = 0, **init: Any) -> rn.Run:
    """A run as a training script writes it: sparse val keys, stages, NaN, system samples, images."""
    run = rn.init(project="p", name="n", storage=storage, run_id=run_id, capture_console=False, **init)
    for i in range(start, start + steps):
        values: dict[str, float] = {"train/loss": 1.0 / (i + 1), "train/acc": (i % 97) / 97}
        if i % 100 == 99:
            values["val/loss"] = 2.0 / (i + 1)
        if i == start + 7:
            values["train/loss"] = float("nan")
        run.log(values, stage="train" if i % 1000 < 800 else "eval")
        if i % 5000 == 0:
            run.log_image("sample", PNG, caption=f"step {i}")
    run.finish()
    return run


def answers(run_dir: Path) -> dict[str, Any]:
    series = RunSeries(run_dir)
    series.update()
    return {
        "step": series.metrics(max_points=900),
        "time": series.metrics(x="time", max_points=900),
        "elapsed": series.metrics(x="elapsed", max_points=300, since=series.offset // 2),
        "system": series.metrics(system=True),
        "images": series.images,
        "keys": series.metric_keys(),
    }


def without_frames(run_dir: Path, into: Path) -> Path:
    """The run's events alone, as a run written by another program would be."""
    into.mkdir()
    shutil.copy(run_dir / fmt.EVENTS_FILE, into / fmt.EVENTS_FILE)
    return into


@pytest.fixture
def trained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> rn.Run:
    monkeypatch.setenv("RUNICORN_SYSTEM_INTERVAL_S", "0.001")
    return train(tmp_path / "storage", 40_000)


def test_the_sdk_frames_what_it_logs_and_a_reader_gets_the_same_run_without_decoding_it(
    trained: rn.Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events_size = (trained.dir / fmt.EVENTS_FILE).stat().st_size
    with open(trained.dir / fmt.COLUMNS_FILE, "rb") as f:
        refs = frame_refs(f)
    assert len(refs) >= 8  # about one frame per 512 KB of events
    assert refs[0].start == 0 and refs[-1].end == events_size
    assert all(a.end == b.start for a, b in zip(refs, refs[1:], strict=False))

    decoded: list[int] = []
    real = series_module.decode_block
    monkeypatch.setattr(series_module, "decode_block", lambda data: decoded.append(len(data)) or real(data))
    series = RunSeries(trained.dir)
    series.update()
    assert decoded == [] and series.offset == events_size  # every byte came from a frame
    monkeypatch.undo()

    framed = answers(trained.dir)
    expected = answers(without_frames(trained.dir, tmp_path / "plain"))
    assert framed == expected
    loss = framed["step"]["series"]["train/loss"]
    assert loss["count"] == 40_000 and None in loss["y"]  # the NaN is shown, not lost
    assert framed["system"]["rows"] > 0 and len(framed["images"]) == 8
    assert {s["stage"] for s in framed["step"]["stages"]} == {"train", "eval"}


def test_an_edited_events_file_is_read_from_its_lines_not_from_stale_frames(
    trained: rn.Run, tmp_path: Path
) -> None:
    events = trained.dir / fmt.EVENTS_FILE
    data = events.read_bytes()
    at = data.index(b'"train/acc":', len(data) // 2) + len(b'"train/acc":')
    edited = data[:at] + b"7" + data[at + 1 :]  # same size: only the frame's CRC can tell
    events.write_bytes(edited)
    assert answers(trained.dir) == answers(without_frames(trained.dir, tmp_path / "plain"))
    assert 7.0 <= max(answers(trained.dir)["step"]["series"]["train/acc"]["y"]) < 8.0


@pytest.mark.parametrize("damage", ["torn", "garbage", "flipped", "empty"])
def test_a_damaged_frames_file_never_changes_what_a_reader_sees(
    trained: rn.Run, tmp_path: Path, damage: str
) -> None:
    columns = trained.dir / fmt.COLUMNS_FILE
    data = columns.read_bytes()
    if damage == "torn":
        columns.write_bytes(data[: len(data) // 2 + 3])
    elif damage == "garbage":
        columns.write_bytes(os.urandom(len(data)))
    elif damage == "flipped":  # one bit of a payload in the middle
        at = len(data) // 2
        columns.write_bytes(data[:at] + bytes([data[at] ^ 0x10]) + data[at + 1 :])
    else:
        columns.write_bytes(b"")
    assert answers(trained.dir) == answers(without_frames(trained.dir, tmp_path / "plain"))


@pytest.mark.parametrize(
    "lie",
    [
        {"steps_lead": 10**9},
        {"count": 3},
        {"stages": [["train", 1]]},
        {"nonfinite": {"train/loss": [10**9]}},
        {"columns": [["train/loss", 5, 5]]},
        {"images": "not a list"},
    ],
    ids=["lead", "count", "stages", "nonfinite", "columns", "images"],
)
def test_a_frame_whose_header_lies_under_a_valid_crc_is_decoded_from_the_lines_instead(
    trained: rn.Run, tmp_path: Path, lie: dict[str, Any]
) -> None:
    columns = trained.dir / fmt.COLUMNS_FILE
    with open(columns, "rb") as f:
        first = frame_refs(f)[0]
    data = columns.read_bytes()
    head_len, payload_len = struct.unpack_from("<II", data, 4)
    header = orjson.loads(data[16 : 16 + head_len])
    payload = data[16 + head_len : first.size]
    if "images" in lie:
        header.update(lie)
    else:
        header["metrics"].update(lie)
    head = orjson.dumps(header)
    crc = zlib.crc32(payload, zlib.crc32(head))  # a consistent frame, only its content is wrong
    forged = struct.pack("<4sIII", b"RNC1", len(head), len(payload), crc) + head + payload
    columns.write_bytes(forged + data[first.size :])
    assert answers(trained.dir) == answers(without_frames(trained.dir, tmp_path / "plain"))


def test_a_resumed_run_drops_a_torn_last_frame_and_frames_on_after_it(tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    first = train(storage, 20_000, system_metrics=False)
    columns = first.dir / fmt.COLUMNS_FILE
    whole = columns.read_bytes()
    columns.write_bytes(whole[:-10])  # a crash while the last frame was written
    resumed = train(storage, 20_000, run_id=first.id, start=20_000, system_metrics=False)
    with open(columns, "rb") as f:
        refs = frame_refs(f)
    assert valid_length(columns) == columns.stat().st_size  # nothing torn is left
    assert refs[-1].end == (resumed.dir / fmt.EVENTS_FILE).stat().st_size
    answer = answers(resumed.dir)
    assert answer == answers(without_frames(resumed.dir, tmp_path / "plain"))
    assert answer["step"]["series"]["train/acc"]["count"] == 40_000


def test_framing_waits_within_its_budget_and_catches_up_when_the_run_finishes(tmp_path: Path) -> None:
    events, columns = tmp_path / fmt.EVENTS_FILE, tmp_path / fmt.COLUMNS_FILE
    line = fmt.encode_event(fmt.METRICS, {"loss": 0.5, fmt.STEP_KEY: 1, fmt.TIME_KEY: 1.0}, 1.0)
    now = [0.0]
    frames = FramesWriter(events, columns, block_bytes=4096, budget=0.0, clock=lambda: now[0])
    frames.events_opened(0)
    with open(events, "ab") as f:
        for _ in range(200):
            f.write(line * 10)
            f.flush()
            frames.written(len(line) * 10)
            now[0] += 1.0
    assert not columns.exists()  # a zero budget: nothing framed while the run goes on
    frames.close()
    with open(columns, "rb") as f:
        refs = frame_refs(f)
    assert refs[-1].end == events.stat().st_size and len(refs) >= events.stat().st_size // 4096 - 1


def test_framing_stops_at_a_line_still_incomplete_however_long(tmp_path: Path) -> None:
    events = tmp_path / fmt.EVENTS_FILE
    line = fmt.encode_event(fmt.METRICS, {"loss": 0.5, fmt.STEP_KEY: 1, fmt.TIME_KEY: 1.0}, 1.0)
    long_line = fmt.encode_event(fmt.METRICS, {"loss": 0.25, "note_len": 1.0, "x" * 1_500_000: 1.0}, 2.0)
    unterminated = b'{"ts": 1.0, "type": "metrics", "data": {"x": "' + b"y" * 700_000
    events.write_bytes(line * 3 + long_line + unterminated)
    frame_events_file(tmp_path)  # returns (it looped forever on a long unterminated tail)
    with open(tmp_path / fmt.COLUMNS_FILE, "rb") as f:
        refs = frame_refs(f)
    whole = len(line) * 3 + len(long_line)
    assert (refs[0].start, refs[-1].end) == (0, whole)  # a line longer than a frame is framed whole
    assert answers(tmp_path) == answers(without_frames(tmp_path, tmp_path / "plain"))


def test_a_frames_file_that_cannot_be_written_costs_the_run_nothing(tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    run = rn.init(project="p", name="n", storage=storage, capture_console=False, system_metrics=False)
    (run.dir / fmt.COLUMNS_FILE).mkdir()  # in the way of the frames file
    for i in range(30_000):
        run.log({"loss": float(i)})
    run.finish()
    assert (run.dir / fmt.COLUMNS_FILE).is_dir()
    answer = answers(run.dir)
    assert answer["step"]["series"]["loss"]["count"] == 30_000
    assert fmt.read_json(run.dir / fmt.STATUS_FILE)["status"] == fmt.FINISHED


def test_whole_frames_length_counts_only_complete_frames(trained: rn.Run) -> None:
    data = (trained.dir / fmt.COLUMNS_FILE).read_bytes()
    with open(trained.dir / fmt.COLUMNS_FILE, "rb") as f:
        refs = frame_refs(f)
    second_end = refs[1].position + refs[1].size
    assert whole_frames_length(data) == len(data)
    assert whole_frames_length(data[: second_end + 5]) == second_end
    assert whole_frames_length(data[:10]) == 0
