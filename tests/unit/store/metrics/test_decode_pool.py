"""The parallel cold read gives exactly the columns of a read in one thread."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from runicorn import format as fmt
from runicorn.store.metrics import decode_pool
from runicorn.store.metrics.decode_pool import DecodePool
from runicorn.store.metrics.series import RunSeries


def _mixed_events() -> bytes:
    """Every shape the reader meets, spread so that pieces and blocks start in odd places."""
    out: list[bytes] = []
    # rows without a step or a time before any row with one (filled in from the row before)
    out.append(b'{"type": "metrics", "data": {"loss": 9.0}}\n')
    out.append(b'{"type": "metrics", "data": {"loss": 8.0, "stage": "warmup"}}\n')
    for s in range(3000):
        data: dict[str, Any] = {"loss": 1.0 / (s + 1), fmt.STEP_KEY: s, fmt.TIME_KEY: 2000.0 + s}
        if s % 7 == 0:
            data["acc"] = s / 3000  # a key with gaps
        if s % 500 < 400:
            data[fmt.STAGE_KEY] = "train" if s % 1000 < 500 else "val"
        if s % 97 == 0:
            del data[fmt.STEP_KEY]  # counts on from the row before
        if s % 89 == 0:
            del data[fmt.TIME_KEY]  # the record's ts stands in
        if s % 211 == 0:
            data["flag"] = s % 2 == 0  # booleans chart as 0 / 1
        if s % 301 == 0:
            data["note"] = "text"  # not a number: no column
        out.append(fmt.encode_event(fmt.METRICS, data, 5000.0 + s))
        if s % 50 == 0:
            out.append(
                fmt.encode_event(fmt.SYSTEM, {fmt.SYSTEM_CPU_PERCENT: s % 100, fmt.TIME_KEY: 7.0 + s}, 7.0)
            )
        if s % 400 == 0:
            out.append(
                fmt.encode_event(fmt.IMAGE, {"key": f"img{s}", "path": f"media/{s}.png", "step": s}, 8.0)
            )
        if s % 700 == 0:
            out.append(fmt.encode_event("future_kind", {"x": s}, 9.0))
        if s == 1234:
            out.append(b'{"ts": 1, "type": "metrics", "data": {"loss": NaN, "global_step": 1234.5}}\n')
            out.append(b'{"ts": 1, "type": "metrics", "data": {"loss": Infinity, "acc": -Infinity}}\n')
            out.append(b"\x00\x01garbage\xff\n{broken\n\n   \n[1, 2]\n")
            out.append(b'{"ts": 1, "type": "metrics", "data": {"loss": 1' + b"0" * 400 + b"}}\n")
            out.append(b'{"ts": 1, "type": "metrics", "data": [1, 2]}\n')
        if s == 2500:
            out.append(b'{"ts": null, "type": "metrics", "data": {"loss": 0.5, "global_step": "x"}}\n')
    return b"".join(out)


def _answers(series: RunSeries, offsets: list[int]) -> list[Any]:
    out: list[Any] = [
        series.offset,
        series.malformed,
        series.images,
        series.metric_keys(),
        series.system_keys(),
    ]
    for x in ("step", "time", "elapsed"):
        out.append(series.metrics(x=x, max_points=100_000))
        out.append(series.metrics(x=x, max_points=90))
    out.append(series.metrics(x="time", system=True))
    for since in offsets:
        out.append(series.metrics(since=since, max_points=100_000))
        out.append(series.metrics(since=since, x="time", system=True))
    return out


@pytest.fixture
def events_run(tmp_path: Path) -> Path:
    (tmp_path / fmt.EVENTS_FILE).write_bytes(_mixed_events())
    return tmp_path


def test_parallel_read_gives_the_same_answers_as_one_thread(events_run: Path) -> None:
    size = (events_run / fmt.EVENTS_FILE).stat().st_size
    offsets = [0, 1, 5000, size // 3, size // 2 + 17, size - 1, size]
    serial = RunSeries(events_run)
    serial.update()
    assert serial.malformed == 4 and serial.images and serial.system_keys()
    pool = DecodePool(workers=2, min_bytes=0, piece_bytes=20_000, block_bytes=3_000)
    pool.caller_helps = False  # every piece decoded by a worker, however busy the machine is
    try:
        assert pool.start()
        parallel = RunSeries(events_run, pool)
        parallel.update()
        assert pool.failed is None and pool.pieces_decoded > 10 and pool.pieces_by_workers > 0
        assert _answers(parallel, offsets) == _answers(serial, offsets)
    finally:
        pool.close()


def test_reading_as_the_file_grows_gives_the_same_answers(events_run: Path, tmp_path: Path) -> None:
    data = (events_run / fmt.EVENTS_FILE).read_bytes()
    grown = tmp_path / "grown"
    grown.mkdir()
    path = grown / fmt.EVENTS_FILE
    path.write_bytes(b"")
    series = RunSeries(grown)
    for start in range(0, len(data), 33_333):  # cuts through lines: a partial line waits
        with open(path, "ab") as f:
            f.write(data[start : start + 33_333])
        series.update()
    whole = RunSeries(events_run)
    whole.update()
    offsets = [0, 33_333, 66_666 + 5, len(data)]
    assert _answers(series, offsets) == _answers(whole, offsets)


def test_a_pool_that_cannot_start_falls_back_to_one_thread(
    events_run: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(decode_pool, "_start_method", lambda: "no-such-method")
    pool = DecodePool(workers=2, min_bytes=0, piece_bytes=20_000)
    series = RunSeries(events_run, pool)
    series.update()
    assert pool.failed is not None and "no-such-method" in pool.failed
    serial = RunSeries(events_run)
    serial.update()
    assert _answers(series, [0, 1000]) == _answers(serial, [0, 1000])


def test_a_closed_pool_is_not_used(events_run: Path) -> None:
    pool = DecodePool(workers=2, min_bytes=0)
    pool.close()
    series = RunSeries(events_run, pool)
    series.update()
    assert not pool.usable and series.offset == (events_run / fmt.EVENTS_FILE).stat().st_size


def test_a_read_cut_short_by_close_stops_and_the_next_read_goes_on(
    events_run: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The viewer stopping closes the pool: a long read in progress stops instead of decoding the
    rest alone (which kept a stopping viewer busy), and nothing read so far is lost."""
    pool = DecodePool(workers=1, min_bytes=0, piece_bytes=2_000, block_bytes=1_000)
    series = RunSeries(events_run, pool)
    apply = series._apply_batch

    def close_after_the_first_batch(blocks: Any) -> None:
        apply(blocks)
        pool.close()

    monkeypatch.setattr(series, "_apply_batch", close_after_the_first_batch)
    monkeypatch.setattr(decode_pool, "BATCH_BLOCKS", 1)
    with pytest.raises(decode_pool.ReadStopped):
        series.update()
    size = (events_run / fmt.EVENTS_FILE).stat().st_size
    assert 0 < series.offset < size
    monkeypatch.setattr(series, "_apply_batch", apply)
    assert series.update() and series.offset == size
    serial = RunSeries(events_run)
    serial.update()
    assert _answers(series, [0, 1000]) == _answers(serial, [0, 1000])


