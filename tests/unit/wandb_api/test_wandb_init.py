"""wandb.init: the run it returns, WANDB_* variables, modes, resume, finish, install()."""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path

import pytest
from wandb_runs import QUIET, read, rows

import runicorn.wandb as wandb
from runicorn import format as fmt


def test_the_run_has_wandbs_attributes(storage_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNICORN_VIEWER_URL", "http://127.0.0.1:23300/")
    run = wandb.init(
        project="my project",
        name="lr=0.1 run",
        tags=["a", "b"],
        notes="first try",
        group="sweep-1",
        job_type="train",
        dir=storage_root,
        settings=QUIET,
    )
    assert wandb.run is run
    assert run.project == "my_project" and run.name == "lr=0.1 run"
    assert Path(run.sync_dir).is_relative_to(storage_root) and Path(run.sync_dir).name == run.id
    assert Path(run.dir) == Path(run.sync_dir) / fmt.FILES_DIR  # W&B's files folder
    assert run.path == f"my_project/{run.id}"
    assert run.url == f"http://127.0.0.1:23300/runs/{run.id}"
    assert run.tags == ("a", "b") and run.notes == "first try"
    meta = read(run, fmt.META_FILE)
    assert meta["group"] == "sweep-1" and meta["job_type"] == "train"
    assert meta["display_name"] == "lr=0.1 run" and meta["name"] == "lr_0.1_run"
    run.finish()
    assert wandb.run is None
    assert read(run, fmt.STATUS_FILE)["status"] == "finished"


def test_url_is_none_without_a_viewer_url(storage_root: Path) -> None:
    assert wandb.init(project="p", dir=storage_root, settings=QUIET).url is None


def test_wandb_variables_are_honoured_and_arguments_win(
    storage_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WANDB_PROJECT", "envproj")
    monkeypatch.setenv("WANDB_NAME", "envname")
    monkeypatch.setenv("WANDB_RUN_ID", "abc123")
    monkeypatch.setenv("WANDB_NOTES", "from env")
    monkeypatch.setenv("WANDB_TAGS", "x, y")
    monkeypatch.setenv("WANDB_RUN_GROUP", "g")
    monkeypatch.setenv("WANDB_JOB_TYPE", "eval")
    monkeypatch.setenv("WANDB_DIR", str(storage_root))
    run = wandb.init(settings=QUIET)
    assert (run.project, run.name, run.id) == ("envproj", "envname", "abc123")
    assert Path(run.sync_dir) == storage_root / "envproj" / "envname" / "runs" / "abc123"
    meta = read(run, fmt.META_FILE)
    assert (meta["notes"], meta["tags"], meta["group"], meta["job_type"]) == (
        "from env",
        ["x", "y"],
        "g",
        "eval",
    )
    run.finish()
    run = wandb.init(project="argproj", id="other1", settings=QUIET)
    assert run.project == "argproj" and run.id == "other1"


def test_disabled_mode_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANDB_MODE", "disabled")
    run = wandb.init(project="p", dir=tmp_path / "root", config={"lr": 1})
    wandb.log({"loss": 1.0})
    wandb.summary["x"] = 1
    assert wandb.config.lr == 1
    run.finish()
    assert not (tmp_path / "root").exists()


def test_unknown_and_cloud_arguments_are_ignored_with_one_notice(
    storage_root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, "runicorn"):
        wandb.init(
            project="p", dir=storage_root, entity="team", save_code=True, anonymous="allow", settings=QUIET
        )
    notices = [r.getMessage() for r in caplog.records if "ignores" in r.getMessage()]
    assert len(notices) == 1 and "wandb.init ignores anonymous, entity, save_code (" in notices[0]


def test_resume_by_id_continues_the_steps_and_keeps_the_summary(storage_root: Path) -> None:
    run = wandb.init(project="p", name="r", id="run1", dir=storage_root, settings=QUIET)
    wandb.log({"loss": 1.0})
    wandb.log({"loss": 0.5})
    wandb.finish()
    again = wandb.init(project="elsewhere", id="run1", resume="must", dir=storage_root, settings=QUIET)
    assert again.dir == run.dir and again.resumed
    wandb.log({"loss": 0.25})
    wandb.finish()
    assert [r["_step"] for r in rows(again)] == [0, 1, 2]
    with pytest.raises(wandb.UsageError, match="resume='never'"):
        wandb.init(id="run1", resume="never", dir=storage_root, settings=QUIET)
    with pytest.raises(wandb.UsageError, match="no run with this id"):
        wandb.init(id="nope", resume="must", dir=storage_root, settings=QUIET)


def test_context_manager_records_a_failure(storage_root: Path) -> None:
    with pytest.raises(RuntimeError):
        with wandb.init(project="p", dir=storage_root, settings=QUIET) as run:
            wandb.log({"loss": 1.0}, commit=False)
            raise RuntimeError("boom")
    assert read(run, fmt.STATUS_FILE)["status"] == "failed"
    assert rows(run) == [{"loss": 1.0, "_step": 0}]  # the pending row was written first


def test_finish_with_an_exit_code_marks_the_run_failed(storage_root: Path) -> None:
    run = wandb.init(project="p", dir=storage_root, settings=QUIET)
    wandb.finish(exit_code=3)
    status = read(run, fmt.STATUS_FILE)
    assert status["status"] == "failed" and status["exit_code"] == 3


def test_a_second_init_returns_the_active_run_unless_reinit_says_otherwise(storage_root: Path) -> None:
    first = wandb.init(project="p", dir=storage_root, settings=QUIET)
    assert wandb.init(project="p", dir=storage_root, settings=QUIET) is first  # W&B's default
    assert wandb.init(project="p", dir=storage_root, reinit="return_previous", settings=QUIET) is first
    beside = wandb.init(project="p", dir=storage_root, reinit="create_new", settings=QUIET)
    assert beside is not first and wandb.run is first and not first._is_finished
    second = wandb.init(project="p", dir=storage_root, reinit="finish_previous", settings=QUIET)
    assert second is not first and first._is_finished and beside._is_finished and wandb.run is second
    with pytest.raises(wandb.UsageError, match="is finished"):
        first.log({"lost": 1})  # logging through an old handle is refused, never silently lost


def test_api_is_out_of_scope() -> None:
    with pytest.raises(wandb.Error, match="does not talk to"):
        wandb.Api()


def test_install_makes_import_wandb_this_module() -> None:
    wandb.install()
    try:
        import wandb as imported  # type: ignore[import-not-found]
        from wandb.sdk.lib.config_util import ConfigError  # type: ignore[import-not-found]

        assert imported is wandb and ConfigError is wandb.Error
        assert sys.modules["wandb.errors"].Error is wandb.Error
        # the paths real scripts and libraries import resolve, offline, to this module's objects
        from wandb.sdk.wandb_run import Run  # type: ignore[import-not-found]
        from wandb.sdk.wandb_settings import Settings  # type: ignore[import-not-found]

        assert Run is wandb.Run and Settings is wandb.Settings
        assert importlib.import_module("wandb.wandb_run").Run is wandb.Run  # Lightning's import
        assert importlib.import_module("wandb.sdk.lib").RunDisabled is wandb.Run
        assert importlib.import_module("wandb.sdk.data_types").Image is wandb.Image
        assert imported.util.generate_id() and imported.login() is True
        with pytest.raises(wandb.Error, match="does not talk to"):
            importlib.import_module("wandb.apis.public").Api()
    finally:
        wandb.uninstall()
    assert "wandb" not in sys.modules and "wandb.sdk.wandb_run" not in sys.modules


def test_dir_does_not_move_runs_away_from_a_configured_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    root, scratch = tmp_path / "root", tmp_path / "scratch"
    monkeypatch.setenv("RUNICORN_DIR", str(root))
    monkeypatch.chdir(tmp_path)
    with caplog.at_level(logging.WARNING, "runicorn"):
        run = wandb.init(project="p", dir=scratch, settings={"console": "off", "x_disable_stats": True})
    run.finish()
    assert Path(run.sync_dir).is_relative_to(root) and not scratch.exists()
    assert any("W&B keeps its scratch files" in r.getMessage() for r in caplog.records)


def test_dir_that_holds_runs_is_the_storage_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "other"
    monkeypatch.delenv("RUNICORN_DIR", raising=False)
    wandb.init(project="p", dir=other, settings=QUIET).finish()  # nothing configured: dir is the root
    monkeypatch.setenv("RUNICORN_DIR", str(tmp_path / "root"))
    run = wandb.init(project="p", dir=other, settings=QUIET)
    run.finish()
    assert Path(run.sync_dir).is_relative_to(other)


def test_dir_as_the_working_directory_means_runicorns_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RUNICORN_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    tensorboard_runs = tmp_path / "runs" / "Dec08_10-00-00_host"  # TensorBoard's ./runs: not a root
    tensorboard_runs.mkdir(parents=True)
    (tensorboard_runs / "events.out.tfevents.1").write_bytes(b"")
    run = wandb.init(project="p", dir=".", settings=QUIET)  # Lightning's WandbLogger default
    run.finish()
    assert Path(run.sync_dir).is_relative_to(tmp_path / ".runicorn")
