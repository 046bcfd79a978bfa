"""``wandb.sdk.lib``: the helpers of W&B's SDK that libraries import (``config_util``)."""

from __future__ import annotations

from runicorn.wandb.run import Run as RunDisabled  # W&B's disabled run is a Run too

__all__ = ["RunDisabled"]
