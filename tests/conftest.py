"""Shared fixtures: a temporary storage root; ``make_run``, which writes a run through the REAL
SDK (the canonical fixture run every layer reads); ``live_viewer``, the real viewer on uvicorn
(see tests/viewer_server.py); ``connection_recorder``, a loopback listener that records whether
anything connected (tests/connection_recorder.py)."""

from __future__ import annotations

import math
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from connection_recorder import connection_recorder  # noqa: F401
from other_user import other_user  # noqa: F401  (a second local Unix user: tests/other_user.py)
from viewer_server import live_viewer  # noqa: F401

import runicorn


def pytest_configure(config: pytest.Config) -> None:
    """A test run started in the background by a non-interactive shell (``make test &``) has
    SIGINT ignored, and every command it starts would inherit that: the tests that stop a CLI
    with Ctrl-C need it to arrive as it does from a terminal."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def _isolated_user_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user config, storage env or rank."""
    config_dir = tmp_path_factory.mktemp("user-config")
    monkeypatch.setenv("RUNICORN_CONFIG_FILE", str(config_dir / "config.json"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))
    for name in ("RUNICORN_DIR", "RUNICORN_MODE", "RANK"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def storage_root(tmp_path: Path) -> Path:
    root = tmp_path / "storage"
    root.mkdir()
    return root


MakeRun = Callable[..., runicorn.Run]


@pytest.fixture
def make_run(storage_root: Path) -> Iterator[MakeRun]:
    """``make_run(project=, name=, steps=, finish=, **init_kwargs)`` -> a Run written by the SDK.

    The canonical run: ``steps`` steps of ``train/loss``, ``train/acc`` (stage "train"), a
    ``val/loss`` every 10 steps (stage "val"), one NaN loss at step 7, a text line, a summary.
    """
    started: list[runicorn.Run] = []

    def make(
        project: str = "demo", name: str = "exp1", steps: int = 50, finish: bool = True, **kwargs: Any
    ) -> runicorn.Run:
        kwargs.setdefault("capture_console", False)
        kwargs.setdefault("system_metrics", False)
        kwargs.setdefault("config", {"lr": 0.001, "batch_size": 32})
        run = runicorn.init(project=project, name=name, storage=storage_root, **kwargs)
        started.append(run)
        for step in range(1, steps + 1):
            loss = math.nan if step == 7 else 1.0 / step
            run.log({"train/loss": loss, "train/acc": 1 - 1.0 / (step + 1)}, step=step, stage="train")
            if step % 10 == 0:
                run.log({"val/loss": 1.2 / step}, step=step, stage="val")
        run.log_text(f"trained {steps} steps")
        run.summary({"best_acc": 1 - 1.0 / (steps + 1), "final_loss": 1.0 / max(steps, 1)})
        if finish:
            run.finish()
        else:
            run.flush()
        return run

    yield make
    for run in started:
        run.finish()
