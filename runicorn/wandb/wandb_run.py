"""``wandb.wandb_run``: W&B's ``Run`` where libraries (Lightning's ``WandbLogger``) import it."""

from __future__ import annotations

from runicorn.wandb.run import Run

__all__ = ["Run"]
