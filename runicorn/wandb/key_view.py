"""The reading half that ``wandb.config`` and ``wandb.summary`` share: a dict read by item and by
attribute (``config.lr`` is ``config["lr"]``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class KeyView:
    """Reads the dict :meth:`_mapping` returns; ``_noun`` names it in the missing-attribute error."""

    _noun = "dict"
    _private_prefix = "__"  # attributes starting so are never keys

    def _mapping(self) -> dict[str, Any]:
        raise NotImplementedError

    def __getitem__(self, key: str) -> Any:
        return self._mapping()[key]

    def __getattr__(self, key: str) -> Any:
        if key.startswith(self._private_prefix):
            raise AttributeError(key)
        try:
            return self[key]
        except KeyError:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {key!r}") from None

    def __contains__(self, key: object) -> bool:
        return key in self._mapping()

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._mapping()))

    def __len__(self) -> int:
        return len(self._mapping())

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self._mapping() else default

    def as_dict(self) -> dict[str, Any]:
        return dict(self._mapping())
