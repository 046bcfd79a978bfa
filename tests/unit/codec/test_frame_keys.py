"""One key out of events.columns: the frames a wide run leaves give, for the keys asked, exactly
what the full read of each frame gives (NaN and infinities included), without the other columns;
a column list seen before is reused only where it really stands."""

from __future__ import annotations

import math
import os
import zlib
from pathlib import Path
from typing import Any

import orjson
import pytest

import runicorn as rn
from runicorn import format as fmt
from runicorn.codec.blocks import Block, Rows
from runicorn.codec.checksum import crc32
from runicorn.codec.frame_keys import ColumnLayouts, key_frames
from runicorn.codec.frames import PREFIX, encode_frame, frame_refs, read_frame

KEYS = ["layer0/m1", "layer0/m2", "layer3/m4", "val/loss", "not/logged"]


def wide_run(storage: Path, keys: int = 80, steps: int = 1000) -> Path:
    """``keys`` metrics per step through the SDK: NaN and infinities in some, a sparse
    ``val/loss`` (its rows explicit), two stages."""
    run = rn.init(project="p", name="wide", storage=storage, capture_console=False, system_metrics=False)
    for i in range(steps):
        values: dict[str, float] = {f"layer{k // 10}/m{k % 10}": (i + 1) * (k + 1) / 7 for k in range(keys)}
        if i % 7 == 3:
            values["layer0/m1"] = math.nan
            values["layer0/m2"] = math.inf if i % 2 else -math.inf
        if i % 10 == 0:
            values["val/loss"] = 1 / (i + 1)
        run.log(values, stage="train" if i % 100 < 80 else "eval")
    run.finish()
    return run.dir


def same_rows(part: Rows, full: Rows, keys: list[str]) -> None:
    assert part.count == full.count
    assert part.steps.tobytes() == full.steps.tobytes() and part.times.tobytes() == full.times.tobytes()
    assert part.stages == full.stages
    assert (part.steps_lead, part.times_lead) == (full.steps_lead, full.times_lead)
    wanted = [k for k in keys if k in full.columns]
    assert sorted(part.columns) == sorted(wanted)
    for key in wanted:
        rows, values = part.columns[key]
        full_rows, full_values = full.columns[key]
        assert rows == full_rows and values.tobytes() == full_values.tobytes()  # NaN bits too
        assert part.nonfinite.get(key, []) == full.nonfinite.get(key, [])


def full_blocks(path: Path) -> list[tuple[Any, Block | None]]:
    with open(path, "rb") as f:
        return [(ref, read_frame(f, ref)) for ref in frame_refs(f)]


def test_a_key_read_from_each_frame_equals_the_full_read_of_it(tmp_path: Path) -> None:
    run_dir = wide_run(tmp_path / "storage")
    columns = run_dir / fmt.COLUMNS_FILE
    full = full_blocks(columns)
    assert len(full) >= 3
    layouts = ColumnLayouts()
    for _ in range(2):  # the second pass takes every column list from what the first parsed
        with open(columns, "rb") as f:
            got = list(key_frames(f, KEYS, layouts))
        assert [ref for ref, _ in got] == [ref for ref, _ in full]
        for (_, block), (_, whole) in zip(got, full, strict=True):
            assert block is not None and whole is not None and whole.metrics is not None
            assert block.metrics is not None and block.system is None and block.images == []
            assert (block.nbytes, block.malformed) == (whole.nbytes, whole.malformed)
            same_rows(block.metrics, whole.metrics, KEYS)
    nonfinite = [b.metrics.nonfinite for _, b in got if b is not None and b.metrics is not None]
    assert any("layer0/m1" in n and "layer0/m2" in n for n in nonfinite)


def test_reading_on_from_a_frame_position_gives_the_frames_after_it(tmp_path: Path) -> None:
    columns = wide_run(tmp_path / "storage", keys=70, steps=600) / fmt.COLUMNS_FILE
    with open(columns, "rb") as f:
        refs = frame_refs(f)
        later = [ref for ref, _ in key_frames(f, KEYS, position=refs[1].position)]
    assert later == refs[1:]