def test_a_file_swapped_under_the_workers_is_not_read_and_the_checked_one_is(
    events_run: Path, tmp_path: Path
) -> None:
    """The request thread opened events.jsonl through the run-folder guard; a worker opens it by
    path later. If the path leads elsewhere by then (a file renamed over it, a link to a file
    outside the run), the worker refuses and the checked file is what gets decoded."""
    from runicorn.codec.blocks import decode_file_range

    path = events_run / fmt.EVENTS_FILE
    original = path.read_bytes()
    outside = tmp_path / "outside-the-run.jsonl"
    outside.write_bytes(b'{"type": "metrics", "data": {"global_step": 1, "secret": 42.0}}\n' * 2000)
    pool = DecodePool(workers=2, min_bytes=0, piece_bytes=20_000, block_bytes=3_000)
    pool.caller_helps = False  # every piece goes to a worker, which must refuse the swapped path
    try:
        assert pool.start()
        with open(path, "rb") as checked:
            path.unlink()
            path.symlink_to(outside)  # swapped between the check and the workers' open
            blocks = list(pool.decode(checked, 0, len(original)))
        assert pool.failed is None and pool.usable  # a moved file is not a broken pool
        assert sum(b.nbytes for b in blocks) == len(original)
        keys = {k for b in blocks if b.metrics is not None for k in b.metrics.columns}
        assert "secret" not in keys and "loss" in keys
        followed = decode_file_range(str(outside), 0, outside.stat().st_size)
        assert "secret" in {k for b in followed if b.metrics is not None for k in b.metrics.columns}
    finally:
        pool.close()
