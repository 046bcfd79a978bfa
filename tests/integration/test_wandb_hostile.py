"""``runicorn import`` of crafted W&B transaction logs (``.wandb``), run as a user runs it (a real
process): each ends in an ``error:`` line naming the file, or imports what is whole with a
``note:`` about the rest, never a traceback; nothing is held past its bound
(docs/wandb.md#a-transaction-log-that-is-not-trusted).

The logs are framed by a small writer of W&B's layout (tests/wandb_log_writer.py), so every
byte can be wrong on purpose."""

from __future__ import annotations

import json
import os
import random
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from wandb_log_writer import (
    BLOCK,
    EXIT,
    FULL,
    HEADER,
    START,
    field,
    frame,
    history,
    item,
    number_field,
    run_record,
)

from runicorn import format as fmt
from runicorn.archive import import_wandb
from runicorn.archive.wandb_records import WandbLog
from runicorn.errors import ArchiveError

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


def test_a_log_cut_before_its_run_record_falls_back_on_the_files_folder(tmp_path: Path) -> None:
    run = _write_run(tmp_path / "wandb", frame(history(0, loss=0.5), history(1, loss=0.25))[:-4])
    files = run / "files"
    (files / "config.yaml").write_text(
        "_wandb:\n  value: {cli_version: 0.31.0}\nlr:\n  desc: null\n  value: 0.1\n"
    )
    (files / "wandb-summary.json").write_text('{"loss": 0.25, "best": 0.2, "_wandb": {"runtime": 3}}')
    (files / "wandb-metadata.json").write_text('{"startedAt": "2026-11-23T10:15:00.000000Z"}')
    (files / "output.log").write_text("epoch 1\nepoch 2\n")
    (files / "aliased.yaml").write_text("a: &x [1]\nb: *x\n")  # kept as a file, never expanded

    result = _cli("import", "--storage", str(tmp_path / "storage"), str(tmp_path / "wandb"))
    assert result.returncode == 0, result.stderr
    assert "note: run-x1.wandb: the last " in result.stdout
    (run_dir,) = (tmp_path / "storage" / "wandb" / "default" / fmt.RUNS_DIR).iterdir()
    assert run_dir.name.startswith("20261123_") or run_dir.name.startswith("20261122_")  # local time
    assert fmt.read_json(run_dir / fmt.CONFIG_FILE) == {"lr": 0.1}
    assert fmt.read_json(run_dir / fmt.SUMMARY_FILE) == {"loss": 0.25, "best": 0.2}
    assert (run_dir / fmt.LOGS_FILE).read_text().count("epoch ") == 2
    assert (run_dir / fmt.FILES_DIR / "aliased.yaml").is_file()


def test_odd_numbers_and_times_import_without_a_traceback(tmp_path: Path) -> None:
    big, huge = "1" + "0" * 30, "1" + "0" * 400
    start = field(17, number_field(1, 10**15))  # a start time past the year 5000
    odd_run = field(17, field(3, b"odd") + start)
    row = field(
        2,
        field(1, item(["_step"], "0"))
        + field(1, item(["_timestamp"], "NaN"))
        + field(1, item(["big"], big))
        + field(1, item(["huge"], huge))
        + field(1, item(["h"], '{"_type": "histogram", "bins": [0, ' + huge + '], "values": [1]}'))
        + field(1, item(["t"], '{"_type": "table-file", "path": "media/t.table.json"}')),
    )
    late_output = field(13, number_field(1, 1) + field(2, number_field(1, 10**15)) + field(3, b"late\n"))
    run = _write_run(tmp_path / "wandb", frame(odd_run, row, late_output, EXIT))
    (run / "files" / "media").mkdir()
    (run / "files" / "media" / "t.table.json").write_text(
        '{"columns": ["a"], "data": [[NaN], [' + big + "]]}"
    )

    result = _cli("import", "--storage", str(tmp_path / "storage"), str(tmp_path / "wandb"))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    (events,) = (tmp_path / "storage").rglob(fmt.EVENTS_FILE)
    records = [fmt.decode_event(line) for line in events.read_bytes().splitlines()]
    (metrics,) = [r["data"] for r in records if r and r["type"] == fmt.METRICS]
    assert metrics["big"] == 1e30 and "huge" not in metrics
    assert [r["type"] for r in records if r] == [fmt.METRICS]  # the bad histogram and table: notes
    assert "media values were not what their type says" in result.stdout


def test_randomly_changed_logs_import_or_end_in_an_archive_error(tmp_path: Path) -> None:
    summary = field(3, field(1, item(["best"], "0.5")) + field(2, item(["gone"], "")))
    config = field(5, field(1, item(["lr"], "0.1")))
    output = field(4, number_field(1, 1) + field(2, number_field(1, START)) + field(3, b"a line"))
    files = field(6, field(1, field(1, b"notes.txt")))
    image = field(2, field(1, item(["img"], '{"_type": "image-file", "path": "media/i.png"}')))
    records = [run_record(), config, *(history(i, loss=float(i)) for i in range(50)), summary]
    data = frame(*records, output, files, image, EXIT)
    rng = random.Random(25)
    for case in range(60):
        changed = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(HEADER), len(changed))
            changed[at] = rng.randrange(256)
        if case % 3 == 0:  # recompute the chunk CRCs: the change reaches the protobuf decoder
            changed = bytearray(frame(*(_mutate(r, rng) for r in records), EXIT))
        folder = tmp_path / str(case) / "wandb"
        _write_run(folder, bytes(changed))
        try:
            import_wandb(folder, tmp_path / str(case) / "storage")
        except ArchiveError:
            pass


def _mutate(record: bytes, rng: random.Random) -> bytes:
    if not record or rng.random() < 0.7:
        return record
    at = rng.randrange(len(record))
    return record[:at] + bytes([rng.randrange(256)]) + record[at + 1 :]


def test_a_log_that_grew_is_imported_as_a_new_run_beside_the_first(tmp_path: Path) -> None:
    run = _write_run(tmp_path / "wandb", frame(*GOOD))
    first = import_wandb(tmp_path / "wandb", tmp_path / "storage")
    (run / "run-x1.wandb").write_bytes(frame(*GOOD, history(3, loss=0.2), EXIT))  # the run went on
    second = import_wandb(tmp_path / "wandb", tmp_path / "storage")
    assert [r.outcome for r in first + second] == ["imported", "imported"]
    assert first[0].run_id != second[0].run_id and second[0].steps == 4
    assert any(f"run {first[0].run_id} was imported earlier" in note for note in second[0].notes)
    again = import_wandb(tmp_path / "wandb", tmp_path / "storage")
    assert [(r.outcome, r.run_id) for r in again] == [("skipped", second[0].run_id)]


def test_text_with_a_lone_surrogate_is_kept_with_a_replacement_character(tmp_path: Path) -> None:
    # W&B's JSON may escape a lone surrogate ("\ud800"), which is no UTF-8: the row keeps the rest
    row_values = history(0, note="a\ud800b", tags=["x", "\udfff"])
    _write_run(tmp_path / "wandb", frame(run_record(), row_values, EXIT))
    (result,) = import_wandb(tmp_path / "wandb", tmp_path / "storage")
    lines = (result.path / fmt.EVENTS_FILE).read_bytes().splitlines()
    (row,) = [r["data"] for r in map(fmt.decode_event, lines) if r and r["type"] == fmt.METRICS]
    assert (row["note"], row["tags"]) == ("a\ufffdb", ["x", "\ufffd"])
