"""``wandb.sdk.data_types``: W&B's data types (``runicorn.wandb.data_types``)."""

from __future__ import annotations

from runicorn.wandb.data_types import *  # noqa: F403
from runicorn.wandb.data_types import __all__ as _data_types_all

__all__ = list(_data_types_all)
