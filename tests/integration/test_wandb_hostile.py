"""``runicorn import`` of crafted W&B transaction logs (``.wandb``), run as a user runs it (a real
process): each ends in an ``error:`` line naming the file, or imports what is whole with a
``note:`` about the rest, never a traceback; nothing is held past its bound
(docs/wandb.md#a-transaction-log-that-is-not-trusted).

The logs are framed here by a small writer of W&B's layout (LevelDB log blocks behind a ``:W&B``
header) and protocol buffer fields written by hand, so every byte can be wrong on purpose."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from runicorn import format as fmt
from runicorn.archive.wandb_records import WandbLog
from runicorn.errors import ArchiveError

HEADER = b":W&B" + struct.pack("<HB", 0xBEE1, 0)
BLOCK = 32 * 1024
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4
START = 1_795_000_000


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number: int, payload: bytes) -> bytes:
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def number_field(number: int, value: int) -> bytes:
    return varint(number << 3) + varint(value)


def item(path: list[str], value_json: str | bytes) -> bytes:
    raw = value_json if isinstance(value_json, bytes) else value_json.encode()
    return b"".join(field(2, part.encode()) for part in path) + field(16, raw)


def history(step: int, **values: object) -> bytes:
    items = [item(["_step"], str(step)), item(["_timestamp"], str(START + step))]
    items += [item([key], json.dumps(value)) for key, value in values.items()]
    return field(2, b"".join(field(1, i) for i in items) + field(2, number_field(1, step)))


def run_record(name: str = "crafted") -> bytes:
    start = field(17, number_field(1, START))
    return field(17, field(1, b"x1") + field(3, b"hostile") + field(8, name.encode()) + start)


EXIT = field(18, number_field(1, 0))


def frame(*records: bytes) -> bytes:
    """W&B's framing: 32 KiB blocks from byte 0, chunks never crossing one."""
    out = bytearray(HEADER)
    for data in records:
        first = True
        while True:
            left = BLOCK - len(out) % BLOCK
            if left < 7:
                out += bytes(left)
                continue
            piece, data = data[: left - 7], data[left - 7 :]
            kind = (FULL if not data else FIRST) if first else (LAST if not data else MIDDLE)
            out += struct.pack("<IHB", zlib.crc32(bytes([kind]) + piece), len(piece), kind) + piece
            first = False
            if not data:
                break
    return bytes(out)


GOOD = [run_record(), *(history(i, loss=1.0 / (i + 1)) for i in range(3))]
MANY = [run_record(), *(history(i, loss=float(i), pad="x" * 40) for i in range(2000)), EXIT]


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x55]) + data[at + 1 :]


# name -> (bytes of the .wandb file, "error" or "note", a piece of what is printed)
CASES: dict[str, tuple[bytes, str, str]] = {
    "not_wandb": (b"PK\x03\x04" + frame(*GOOD)[4:], "error", "not a W&B transaction log"),
    "version_9": (HEADER[:6] + b"\x09" + frame(*GOOD)[7:], "error", "version 9"),
    "bad_protobuf": (frame(run_record(), field(2, b"\x0a\xff\x01")), "error", "runs past the end"),
    "long_varint": (frame(run_record(), b"\x08" + b"\xff" * 12), "error", "varint"),
    "group_wire_type": (frame(run_record(), b"\x0b\x0c"), "error", "wire type 3"),
    "deep_value": (
        frame(run_record(), field(2, field(1, item(["v"], "[" * 5000 + "]" * 5000)))),
        "error",
        "levels",
    ),
    "deep_key": (
        frame(run_record(), field(2, field(1, item(["k"] * 40, "1")))),
        "error",
        "nested more than 32",
    ),
    "long_key": (frame(run_record(), field(2, field(1, item(["k" * 5000], "1")))), "error", "a key of 5000"),
    "not_json": (frame(run_record(), field(2, field(1, item(["v"], "{nope")))), "error", "not JSON"),
    "not_utf8": (
        frame(run_record(), field(2, field(1, field(2, b"\xff\xfe") + field(16, b"1")))),
        "error",
        "UTF-8",
    ),
    "truncated": (frame(*GOOD, EXIT)[:-3], "note", "the last "),
    "huge_chunk_length": (
        frame(*GOOD) + struct.pack("<IHB", 0, 0xFFFF, FULL) + b"x" * 10,
        "note",
        "bytes are damaged (no record can be read from them)",
    ),
    "bit_flip": (_flip(frame(*MANY), 40_000), "note", "are damaged and were skipped"),
}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("RUNICORN_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "runicorn.cli", *args], capture_output=True, text=True, env=env, timeout=60
    )


