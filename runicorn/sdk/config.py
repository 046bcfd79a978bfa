"""A run's config: the hyper-parameters ``rn.init(config=...)`` takes and ``rn.config`` shows.

``init`` accepts a dict, any Mapping, an ``argparse.Namespace`` or a dataclass instance, and
refuses anything else before a run folder exists. Values are made plain JSON by the rules of
:mod:`runicorn.sdk.values` (a tensor becomes its number), nested dicts stay nested.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from runicorn.errors import ConfigError
from runicorn.sdk.values import (
    DROP,
    OnDrop,
    json_object,
    key_text,
    mapping_of,
    short_repr,
    to_json_value,
    warn_dropped,
)

log = logging.getLogger("runicorn")

CONFIG_KINDS = "a dict (or any Mapping), an argparse.Namespace or a dataclass instance"


def config_dict(value: Any, where: str = "config", on_drop: OnDrop = warn_dropped) -> dict[str, Any]:
    """``value`` (one of :data:`CONFIG_KINDS`, or None) as a plain JSON dict; raises ConfigError
    for another kind. A key or value that cannot be saved drops that key only (``on_drop``)."""
    if value is None:
        return {}
    try:
        items = mapping_of(value)
    except TypeError:
        raise ConfigError(
            f"{where} must be {CONFIG_KINDS}, got {type(value).__name__}",
            "pass e.g. config=vars(args) or config={'lr': 1e-3}",
        ) from None
    return json_object(items, on_drop)


class Config(dict[str, Any]):
    """The run's config: a dict whose changes are saved to config.json at once.

    Keys read and set as attributes too: ``rn.config.lr``, ``rn.config.lr = 0.1``.
    """

    def __init__(
        self,
        save: Callable[[dict[str, Any]], None],
        initial: dict[str, Any] | None = None,
        on_drop: OnDrop = warn_dropped,
    ) -> None:
        super().__init__(initial or {})
        object.__setattr__(self, "_save", save)
        object.__setattr__(self, "_on_drop", on_drop)

    def __setitem__(self, key: str, value: Any) -> None:
        name = key_text(key)
        if name is None:
            label = key if isinstance(key, str) else short_repr(key)
            self._on_drop(
                label, value, "the key is not valid text (its str() fails, or it has a lone surrogate)"
            )
            return
        converted = to_json_value(value, self._on_drop, name)
        if converted is DROP:
            return
        super().__setitem__(name, converted)
        self._save(dict(self))

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._save(dict(self))

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Merge a dict, Mapping, Namespace or dataclass instance (and keyword values)."""
        if len(args) > 1:
            raise TypeError(f"update expected at most 1 argument, got {len(args)}")
        try:
            values = config_dict(args[0], "config.update's argument", self._on_drop) if args else {}
        except ConfigError as exc:  # after init the SDK warns instead of raising
            log.warning("runicorn: %s: not saved (hint: %s)", exc.message, exc.hint)
            return
        values.update(config_dict(kwargs, on_drop=self._on_drop))
        super().update(values)
        self._save(dict(self))

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def pop(self, key: str, *default: Any) -> Any:
        value = super().pop(key, *default)
        self._save(dict(self))
        return value

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            known = ", ".join(sorted(self)) or "none"
            raise AttributeError(f"the run's config has no key {name!r} (its keys: {known})") from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(f"the run's config has no key {name!r}") from None
