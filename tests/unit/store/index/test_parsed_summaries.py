"""Summaries parsed in one process, taken by another (runicorn/store/index/parsed_summaries.py):
a run takes what was parsed for it only when its summary.json has the stamp that was parsed and it
has not parsed it itself, and then holds what it would have parsed."""

from __future__ import annotations

from pathlib import Path

from runicorn import format as fmt
from runicorn.files import write_json_atomic
from runicorn.store.index.parsed_summaries import apply_parsed, encode_parsed
from runicorn.store.index.run_index import RunIndex
from tests.unit.store.conftest import RunWriter


def test_a_run_takes_the_summary_parsed_elsewhere_as_it_would_have_parsed_it(
    storage: Path, write_run: RunWriter
) -> None:
    write_run(run_id="20260101_000000_aaaaaa", summary=fmt.summary_file({"loss": 0.5, "acc": -0.0}, {}))
    write_run(run_id="20260101_000001_aaaaaa", summary=fmt.summary_file({"acc": 0.25, "loss": 1e300}, {}))
    write_run(run_id="20260101_000002_aaaaaa", summary=fmt.summary_file({"loss": float("nan")}, {}))
    write_run(run_id="20260101_000003_aaaaaa", summary={"best": {"epoch": 3}, "acc": 1})
    elsewhere = RunIndex(storage).runs()
    for run in elsewhere:
        run.summary_file  # noqa: B018 (parsed)
    data = encode_parsed(elsewhere)

    here = RunIndex(storage).runs()
    assert all(run.parsed_summary() is None for run in here)  # not parsed by the scan
    assert apply_parsed(data, {run.relpath: run for run in here}) == 2  # the runs of floats only
    expected = {run.relpath: run for run in RunIndex(storage).runs()}
    for run in here:
        assert run.summary_file.to_dict() == expected[run.relpath].summary_file.to_dict()
        assert list(run.summary_file) == list(expected[run.relpath].summary_file)  # the keys' order
        assert run.summary.to_dict() == expected[run.relpath].summary.to_dict()
        assert run.logged_keys() == expected[run.relpath].logged_keys()


def test_a_run_whose_summary_changed_since_parses_its_own(storage: Path, write_run: RunWriter) -> None:
    folder = write_run(run_id="20260101_000000_aaaaaa", summary=fmt.summary_file({"loss": 0.5}, {}))
    elsewhere = RunIndex(storage).runs()
    elsewhere[0].summary_file  # noqa: B018 (parsed)
    data = encode_parsed(elsewhere)
    write_json_atomic(folder / fmt.SUMMARY_FILE, fmt.summary_file({"loss": 0.25, "acc": 0.5}, {}))

    here = RunIndex(storage).runs()
    assert apply_parsed(data, {run.relpath: run for run in here}) == 0
    assert here[0].summary_file.to_dict() == {"loss": 0.25, "acc": 0.5}
    assert apply_parsed(b"not what was encoded", {run.relpath: run for run in here}) == 0
