"""Whether W&B's progress lines are wanted: ``quiet`` or ``silent`` from the environment
(``WANDB_QUIET``, ``WANDB_SILENT``) or from ``wandb.setup(settings=...)``, kept until
``wandb.teardown()``. A leaf: data types ask it without importing the session."""

from __future__ import annotations

from typing import Any

from runicorn.wandb.env import read_env

setup_settings: Any = None  # what wandb.setup(settings=...) was given, until teardown


def is_quiet() -> bool:
    """No progress lines (W&B's ``quiet`` or ``silent``, from the environment or ``wandb.setup``)."""
    env = read_env()
    given = setup_settings
    return env.quiet or env.silent or bool(getattr(given, "quiet", None) or getattr(given, "silent", None))
