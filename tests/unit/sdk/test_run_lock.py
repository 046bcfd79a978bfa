"""One run, one writer: a run being written cannot be attached to again, and a run_id is never
duplicated under another project/name."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

import runicorn as rn
from runicorn import archive
from runicorn import format as fmt
from runicorn.errors import RunicornError
from runicorn.files import write_json_atomic
from runicorn.sdk.run import Run
from runicorn.sdk.sink import RunRequest
from runicorn.settings import resolve


def open_run(storage_root: Path, **kwargs) -> Run:
    kwargs.setdefault("capture_console", False)
    kwargs.setdefault("system_metrics", False)
    return Run(
        resolve(storage=storage_root),
        RunRequest(kwargs.pop("project", "p"), kwargs.pop("name", "n"), **kwargs),
    )


def test_a_run_being_written_refuses_a_second_writer(storage_root: Path) -> None:
    first = open_run(storage_root)
    first.log({"a": 1.0})
    with pytest.raises(RunicornError) as caught:
        open_run(storage_root, run_id=first.id)
    assert "is being written by" in caught.value.message and first.id in caught.value.message
    first.log({"a": 2.0})
    first.finish()
    again = open_run(storage_root, run_id=first.id)  # released at finish: resuming works
    again.log({"a": 3.0})
    again.finish()
    lines, _ = fmt.split_complete_lines((first.dir / fmt.EVENTS_FILE).read_bytes())
    assert [fmt.decode_event(line)["data"]["global_step"] for line in lines] == [1, 2, 3]
    assert not (first.dir / fmt.RUN_LOCK_FILE).exists()  # a finished run leaves no lock file


def test_a_run_id_of_another_project_or_name_is_refused(storage_root: Path) -> None:
    first = open_run(storage_root, project="vision", name="resnet")
    first.finish()
    with pytest.raises(RunicornError) as caught:
        open_run(storage_root, project="nlp", name="bert", run_id=first.id)
    assert f"vision/resnet/runs/{first.id}" in caught.value.message
    assert not (storage_root / "nlp").exists()


def test_a_run_id_of_a_legacy_layout_run_is_refused(storage_root: Path) -> None:
    legacy = storage_root / fmt.RUNS_DIR / "vision" / "resnet" / "20250101_000000_abcdef"
    legacy.mkdir(parents=True)
    write_json_atomic(legacy / fmt.META_FILE, {"id": legacy.name})
    with pytest.raises(RunicornError, match="already the id of the run"):
        open_run(storage_root, run_id=legacy.name)


def test_the_lock_file_of_a_live_run_stays_out_of_an_export(storage_root: Path, tmp_path: Path) -> None:
    live = open_run(storage_root)
    live.log({"a": 1.0})
    live.flush()
    assert (live.dir / fmt.RUN_LOCK_FILE).is_file()
    out = tmp_path / "runs.tar.gz"
    archive.export_runs(storage_root, out, archive.select_runs(storage_root))
    with tarfile.open(out) as tar:
        names = tar.getnames()
    assert any(n.endswith(fmt.EVENTS_FILE) for n in names)
    assert not any(n.endswith(fmt.RUN_LOCK_FILE) for n in names)
    live.finish()


def test_module_init_with_a_live_run_id_finishes_the_current_run_first(storage_root: Path) -> None:
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    again = rn.init(storage=storage_root, run_id=run.id, capture_console=False, system_metrics=False)
    again.finish()
    assert again.dir == run.dir and fmt.read_json(run.dir / fmt.STATUS_FILE)["status"] == fmt.FINISHED
