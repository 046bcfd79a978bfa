"""``wandb.apis.public``: ``Api``, which reads runs from W&B's servers: not part of runicorn.wandb."""

from __future__ import annotations

from typing import Any

from runicorn.wandb.errors import Error


class Api:
    """W&B's public API reads runs back from W&B's servers: not part of runicorn.wandb."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise Error(
            "wandb.Api() reads runs from W&B's servers, which runicorn.wandb does not talk to",
            "read runs with Runicorn's viewer API (docs/api.md) or its files (docs/format.md)",
        )


__all__ = ["Api"]
