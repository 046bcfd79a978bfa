"""``wandb.apis``: W&B's public API reads runs from W&B's servers; here ``Api()`` raises
``wandb.Error`` saying so (read runs with the viewer's API or the files: docs/wandb.md)."""

from __future__ import annotations

from runicorn.wandb.apis import public
from runicorn.wandb.apis.public import Api as PublicApi

__all__ = ["PublicApi", "public"]
