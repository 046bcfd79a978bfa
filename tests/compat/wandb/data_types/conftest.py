"""Fixtures for W&B's own data type, table and chart tests, ported (README.md here).

W&B's ``mock_run`` is a real offline ``runicorn.wandb`` run under a temporary storage root;
when the test ends it is finished and its files are read back: every record in ``events.jsonl``
parses, and the media file each one names exists. Each test runs in its own temporary folder
(W&B's tests write files into the current folder). The tests left failing are marked
``xfail(strict=True)`` here, with their reasons, from :data:`EXPECTED_FAILURES`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import runicorn.wandb as wandb
from runicorn import format as fmt

ASSETS = Path(__file__).resolve().parent / "assets"

_DTYPES = "W&B's column type system (wandb.sdk.data_types._dtypes) is not provided"

_STATE = "sets W&B's internal artifact state (ArtifactState.COMMITTED) to fake a logged artifact"
_UPLOADS = "W&B's upload and download machinery (storage policy, caches, multipart transfers)"

# test (file::name, without parameters) -> why it fails here; each is xfail(strict=True)
EXPECTED_FAILURES: dict[str, str] = {
    "test_wb_data_types.py::test_image_box_type_schema_carries_per_box_class_maps": _DTYPES,
    "test_wb_data_types.py::test_image_mask_type_schema_carries_per_mask_class_maps": _DTYPES,
    "test_wb_data_types.py::test_ndarrays_in_tables": _DTYPES,
    "test_wb_data_types.py::test_create_bokeh_plot": "wandb.Bokeh needs bokeh, not a dependency",
    "test_wb_artifacts.py::test_download_with_pathlib_root": _STATE,
    "test_wb_artifacts.py::test_verify_rejects_invalid_artifact_path": _STATE,
    "test_wb_data_types.py::test_html_styles": (
        "inject=True adds W&B's stylesheet from app.wandb.ai; offline, nothing is injected"
    ),
}

# tests of W&B's server protocol or of fetching URLs: left out (deselected), listed in README.md
LEFT_OUT: dict[str, str] = {
    "test_wb_data_types.py::test_image_refs": "an image by URL, fetched into an artifact (network)",
    "test_wb_data_types.py::test_audio_refs": "audio by URL, fetched into an artifact (network)",
    "test_wb_artifacts.py::TestStoreFile": _UPLOADS,
    "test_wb_artifacts.py::test_capped_cache": _UPLOADS,
    "test_wb_artifacts.py::test_cache_write_failure_is_ignored": _UPLOADS,
    "test_wb_artifacts.py::test_artifact_multipart_download_threshold": _UPLOADS,
    "test_wb_artifacts.py::test_artifact_multipart_download_network_error": _UPLOADS,
    "test_wb_artifacts.py::test_artifact_multipart_download_disk_error": _UPLOADS,
    "test_wb_artifacts.py::test_artifact_multipart_download_refresh_presigned_url": _UPLOADS,
    "test_wb_artifacts.py::test_artifact_multipart_download_max_refresh_attempts_exceeded": _UPLOADS,
    "test_wb_artifacts.py::test_artifact_multipart_download_writer_not_on_shared_executor": _UPLOADS,
    "test_wb_tables.py::test_table_logging_mode_immutable_logs_table_artifact_once": "W&B's record queue",
    "test_wb_tables.py::test_table_logging_mode_mutable_relogs_after_mutation": "W&B's record queue",
    "test_wb_tables.py::test_table_logging_mode_incremental_relogs_after_mutation": "W&B's record queue",
    "test_wb_tables.py::test_table_records_telemetry": "W&B's telemetry records",
    "test_wb_tables.py::test_table_logging_mode_incremental_warns_after_100_increments": "W&B's record queue",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    ours = [i for i in items if Path(str(i.fspath)).resolve().is_relative_to(here)]
    left_out = [i for i in ours if _listed(i, LEFT_OUT) is not None]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [i for i in items if i not in left_out]
    for item in ours:
        # W&B's own tests call Pillow's deprecated getdata and leave files open
        item.add_marker(pytest.mark.filterwarnings("ignore:Image.Image.getdata:DeprecationWarning"))
        item.add_marker(pytest.mark.filterwarnings("ignore::ResourceWarning"))
        item.add_marker(pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"))
        reason = _listed(item, EXPECTED_FAILURES)
        if reason is not None:
            item.add_marker(pytest.mark.xfail(strict=True, reason=reason))


def _test_id(item: pytest.Item) -> str:
    """``file::name`` (``file::Class::name``), without parameters."""
    inner = "::".join(item.nodeid.split("::")[1:]).split("[")[0]
    return f"{Path(str(item.fspath)).name}::{inner}"


def _listed(item: pytest.Item, listing: dict[str, str]) -> str | None:
    """Why ``item`` is in ``listing`` (by its id, or its class's), else None."""
    test_id = _test_id(item)
    return listing.get(test_id) or listing.get(test_id.rsplit("::", 1)[0])


@pytest.fixture(autouse=True)
def _in_tmp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """W&B's tests write files into the current folder: each runs in its own; what a test gave
    ``wandb.setup`` is forgotten after it (``wandb.teardown``, as W&B's test harness does)."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    for name in ("WANDB_MODE", "WANDB_DIR", "WANDB_PROJECT", "WANDB_SILENT", "WANDB_QUIET"):
        monkeypatch.delenv(name, raising=False)
    yield
    wandb.teardown()


@pytest.fixture
def mock_run(storage_root: Path) -> Iterator[Callable[..., Any]]:
    """``mock_run(**init_kwargs)``: a real run under ``storage_root``, read back at the end."""
    runs: list[Any] = []

    def make(**kwargs: Any) -> Any:
        kwargs.setdefault("project", "compat")
        settings = wandb.Settings(console="off", x_disable_stats=True, silent=True)
        run = wandb.init(dir=str(storage_root), settings=settings, **kwargs)
        runs.append(run)
        return run

    yield make
    for run in runs:
        run.finish()
        read_back(Path(run.sync_dir))


def read_back(run_dir: Path) -> list[dict[str, Any]]:
    """The run's records; each parses, and each media file a record names exists."""
    records: list[dict[str, Any]] = []
    events = run_dir / fmt.EVENTS_FILE
    assert (run_dir / fmt.META_FILE).is_file(), f"{run_dir} is not a run folder"
    for line in events.read_text().splitlines() if events.exists() else []:
        record = json.loads(line)
        path = record.get("data", {}).get("path")
        assert path is None or (run_dir / path).is_file(), f"{path} named by a record is missing"
        records.append(record)
    return records


@pytest.fixture(scope="session")
def assets_path() -> Callable[[str], Path]:
    return lambda name: ASSETS / name


@pytest.fixture
def patch_max_cli_version() -> None:
    """W&B asks its server for the newest CLI version; offline there is none to ask."""


class _WarningLog:
    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self._caplog = caplog

    def assert_warned(self, msg: str) -> None:
        warned = [r.getMessage() for r in self._caplog.records if r.levelno >= logging.WARNING]
        assert any(msg in w for w in warned), f"{msg!r} not among the warnings {warned}"


@pytest.fixture
def mock_wandb_log(caplog: pytest.LogCaptureFixture) -> _WarningLog:
    """W&B's fixture that checks what ``termwarn`` printed: here, the warnings logged."""
    caplog.set_level(logging.WARNING, logger="runicorn")
    return _WarningLog(caplog)
