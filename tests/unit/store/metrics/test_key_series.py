"""A few keys of a run (KeySeries) and one key of many runs (read_key_series, compare): the same
answers as the full series, read from events.columns without decoding the JSON lines, and from
the lines wherever a frame cannot be trusted."""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import pytest

import runicorn as rn
from runicorn import format as fmt
from runicorn.errors import BadArgument
from runicorn.store.metrics import series as series_module
from runicorn.store.metrics.compare import compare_runs
from runicorn.store.metrics.key_series import KeySeries
from runicorn.store.metrics.key_series_cache import KeySeriesCache
from runicorn.store.metrics.series import RunSeries
from runicorn.store.reader import StoreReader


def train(storage: Path, steps: int = 1200, keys: int = 70, seed: int = 0, finish: bool = True) -> rn.Run:
    """A wide run through the SDK: NaN and infinities, a sparse key, two stages."""
    run = rn.init(project="p", name="n", storage=storage, capture_console=False, system_metrics=False)
    for i in range(steps):
        values: dict[str, float] = {
            f"layer{k // 10}/m{k % 10}": (i + seed + 1) / (k + 1) for k in range(keys)
        }
        if i % 11 == 5:
            values["layer0/m1"] = math.nan if i % 2 else math.inf
        if i % 25 == 0:
            values["val/loss"] = 1 / (i + 1)
        run.log(values, stage="train" if i % 200 < 160 else "eval")
    if finish:
        run.finish()
    else:
        run.flush()
    return run


def answers(series: RunSeries, key: str) -> dict[str, Any]:
    return {
        "step": series.metrics([key], max_points=300),
        "time": series.metrics([key], x="time", max_points=300),
        "elapsed": series.metrics([key], x="elapsed", max_points=300),
        "points": [list(map(repr, part)) for part in series.points(key)],  # NaN equals NaN here
    }


def full(run_dir: Path) -> RunSeries:
    series = RunSeries(run_dir)
    series.update()
    return series


def keyed(run_dir: Path, *keys: str) -> KeySeries:
    series = KeySeries(run_dir, keys)
    series.update()
    return series


def without_keys(answer: dict[str, Any]) -> dict[str, Any]:
    """An answer without its list of the run's keys (a KeySeries knows only its own)."""
    return {k: ({**v, "keys": None} if isinstance(v, dict) else v) for k, v in answer.items()}


