"""``wandb.sdk.wandb_config``: W&B's ``Config`` (``runicorn.wandb.config.Config``)."""

from __future__ import annotations

from runicorn.wandb.config import Config

__all__ = ["Config"]
