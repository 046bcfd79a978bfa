"""The W&B transaction log reader (runicorn/archive/wandb_records.py) and the Record fields it
decodes (wandb_wire.py), on logs framed by tests/wandb_log_writer.py: block edges, padding,
records over several blocks, and the decoded fields (docs/wandb.md#a-transaction-log-that-is-not-trusted)."""

from __future__ import annotations

from pathlib import Path

import pytest
from wandb_log_writer import BLOCK, EXIT, HEADER, field, frame, history, item, number_field, run_record

from runicorn.archive import wandb_wire as wire
from runicorn.archive.wandb_records import WandbLog
from runicorn.archive.wandb_run import find_runs, system_sample, tree


def _read(tmp_path: Path, data: bytes) -> tuple[list[bytes], WandbLog]:
    path = tmp_path / "run-x.wandb"
    path.write_bytes(data)
    log = WandbLog(path)
    return [raw for _, raw in log.records()], log


@pytest.mark.parametrize("size", [0, 1, BLOCK - 7 - 7 - 6, BLOCK - 7 - 7, BLOCK - 7, BLOCK, 3 * BLOCK + 11])
def test_records_of_every_size_come_back_whole_across_block_edges(tmp_path: Path, size: int) -> None:
    # a record of `size` bytes after one that leaves the block 6, 7 or more bytes short of its end
    records = [b"a" * size, b"b" * 5, b"c" * (BLOCK // 2), b""]
    read, log = _read(tmp_path, frame(*records))
    assert read == records and log.damage == []


def test_padding_at_a_block_end_is_skipped(tmp_path: Path) -> None:
    first = b"x" * (BLOCK - len(HEADER) - 7 - 3)  # leaves 3 bytes: zeros, then the next block
    data = frame(first, b"next")
    assert data[BLOCK - 3 : BLOCK] == bytes(3)
    assert _read(tmp_path, data)[0] == [first, b"next"]


def test_offsets_name_where_each_record_starts(tmp_path: Path) -> None:
    path = tmp_path / "run-x.wandb"
    path.write_bytes(frame(b"one", b"two"))
    assert [offset for offset, _ in WandbLog(path).records()] == [7, 7 + 7 + 3]


def test_a_log_cut_inside_a_record_over_several_blocks_keeps_the_records_before(tmp_path: Path) -> None:
    data = frame(b"first", b"z" * (2 * BLOCK))
    read, log = _read(tmp_path, data[: BLOCK + 100])
    assert read == [b"first"]
    (damage,) = log.damage
    assert (damage.start, damage.end, damage.cut) == (7 + 7 + 5, BLOCK + 100, True)


def test_history_items_decode_keys_paths_values_and_the_step() -> None:
    body = (
        field(1, item(["val", "acc"], "0.5")) + field(1, item(["_step"], "3")) + field(2, number_field(1, 3))
    )
    kind, message = wire.record_kind(field(2, body))
    assert kind == wire.HISTORY
    items, step = wire.history(message)
    assert items == [(("val", "acc"), b"0.5"), (("_step",), b"3")] and step == 3
    assert tree(items) == {"val": {"acc": 0.5}, "_step": 3}


def test_a_key_item_and_a_whole_dict_value_make_the_same_tree() -> None:
    by_leaf = [(("img", "_type"), b'"image-file"'), (("img", "path"), b'"media/a.png"')]
    whole = [(("img",), b'{"_type": "image-file", "path": "media/a.png"}')]
    assert tree(by_leaf) == tree(whole) == {"img": {"_type": "image-file", "path": "media/a.png"}}
    assert tree([(("x",), b"NaN")])["x"] != tree([(("x",), b"NaN")])["x"]  # W&B's bare NaN


def test_run_record_fields_and_a_negative_exit_code() -> None:
    kind, message = wire.record_kind(run_record("my run"))
    info = wire.run(message)
    assert (kind, info.project, info.display_name, info.run_id, info.start_time) == (
        wire.RUN,
        "hostile",
        "my run",
        "x1",
        1_795_000_000.0,
    )
    assert wire.exit_code(wire.record_kind(EXIT)[1]) == 0
    minus_one = field(18, number_field(1, (1 << 64) - 1))  # int32 -1: ten bytes of varint
    assert wire.exit_code(wire.record_kind(minus_one)[1]) == -1


def test_unknown_record_kinds_and_fields_pass_unread() -> None:
    unknown = field(99, b"anything") + number_field(1, 7) + b"\x0d\x00\x00\x00\x00"  # 32-bit field
    assert wire.record_kind(unknown) == (0, b"")
    assert wire.history(wire.record_kind(history(4) + unknown)[1])[1] == 4


def test_gpu_metrics_of_a_system_sample_take_runicorn_s_system_keys() -> None:
    items = [
        field(3, item(["gpu.0.gpu"], "87.5")),
        field(3, item(["gpu.1.memoryAllocatedBytes"], "1073741824")),
        field(3, item(["gpu.0.temp"], "61")),
        field(3, item(["gpu.0.powerWatts"], "230.25")),
        field(3, item(["memory_percent"], "12.5")),  # no Runicorn twin: left out
        field(3, item(["gpu.0.gpu.extra"], "1")),
    ]
    kind, message = wire.record_kind(field(7, field(2, number_field(1, 1_795_000_000)) + b"".join(items)))
    assert kind == wire.STATS
    sample = system_sample(*wire.stats(message))
    assert sample is not None and sample.wall_time == 1_795_000_000.0
    assert sample.values == {
        "gpu0/util_percent": 87.5,
        "gpu1/mem_used_bytes": 1073741824.0,
        "gpu0/temp_c": 61.0,
        "gpu0/power_w": 230.25,
    }
    assert system_sample(None, [(("gpu.0.gpu",), b"1")]) is None  # no time, no sample


def test_run_folders_are_found_at_any_depth_but_not_through_links_or_dot_folders(tmp_path: Path) -> None:
    def run(rel: str) -> Path:
        folder = tmp_path / rel
        (folder / "files").mkdir(parents=True)
        (folder / f"run-{folder.name[-1]}.wandb").write_bytes(frame(EXIT))
        return folder

    run("project/files/wandb/offline-run-20261208_010000-a")  # under a folder named files
    run("project/wandb/run-20261208_010000-b")  # an online run's folder
    run("project/.cache/offline-run-20261208_010000-c")  # a dot folder: skipped
    (tmp_path / "project" / "wandb" / "latest-run").symlink_to(
        tmp_path / "project" / "wandb" / "run-20261208_010000-b"
    )
    found = find_runs(tmp_path / "project")
    assert [r.rel for r in found] == [
        "files/wandb/offline-run-20261208_010000-a",
        "wandb/run-20261208_010000-b",
    ]
    one = tmp_path / "project" / "wandb" / "run-20261208_010000-b"
    assert [r.dir for r in find_runs(one)] == [one]
    assert [r.dir for r in find_runs(one / "run-b.wandb")] == [one]