@pytest.mark.parametrize("key", ["layer0/m1", "val/loss", "layer6/m9", "not/logged"])
def test_a_key_series_answers_as_the_full_series_without_decoding_the_lines(
    tmp_path: Path, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = train(tmp_path / "storage")
    decoded: list[int] = []
    real = series_module.decode_block
    monkeypatch.setattr(series_module, "decode_block", lambda data: decoded.append(len(data)) or real(data))
    series = keyed(run.dir, key)
    assert decoded == [] and series.offset == (run.dir / fmt.EVENTS_FILE).stat().st_size
    assert set(series.metric_keys()) <= {key}
    monkeypatch.undo()
    assert without_keys(answers(series, key)) == without_keys(answers(full(run.dir), key))


def test_a_metric_as_x_is_read_with_the_key(tmp_path: Path) -> None:
    run = train(tmp_path / "storage", steps=800)
    series = keyed(run.dir, "layer0/m1", "layer2/m3")
    got = series.metrics(["layer0/m1"], x="layer2/m3")
    assert {**got, "keys": None} == {**full(run.dir).metrics(["layer0/m1"], x="layer2/m3"), "keys": None}
    with pytest.raises(BadArgument):
        keyed(run.dir, "layer0/m1").metrics(["layer0/m1"], x="layer2/m3")  # as a run without it


@pytest.mark.parametrize("damage", ["flipped", "torn", "foreign", "edited events"])
def test_a_frame_that_cannot_be_trusted_is_read_from_the_lines(tmp_path: Path, damage: str) -> None:
    run = train(tmp_path / "storage")
    columns, events = run.dir / fmt.COLUMNS_FILE, run.dir / fmt.EVENTS_FILE
    data = columns.read_bytes()
    if damage == "flipped":
        at = len(data) // 2
        columns.write_bytes(data[:at] + bytes([data[at] ^ 0x10]) + data[at + 1 :])
    elif damage == "torn":
        columns.write_bytes(data[: len(data) // 2 + 3])
    elif damage == "foreign":
        columns.write_bytes(b"RNC1" + b"\xff" * 400)
    else:  # a value edited in place (same size): only the frame's events CRC can tell
        lines = events.read_bytes()
        at = lines.index(b'"layer3/m4":', len(lines) // 2) + len(b'"layer3/m4":')
        events.write_bytes(lines[:at] + b"7" + lines[at + 1 :])
    plain = tmp_path / "plain"
    plain.mkdir()
    shutil.copy(events, plain / fmt.EVENTS_FILE)
    for key in ("layer3/m4", "layer0/m1", "val/loss"):
        assert without_keys(answers(keyed(run.dir, key), key)) == without_keys(answers(full(plain), key))
    if damage == "edited events":
        assert max(keyed(run.dir, "layer3/m4").points("layer3/m4")[1]) >= 7


def test_a_key_series_reads_on_what_a_live_run_appends(tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    run = train(storage, steps=1200, finish=False)
    series = keyed(run.dir, "layer1/m2")
    first = series.metrics(["layer1/m2"])["series"]["layer1/m2"]["count"]
    for i in range(1200, 1500):
        run.log({"layer1/m2": float(i), "other": 1.0})
    run.finish()
    assert series.update()
    answer = series.metrics(["layer1/m2"], max_points=5000)["series"]["layer1/m2"]
    assert (first, answer["count"]) == (1200, 1500) and answer["y"][-1] == 1499.0
    assert without_keys(answers(series, "layer1/m2")) == without_keys(answers(full(run.dir), "layer1/m2"))


def test_many_runs_are_read_in_order_from_a_full_series_when_one_is_kept(tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    dirs = [train(storage, steps=300, seed=s).dir for s in range(5)]
    kept = {dirs[2]: full(dirs[2])}
    used: list[type] = []

    def use(series: RunSeries) -> list[str]:
        used.append(type(series))
        return list(map(repr, series.points("layer0/m3")[1]))

    cache = KeySeriesCache()
    got = cache.read_many(dirs, {"layer0/m3"}, use, full=kept.get, threads=3)
    assert got == [list(map(repr, full(d).points("layer0/m3")[1])) for d in dirs]
    assert used.count(RunSeries) == 1 and used.count(KeySeries) == 4 and len(cache) == 4


def test_the_cache_keeps_series_within_its_bytes_and_reads_on_what_they_append(tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    runs = [train(storage, steps=300, seed=s, finish=s != 3) for s in range(4)]  # the last one live
    one = KeySeries(runs[0].dir, {"layer0/m3"})
    one.update()
    cache = KeySeriesCache(max_bytes=2 * one.nbytes + 100)
    for run in runs:
        cache.get(run.dir, {"layer0/m3"})
    assert len(cache) == 2 and cache.nbytes <= cache.max_bytes  # the two least recent dropped
    again = cache.get(runs[3].dir, {"layer0/m3"})
    assert cache.get(runs[3].dir, {"layer0/m3"}) is again  # kept: read on, not again
    runs[3].log({"layer0/m3": 5.0})
    runs[3].finish()
    series = cache.get(runs[3].dir, ["layer0/m3"])
    assert series.points("layer0/m3")[1][-1] == 5.0 and len(series.points("layer0/m3")[1]) == 301


def test_compare_answers_as_over_the_full_series(tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    runs = [train(storage, steps=600 + 100 * s, seed=s) for s in range(3)]
    reader = StoreReader(storage)
    try:
        reader.index.wait_for_refresh()
        ids = [r.id for r in runs]
        for x in ("step", "time", "elapsed", "layer2/m2"):
            got = reader.compare([*ids, "no-such-run"], ["layer0/m1", "val/loss", "not/logged"], x=x)
            expected = {
                m: compare_runs({r.id: full(r.dir) for r in runs}, m, x=x)["runs"]
                for m in ("layer0/m1", "val/loss", "not/logged")
            }
            assert got.pop("labels").keys() == set(ids)  # each found run named (tests/integration)
            assert got == {"x": x, "ids": ids, "missing": ["no-such-run"], "metrics": expected}
        with pytest.raises(BadArgument):
            reader.compare(ids, ["layer0/m1"], x="not/logged")
    finally:
        reader.close()
