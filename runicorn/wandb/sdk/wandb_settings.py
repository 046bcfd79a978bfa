"""``wandb.sdk.wandb_settings``: W&B's ``Settings`` (``runicorn.wandb.settings.Settings``)."""

from __future__ import annotations

from runicorn.wandb.settings import Settings

__all__ = ["Settings"]
