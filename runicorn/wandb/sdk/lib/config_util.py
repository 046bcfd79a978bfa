"""``wandb.sdk.lib.config_util``: ``ConfigError`` (a ``wandb.Error``) and the defaults file reader."""

from __future__ import annotations

from runicorn.wandb.config import config_defaults
from runicorn.wandb.errors import Error as ConfigError

__all__ = ["ConfigError", "config_defaults"]
