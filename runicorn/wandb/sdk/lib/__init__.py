"""``wandb.sdk.lib``: the helpers of W&B's SDK that libraries import (``config_util``,
``printer_asyncio``)."""

from __future__ import annotations

from runicorn.wandb.run import Run as RunDisabled  # W&B's disabled run is a Run too
from runicorn.wandb.sdk.lib import printer_asyncio

__all__ = ["RunDisabled", "printer_asyncio"]