def test_a_known_column_list_elsewhere_in_a_header_is_not_taken_for_the_metrics_one(tmp_path: Path) -> None:
    columns = wide_run(tmp_path / "storage") / fmt.COLUMNS_FILE
    ref, whole = full_blocks(columns)[0]
    assert whole is not None and whole.metrics is not None
    data = columns.read_bytes()
    head_len = PREFIX.unpack_from(data)[1]
    column_list = orjson.loads(data[PREFIX.size : PREFIX.size + head_len])["metrics"]["columns"]
    # The same list under "columns" in an image record, which the encoder writes first.
    whole.images = [{"columns": column_list, "path": "media/x.png"}]
    forged = tmp_path / "forged.columns"
    forged.write_bytes(encode_frame(whole, ref.start, ref.events_crc))
    layouts = ColumnLayouts()
    layouts.parse(data[PREFIX.size : PREFIX.size + head_len])  # the list is known now
    forged_head = forged.read_bytes()[PREFIX.size : PREFIX.size + PREFIX.unpack_from(forged.read_bytes())[1]]
    header, _ = layouts.parse(forged_head)
    assert header["metrics"]["columns"] is None  # the known list, not parsed again
    assert header["images"][0]["columns"] == column_list  # the one in the record left as it is
    with open(forged, "rb") as f:
        (_, block), *_ = key_frames(f, KEYS, layouts)
    assert block is not None and block.metrics is not None
    same_rows(block.metrics, whole.metrics, KEYS)


@pytest.mark.parametrize(
    "lie",
    [{"count": 3}, {"columns": [["layer0/m1", 5, 5]]}, {"nonfinite": {"layer0/m1": [10**9]}}],
    ids=["count", "columns", "nonfinite"],
)
def test_a_frame_whose_header_lies_under_a_valid_crc_gives_no_block(tmp_path: Path, lie: dict) -> None:
    columns = wide_run(tmp_path / "storage", keys=70, steps=300) / fmt.COLUMNS_FILE
    ref, whole = full_blocks(columns)[0]
    data = columns.read_bytes()
    _, head_len, payload_len, _ = PREFIX.unpack_from(data)
    header = orjson.loads(data[PREFIX.size : PREFIX.size + head_len])
    header["metrics"].update(lie)
    head = orjson.dumps(header)
    payload = data[PREFIX.size + head_len : PREFIX.size + head_len + payload_len]
    forged = tmp_path / "forged.columns"
    crc = zlib.crc32(payload, zlib.crc32(head))
    forged.write_bytes(PREFIX.pack(b"RNC1", len(head), len(payload), crc) + head + payload)
    with open(forged, "rb") as f:
        (got_ref, block), *_ = key_frames(f, KEYS)
    assert got_ref.start == ref.start and block is None


@pytest.mark.parametrize("damage", ["flipped", "torn", "garbage"])
def test_a_damaged_frame_gives_no_block_and_a_foreign_file_no_frames(tmp_path: Path, damage: str) -> None:
    columns = wide_run(tmp_path / "storage", keys=70, steps=300) / fmt.COLUMNS_FILE
    data = columns.read_bytes()
    size = PREFIX.size + sum(PREFIX.unpack_from(data)[1:3])
    if damage == "flipped":  # a bit of the first frame's payload: its CRC no longer holds
        at = size - 100
        columns.write_bytes(data[:at] + bytes([data[at] ^ 0x10]) + data[at + 1 :])
    elif damage == "torn":
        columns.write_bytes(data[: size - 1])
    else:
        columns.write_bytes(b"not a frame at all, just bytes" * 10)
    with open(columns, "rb") as f:
        got = list(key_frames(f, KEYS))
    if damage == "flipped":
        assert got[0][1] is None and all(block is not None for _, block in got[1:])
    else:
        assert got == []


def test_the_checksum_is_zlibs_crc32_whichever_library_computes_it() -> None:
    data = os.urandom(300_000)
    for piece in (b"", data[:1], data[:5000], data, memoryview(data)[7:], bytearray(data[:70_000])):
        assert crc32(piece) == zlib.crc32(piece)
    assert crc32(data[1000:], crc32(data[:1000])) == zlib.crc32(data)  # a starting value carries on
