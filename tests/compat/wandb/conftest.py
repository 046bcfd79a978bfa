"""Fixtures for W&B's own SDK tests, ported (README.md here): a real offline run per test.

Every test gets a fresh storage root (``RUNICORN_DIR``), its own working directory, no
``WANDB_*`` variable but ``WANDB_CONSOLE=off`` and ``WANDB_X_DISABLE_STATS=true`` (no console
capture, no system sampler: the tests stay fast), and every run it started is finished after it.
W&B's fixtures become:

- ``mock_run(config=, sweep_config=, settings=)``: a real offline run (``reinit="create_new"``,
  so ``wandb.run`` is left alone, as W&B's mock run does), the sweep's values locked over the
  config as W&B's Run does with a sweep config.
- ``record_q`` / ``parse_records(record_q)``: the files of the last ``mock_run`` read back, its
  config and metric definitions as each write left them (wandb_backend_spy.py says how they map
  onto W&B's records).
- ``wandb_backend_spy``: ``freeze()`` reads the finished runs' files under the storage root.
- ``user``: W&B's logged-in test user; there is nothing to log in to, so nothing.
- ``test_settings(**kw)``: ``wandb.Settings(**kw)``.

The tests left failing are marked ``xfail(strict=True)`` here (:data:`XFAIL`), with the reason the
README gives, so that the suite stays green and a fix is noticed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from wandb_backend_spy import ParsedRecords, WandbBackendSpy, WriteLog, parse_run

import runicorn.wandb as wandb
from runicorn.wandb import session

# "file.py::test" (parametrized tests: every case, or "file.py::test[case]") -> reason
_COPIES = "Runicorn copies saved files into the run (a run never holds a link out of itself)"
XFAIL: dict[str, str] = {
    "test_compat_metric_full.py::test_metric_sync_step": "reads W&B's usage telemetry; Runicorn records none",
    "test_compat_wandb_run.py::test_run_urls": "cloud-only: W&B's server urls (base_url)",
    "test_compat_wandb_run_full.py::test_media_symlink": "media files are in the run's media/, not files/",
    "test_compat_wandb_save.py::test_save_relative_path_glob_files": _COPIES + " (W&B says 'Symlinked')",
    "test_compat_wandb_save.py::test_save_hardlink_fallback_when_symlink_fails": _COPIES,
    "test_compat_wandb_save.py::test_save_file_in_run_dir": (
        "a real run's files folder exists from init (W&B's too); the test makes it: W&B's mock run has none"
    ),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.fspath)).resolve()
        if path.parent != HERE:
            continue
        base = f"{path.name}::{getattr(item, 'originalname', item.name)}"
        reason = XFAIL.get(f"{path.name}::{item.name}") or XFAIL.get(base)
        if reason:
            item.add_marker(pytest.mark.xfail(strict=True, reason=reason))


HERE = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def offline_wandb(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """The test's storage root; every run started in the test is finished after it. Only for
    the tests of this folder: a subfolder (data_types/) has fixtures of its own."""
    if Path(str(request.node.fspath)).resolve().parent != HERE:
        yield tmp_path
        return
    root = tmp_path / "storage"
    root.mkdir()
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    for name in ("PROJECT", "NAME", "RUN_ID", "NOTES", "TAGS", "RUN_GROUP", "JOB_TYPE", "DIR", "MODE"):
        monkeypatch.delenv(f"WANDB_{name}", raising=False)
    monkeypatch.delenv("WANDB_RESUME", raising=False)
    monkeypatch.setenv("RUNICORN_DIR", str(root))
    monkeypatch.setenv("WANDB_CONSOLE", "off")
    monkeypatch.setenv("WANDB_X_DISABLE_STATS", "true")
    monkeypatch.chdir(workdir)
    yield root
    session.teardown()


@pytest.fixture
def user() -> None:
    """W&B's logged-in test user: runicorn.wandb logs in to nothing."""


@pytest.fixture
def test_settings() -> Callable[..., Any]:
    return lambda **kwargs: wandb.Settings(**kwargs)


@pytest.fixture
def record_q() -> list[Any]:
    """The writes of the runs ``mock_run`` made in this test (``parse_records`` reads the last)."""
    return []


@pytest.fixture
def mock_run(record_q: list[Any]) -> Callable[..., Any]:
    def make(
        config: Any = None, sweep_config: Any = None, settings: Any = None, use_magic_mock: bool = False
    ) -> Any:
        run = wandb.init(mode="offline", config=config, settings=settings, reinit="create_new")
        if sweep_config:
            run.config.update_locked(sweep_config, user="sweep", _allow_val_change=True)
        record_q.append(WriteLog(run))
        return run

    return make


@pytest.fixture
def parse_records() -> Callable[[list[Any]], ParsedRecords]:
    return lambda queue: parse_run(queue[-1])


@pytest.fixture
def wandb_backend_spy(offline_wandb: Path) -> WandbBackendSpy:
    return WandbBackendSpy(offline_wandb)