def _write_run(folder: Path, data: bytes) -> Path:
    run = folder / "offline-run-20261208_010000-x1"
    (run / "files").mkdir(parents=True)
    (run / "run-x1.wandb").write_bytes(data)
    return run


def test_every_crafted_log_ends_in_an_error_or_a_note(tmp_path: Path) -> None:
    for name, (data, outcome, said) in CASES.items():
        storage = tmp_path / name / "storage"
        _write_run(tmp_path / name / "wandb", data)
        result = _cli("import", "--storage", str(storage), str(tmp_path / name / "wandb"))
        assert "Traceback" not in result.stderr, (name, result.stderr)
        runs = list(storage.rglob(fmt.META_FILE))
        if outcome == "error":
            lines = result.stderr.splitlines()
            assert result.returncode == 1, (name, result.stdout)
            assert lines[0].startswith("error: cannot import ") and "run-x1.wandb" in lines[0], (name, lines)
            assert said in lines[0], (name, lines[0])
            assert lines[1].startswith("hint: "), (name, lines)
            assert runs == [], name  # nothing of the run was written
        else:
            assert result.returncode == 0, (name, result.stderr)
            assert "note: run-x1.wandb: " in result.stdout and said in result.stdout, (name, result.stdout)
            assert len(runs) == 1, name


def test_records_after_a_damaged_block_are_read_again(tmp_path: Path) -> None:
    _write_run(tmp_path / "wandb", CASES["bit_flip"][0])
    result = _cli("import", "--storage", str(tmp_path / "storage"), str(tmp_path / "wandb"))
    assert result.returncode == 0, result.stderr
    (events,) = (tmp_path / "storage").rglob(fmt.EVENTS_FILE)
    records = [fmt.decode_event(line) for line in events.read_bytes().splitlines()]
    steps = [r["data"][fmt.STEP_KEY] for r in records if r]
    lost = sorted(set(range(2000)) - set(steps))
    assert steps == sorted(steps) and 0 < len(lost) < 600  # one 32 KiB block of records, no more
    assert steps[-1] == 1999  # the blocks after the damaged one were read
    (status,) = (tmp_path / "storage").rglob(fmt.STATUS_FILE)
    assert fmt.read_json(status)["status"] == fmt.FINISHED  # its exit record came after the damage


def test_a_block_of_zeros_is_skipped_without_a_note(tmp_path: Path) -> None:
    data = frame(*GOOD)
    data += bytes(BLOCK - len(data) % BLOCK) + bytes(BLOCK)  # space a writer reserved, then nothing
    log = tmp_path / "run-x1.wandb"
    log.write_bytes(data + frame(EXIT)[len(HEADER) :])
    reader = WandbLog(log)
    assert len(list(reader.records())) == len(GOOD) + 1 and reader.damage == []


def test_a_record_or_a_count_past_its_bound_is_refused(tmp_path: Path) -> None:
    log = tmp_path / "run-x1.wandb"
    log.write_bytes(frame(run_record(), history(0, blob="y" * 100_000)))  # one record over 4 blocks
    with pytest.raises(ArchiveError, match="a record longer than the 50000 bytes"):
        list(WandbLog(log, max_record_bytes=50_000).records())
    assert len(list(WandbLog(log).records())) == 2
    with pytest.raises(ArchiveError, match="more than the 1 records"):
        list(WandbLog(log, max_records=1).records())


def test_media_paths_never_leave_the_run_folder(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG not yours")
    image = {"_type": "image-file", "path": "../../../secret.png"}
    linked = {"_type": "image-file", "path": "media/link.png"}
    record = field(2, field(1, item(["_step"], "0")) + field(1, item(["a"], json.dumps(image))))
    record2 = field(2, field(1, item(["_step"], "1")) + field(1, item(["b"], json.dumps(linked))))
    run = _write_run(tmp_path / "wandb", frame(run_record(), record, record2, EXIT))
    (run / "files" / "media").mkdir()
    (run / "files" / "media" / "link.png").symlink_to(secret)
    (run / "files" / "other.txt").symlink_to(secret)  # a link no files record names

    result = _cli("import", "--storage", str(tmp_path / "storage"), str(tmp_path / "wandb"))
    assert result.returncode == 0, result.stderr
    assert "2 media files named in the history were missing or not plain files" in result.stdout
    copies = [p for p in (tmp_path / "storage").rglob("*") if p.is_file() and b"not yours" in p.read_bytes()]
    assert copies == []
