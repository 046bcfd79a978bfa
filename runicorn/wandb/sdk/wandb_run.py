"""``wandb.sdk.wandb_run``: W&B's ``Run`` (``runicorn.wandb.run.Run``)."""

from __future__ import annotations

from runicorn.wandb.run import Run

__all__ = ["Run"]
