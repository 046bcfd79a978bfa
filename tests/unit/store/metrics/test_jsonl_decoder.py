"""The cold read of a long stretch of events.jsonl and the viewer's decoded cache: the same
answers as a plain read in one thread, whatever the lines hold, decoded or taken from the cache."""

from __future__ import annotations

import copy
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from runicorn import format as fmt
from runicorn.codec.blocks import cut_blocks, decode_block
from runicorn.store.metrics import jsonl_decoder
from runicorn.store.metrics.columns import ColumnSet
from runicorn.store.metrics.decode_pool import DecodePool
from runicorn.store.metrics.decoded_cache import DecodedCache, version_name
from runicorn.store.metrics.jsonl_decoder import JsonlDecoder
from runicorn.store.metrics.series import RunSeries

GOLDEN = Path(__file__).resolve().parents[3] / "data" / "jsonl-golden" / fmt.EVENTS_FILE
DATA = Path(__file__).resolve().parents[3] / "data"


def _answers(series: RunSeries) -> dict[str, Any]:
    """Everything a user sees of a run's metrics: every key on every x, system, images."""
    series.update()
    answers: dict[str, Any] = {
        "images": series.images,
        "malformed": series.malformed,
        "offset": series.offset,
        "system": series.metrics(system=True, x="time", max_points=100000),
    }
    for x in ("step", "time", "elapsed"):
        answers[x] = series.metrics(x=x, max_points=100000)
        answers[x + " downsampled"] = series.metrics(x=x, max_points=30)
    for key in series.metric_keys():
        if not key.startswith("w"):  # the wide line's keys: one point each, in the answers above
            answers["points " + key] = series.points(key)
    return _nan_safe(answers)


def _nan_safe(value: Any) -> Any:
    """NaN != NaN: spelled out so that answers compare."""
    if isinstance(value, float) and value != value:
        return "NaN"
    if isinstance(value, dict):
        return {k: _nan_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_nan_safe(v) for v in value]
    return value


def _run(tmp_path: Path, source: Path, name: str = "run") -> Path:
    run = tmp_path / name
    run.mkdir()
    shutil.copy(source, run / fmt.EVENTS_FILE)
    return run


def test_the_golden_file_answers_the_same_decoded_then_from_the_cache(tmp_path: Path) -> None:
    run = _run(tmp_path, GOLDEN)
    plain = _answers(RunSeries(run))
    assert plain["malformed"] == 7
    cache = DecodedCache(tmp_path / "cache")
    first, first_decoder = _cached_reader(run, cache)
    assert _answers(first) == plain
    cache.wait()
    assert first_decoder.decoded_blocks > 0 and first_decoder.cached_blocks == 0
    second, second_decoder = _cached_reader(run, cache)
    assert _answers(second) == plain
    assert second_decoder.cached_blocks > 0 and second_decoder.decoded_blocks == 0


def test_blocks_decoded_by_the_worker_processes_are_kept_too(tmp_path: Path) -> None:
    run = _run(tmp_path, GOLDEN)
    cache = DecodedCache(tmp_path / "cache")
    pool = DecodePool(workers=2, min_bytes=0, piece_bytes=20_000, block_bytes=3_000)
    pool.caller_helps = False  # every piece decoded by a worker, however busy the machine is
    try:
        assert pool.start()
        series = RunSeries(run, pool, JsonlDecoder(cache, min_bytes=0))
        assert _answers(series) == _answers(RunSeries(run))
        assert pool.failed is None and pool.pieces_by_workers > 0
    finally:
        pool.close()
    cache.wait()
    second, decoder = _cached_reader(run, cache)
    assert _answers(second) == _answers(RunSeries(run))
    assert decoder.cached_blocks > 0 and decoder.decoded_blocks == 0


