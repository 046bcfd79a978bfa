"""The base of W&B's data types (``Image``, ``Histogram``, ``Table``, ``Audio``, ``Video``,
``Html``): a value that ``wandb.log`` records as media, not as a number.

``runicorn.wandb``'s ``log`` hands every such value to :meth:`WBValue.log_into` with the run it
logs into, the (flattened) key and the step; each data type records itself through the SDK's
public calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runicorn.sdk.run_like import RunLike


class WBValue:
    """A value ``wandb.log`` stores as media."""

    def log_into(self, run: RunLike, key: str, step: int) -> None:
        """Record this value in ``run`` under ``key`` at ``step``."""
        raise NotImplementedError(f"{type(self).__name__} cannot be logged")
