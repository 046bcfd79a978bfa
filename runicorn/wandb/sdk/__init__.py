"""``wandb.sdk``: the module paths W&B's own code and libraries import by name.

``wandb.sdk.Config``, ``wandb.sdk.Summary``, ``wandb.sdk.wandb_run.Run``,
``wandb.sdk.wandb_settings.Settings``, ``wandb.sdk.data_types``, ``wandb.sdk.lib.config_util``:
each the ``runicorn.wandb`` object of that name.
"""

from __future__ import annotations

from runicorn.wandb.config import Config
from runicorn.wandb.run import Run
from runicorn.wandb.sdk import lib  # noqa: F401 - wandb.sdk.lib.printer_asyncio, by attribute
from runicorn.wandb.settings import Settings
from runicorn.wandb.summary import Summary

__all__ = ["Config", "Run", "Settings", "Summary"]
