"""``wandb.Settings``: accepted so that scripts passing ``settings=wandb.Settings(...)`` run.

Runicorn reads its own settings (docs/sdk.md); of W&B's, ``silent`` is honoured and the rest are
kept on the object and ignored.
"""

from __future__ import annotations

from typing import Any


class Settings:
    """W&B's settings object: any keyword is accepted and kept as an attribute."""

    def __init__(self, **kwargs: Any) -> None:
        self.__dict__.update(kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return None  # an unset W&B setting

    def update(self, values: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self.__dict__.update({**(values or {}), **kwargs})

    def __repr__(self) -> str:
        return f"Settings({self.__dict__!r})"
