"""The text, null and list values of a run logged through runicorn.wandb, read by the store apart
from its numbers: every value by step, pages of a long history, cut long values, a live run read
on, and the metric columns unbroken by them."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import runicorn.wandb as wandb
from runicorn.store import StoreReader
from runicorn.store.records.text_values import MAX_VALUE_CHARS, TextValues


def _settings() -> Any:
    return wandb.Settings(console="off", x_disable_stats=True, silent=True)


def _run_dir(storage_root: Path, rows: list[dict[str, Any]], finish: bool = True) -> tuple[Any, Path]:
    run = wandb.init(project="text", name="wb", dir=str(storage_root), settings=_settings())
    for row in rows:
        wandb.log(row)
    if finish:
        wandb.finish()
    return run, Path(run._sdk.dir)


def test_text_null_and_list_values_are_listed_by_key_with_their_steps(storage_root: Path) -> None:
    rows = [
        {"phase": "warmup", "loss": 1.0},
        {"phase": "train", "loss": 0.5, "note": None},
        {"phase": "train", "loss": 0.25, "tokens": [1, 2]},
    ]
    run, _ = _run_dir(storage_root, rows)
    reader = StoreReader(storage_root, refresh_interval_s=0)
    try:
        answer = reader.text_values(run.id)
        by_key = {item["key"]: item for item in answer["keys"]}
        assert sorted(by_key) == ["note", "phase", "tokens"]
        phase = by_key["phase"]
        assert phase["count"] == 3 and phase["start"] == 0
        assert [(r["step"], r["value"]) for r in phase["rows"]] == [(0, "warmup"), (1, "train"), (2, "train")]
        assert by_key["note"]["rows"] == [{"step": 1, "value": None, "cut": False}]
        assert by_key["tokens"]["rows"][0]["value"] == [1, 2]
        metrics = reader.metrics(run.id)  # the charts' series: numbers only, and no error
        assert metrics["keys"] == ["loss"]
        assert metrics["series"]["loss"]["y"] == [1.0, 0.5, 0.25]
        asked = reader.metrics(run.id, ["loss", "phase"])  # a text key asked answers no points
        assert asked["series"]["phase"]["count"] == 0
        header = b"".join(reader.metrics_csv(run.id)).split(b"\r\n")[0]
        assert b"loss" in header and b"phase" not in header
    finally:
        reader.close()


def test_a_long_history_is_read_a_page_at_a_time_newest_last(storage_root: Path) -> None:
    run, _ = _run_dir(storage_root, [{"phase": f"p{i}", "loss": float(i)} for i in range(500)])
    reader = StoreReader(storage_root, refresh_interval_s=0)
    try:
        last = reader.text_values(run.id, limit=5)["keys"][0]
        assert last["count"] == 500 and last["start"] == 495
        assert [r["value"] for r in last["rows"]] == [f"p{i}" for i in range(495, 500)]
        page = reader.text_values(run.id, "phase", start=100, limit=3)["keys"][0]
        rows = [(r["step"], r["value"]) for r in page["rows"]]
        assert rows == [(100, "p100"), (101, "p101"), (102, "p102")]
        assert reader.text_values(run.id, "phase", start=1000, limit=3)["keys"][0]["rows"] == []
    finally:
        reader.close()


def test_a_long_value_is_cut(storage_root: Path) -> None:
    run, run_dir = _run_dir(storage_root, [{"essay": "x" * (MAX_VALUE_CHARS * 3)}])
    (row,) = _page(run_dir, "essay")["rows"]
    assert row["cut"] is True and row["value"] == "x" * MAX_VALUE_CHARS


def _page(run_dir: Path, key: str) -> dict[str, Any]:
    values = TextValues(run_dir)
    values.update()
    return values.page(key, None, 10)


def test_a_live_runs_new_values_are_read_on(storage_root: Path) -> None:
    run, run_dir = _run_dir(storage_root, [{"phase": "warmup"}], finish=False)
    try:
        values = TextValues(run_dir)
        _wait_for(run, values, 1)
        wandb.log({"phase": "train"})
        _wait_for(run, values, 2)
        assert [r["value"] for r in values.page("phase", None, 10)["rows"]] == ["warmup", "train"]
    finally:
        wandb.finish()


def _wait_for(run: Any, values: TextValues, count: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        run._sdk.flush()  # the writer thread writes the rows now
        values.update()
        if values.keys().get("phase") == count:
            return
    raise AssertionError(f"phase never reached {count} values: {values.keys()}")


def test_a_numbers_only_run_has_no_text_values(storage_root: Path, make_run: Any) -> None:
    run = make_run(steps=20)
    reader = StoreReader(storage_root, refresh_interval_s=0)
    try:
        assert reader.text_values(run.id)["keys"] == []
    finally:
        reader.close()


def test_keys_named_like_the_record_fields_are_found(storage_root: Path) -> None:
    rows = [{"type": "cat", "loss": 1.0}, {"kind": "metrics", "loss": 0.5}, {"stage_name": "warmup"}]
    _, run_dir = _run_dir(storage_root, rows)
    values = TextValues(run_dir)
    values.update()
    assert values.keys() == {"kind": 1, "stage_name": 1, "type": 1}
    assert values.page("kind", None, 10)["rows"] == [{"step": 1, "value": "metrics", "cut": False}]


def test_broken_lines_are_counted_and_the_others_kept(storage_root: Path) -> None:
    _, run_dir = _run_dir(storage_root, [{"phase": "warmup"}])
    with open(run_dir / "events.jsonl", "ab") as f:
        f.write(b'{"ts": 1, "type": "metrics", "data": {"phase": "tr\n{"data": "a"},{"data": "b"}\n')
        f.write(b'{"ts": 2, "type": "metrics", "data": {"phase": "train", "global_step": 9}}\n')
    values = TextValues(run_dir)
    values.update()
    assert [r["value"] for r in values.page("phase", None, 10)["rows"]] == ["warmup", "train"]
    assert values.malformed == 2


def test_a_run_read_through_its_frames_charts_its_numbers_and_lists_its_text(storage_root: Path) -> None:
    rows = [{"phase": "warmup" if i < 4000 else "train", "loss": 1.0 / (i + 1)} for i in range(8000)]
    run, run_dir = _run_dir(storage_root, rows)
    assert (run_dir / "events.columns").is_file()  # the charts read the SDK's frames
    reader = StoreReader(storage_root, refresh_interval_s=0)
    try:
        loss = reader.metrics(run.id, ["loss", "phase"])["series"]
        assert loss["loss"]["count"] == 8000 and loss["phase"]["count"] == 0
        page = reader.text_values(run.id, "phase", start=3999, limit=2)["keys"][0]
        assert [(r["step"], r["value"]) for r in page["rows"]] == [(3999, "warmup"), (4000, "train")]
    finally:
        reader.close()


def test_rows_of_numbers_between_the_text_rows_are_passed_over(storage_root: Path) -> None:
    rows = [{"loss": float(i), **({"phase": f"p{i}"} if i % 3 == 0 else {})} for i in range(30)]
    _, run_dir = _run_dir(storage_root, rows)
    values = TextValues(run_dir)
    values.update()
    page = values.page("phase", 0, 100)
    assert [(r["step"], r["value"]) for r in page["rows"]] == [(i, f"p{i}") for i in range(0, 30, 3)]