@pytest.mark.parametrize(
    "source",
    [
        DATA / "pypi-0.7.2/storage/runs/vision/resnet/20261123_152633_1a8cca" / fmt.EVENTS_FILE,
        DATA / "legacy-0.2-0.5/runs/20231114_221420_d4e5f6" / fmt.EVENTS_FILE,
    ],
    ids=["pypi-0.7.2", "legacy-0.2"],
)
def test_runs_of_the_pypi_package_answer_the_same_from_the_cache(tmp_path: Path, source: Path) -> None:
    run = _run(tmp_path, source)
    cache = DecodedCache(tmp_path / "cache")
    _answers(_cached_reader(run, cache)[0])
    cache.wait()
    second, decoder = _cached_reader(run, cache)
    assert _answers(second) == _answers(RunSeries(run))
    assert decoder.cached_blocks > 0


def test_a_truncated_last_line_waits_until_it_is_complete(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    path = run / fmt.EVENTS_FILE
    lines = [
        fmt.encode_event(fmt.METRICS, {"loss": 1.0 / (s + 1), fmt.STEP_KEY: s}, 1.0 + s) for s in range(50)
    ]
    path.write_bytes(b"".join(lines[:30]) + lines[30][:20])
    series = RunSeries(run, decoder=JsonlDecoder(DecodedCache(tmp_path / "cache"), min_bytes=0))
    series.update()
    assert series.offset == len(b"".join(lines[:30]))
    assert series.metrics()["series"]["loss"]["count"] == 30
    with open(path, "ab") as f:
        f.write(lines[30][20:] + b"".join(lines[31:]))
    series.update()
    assert series.metrics()["series"]["loss"]["x"] == list(range(50))


def _cached_reader(run: Path, cache: DecodedCache) -> tuple[RunSeries, JsonlDecoder]:
    decoder = JsonlDecoder(cache, min_bytes=0)
    return RunSeries(run, decoder=decoder), decoder


def test_lines_appended_after_the_cached_ones_are_decoded_and_kept(tmp_path: Path) -> None:
    run = _run(tmp_path, GOLDEN)
    cache = DecodedCache(tmp_path / "cache")
    _answers(_cached_reader(run, cache)[0])
    cache.wait()
    with open(run / fmt.EVENTS_FILE, "ab") as f:
        for s in range(2000):
            f.write(fmt.encode_event(fmt.METRICS, {"loss": 1.0, "more": s, fmt.STEP_KEY: 5000 + s}, 9.0))
    second, decoder = _cached_reader(run, cache)
    assert _answers(second) == _answers(RunSeries(run))
    assert decoder.cached_blocks > 0 and decoder.decoded_blocks > 0
    cache.wait()
    third, decoder = _cached_reader(run, cache)
    assert _answers(third) == _answers(RunSeries(run))
    assert decoder.decoded_blocks == 0


@pytest.mark.parametrize("change", ["edited", "shortened", "replaced"])
def test_the_cache_is_not_used_once_the_events_file_changed(tmp_path: Path, change: str) -> None:
    run = _run(tmp_path, GOLDEN)
    path = run / fmt.EVENTS_FILE
    cache = DecodedCache(tmp_path / "cache")
    _answers(_cached_reader(run, cache)[0])
    cache.wait()
    data = path.read_bytes()
    if change == "edited":  # same size, same inode, one value changed
        at = data.index(b'"loss":0.5')
        with open(path, "r+b") as f:
            f.seek(at + len(b'"loss":0.'))
            f.write(b"9")
    elif change == "shortened":  # cut inside a cached frame: the frames from there on are not used
        path.write_bytes(data[: data.index(b"\n", len(data) // 2) + 1])
    else:
        replacement = tmp_path / "new.jsonl"
        replacement.write_bytes(data.replace(b'"loss":0.5', b'"loss":0.9'))
        os.replace(replacement, path)
    fresh, decoder = _cached_reader(run, cache)
    assert _answers(fresh) == _answers(RunSeries(run))
    if change != "shortened":  # (the frames before the cut still stand for the same bytes)
        assert decoder.decoded_blocks > 0  # decoded again, not from the cache
    assert fresh.offset == path.stat().st_size


def test_the_cache_folder_is_private_whatever_the_umask(tmp_path: Path) -> None:
    run = _run(tmp_path, GOLDEN)
    root = tmp_path / "cache"
    old = os.umask(0)
    try:
        cache = DecodedCache(root)
        _answers(_cached_reader(run, cache)[0])
        cache.wait()
    finally:
        os.umask(old)
    entries = list(cache.folder.iterdir())
    assert entries
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert stat.S_IMODE(cache.folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(e.stat().st_mode) == 0o600 for e in entries)


def test_an_entry_open_to_other_users_is_not_trusted(tmp_path: Path) -> None:
    run = _run(tmp_path, GOLDEN)
    cache = DecodedCache(tmp_path / "cache")
    _answers(_cached_reader(run, cache)[0])
    cache.wait()
    for entry in cache.folder.iterdir():
        entry.chmod(0o666)
    fresh, decoder = _cached_reader(run, cache)
    assert _answers(fresh) == _answers(RunSeries(run))
    assert decoder.cached_blocks == 0


def test_the_cache_keeps_the_recently_used_runs_within_its_bytes(tmp_path: Path) -> None:
    cache = DecodedCache(tmp_path / "cache")
    runs = [_run(tmp_path, GOLDEN, f"run{i}") for i in range(3)]
    _answers(_cached_reader(runs[0], cache)[0])
    cache.wait()
    one_entry = sum(e.stat().st_size for e in cache.folder.iterdir())
    cache.max_bytes = 2 * one_entry
    for run in runs[1:]:
        os.utime(next(cache.folder.iterdir()), (1, 1))  # the older entries were used long ago
        _answers(_cached_reader(run, cache)[0])
        cache.wait()
    assert sum(e.stat().st_size for e in cache.folder.iterdir()) <= cache.max_bytes
    assert _cached_reader(runs[0], cache)[1].cached_blocks == 0  # the least recently used went first
    _answers(_cached_reader(runs[2], cache)[0])


def test_entries_of_another_version_are_deleted_and_never_read(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    old = root / "v0-RNC1-0.0.1"
    old.mkdir(parents=True)
    (old / "stale.frames").write_bytes(b"RNC1 stale")
    run = _run(tmp_path, GOLDEN)
    cache = DecodedCache(root)
    assert cache.folder.name == version_name() != old.name
    _answers(_cached_reader(run, cache)[0])
    cache.wait()
    assert sorted(p.name for p in root.iterdir()) == [version_name()]


def test_without_a_cache_size_nothing_is_written(tmp_path: Path) -> None:
    run = _run(tmp_path, GOLDEN)
    cache = DecodedCache(tmp_path / "cache", max_bytes=0)
    _answers(_cached_reader(run, cache)[0])
    cache.wait()
    assert not (tmp_path / "cache").exists()


def _column_set_view(cols: ColumnSet) -> Any:
    return _nan_safe(
        {
            "steps": list(cols.steps),
            "times": list(cols.times),
            "stages": [(s.stage, s.first_row, s.last_row) for s in cols.stage_spans],
            "columns": {
                key: (list(col.values), [col.row_of(i) for i in range(len(col.values))], col.nonfinite)
                for key, col in cols.columns.items()
            },
        }
    )


@pytest.mark.parametrize("batch", [2, 3, 7, 1000])
def test_blocks_applied_in_batches_give_the_columns_of_blocks_applied_one_by_one(batch: int) -> None:
    blocks = [decode_block(piece) for piece in cut_blocks(GOLDEN.read_bytes(), 1500)]
    for kind in ("metrics", "system"):
        parts = [getattr(b, kind) for b in blocks if getattr(b, kind) is not None]
        one_by_one, batched = ColumnSet(), ColumnSet()
        for rows in parts:
            one_by_one.extend(copy.deepcopy(rows))
        for i in range(0, len(parts), batch):
            batched.extend_many(parts[i : i + batch])
        assert _column_set_view(batched) == _column_set_view(one_by_one)
        assert len(batched) > 10


def test_lines_longer_than_a_read_are_decoded_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonl_decoder, "READ_BYTES", 64)  # most lines of the golden file are longer
    run = _run(tmp_path, GOLDEN)
    series, decoder = _cached_reader(run, DecodedCache(tmp_path / "cache"))
    assert _answers(series) == _answers(RunSeries(run))
    assert decoder.decoded_blocks > 100
