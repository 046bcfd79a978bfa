"""``wandb.config``: a run's hyper-parameters, saved to the run's config.json through the SDK.

Like W&B's: keys read and set as items and attributes, ``update`` and ``setdefaults`` take a dict,
an ``argparse.Namespace`` or a dataclass instance (nested dicts stay nested), leading and trailing
``-`` are stripped from keys (``--lr`` becomes ``lr``), and setting a key that already holds
another value raises :class:`~runicorn.wandb.errors.Error` unless ``allow_val_change=True``.
"""

from __future__ import annotations

from typing import Any

from runicorn.errors import ConfigError
from runicorn.sdk.config import config_dict
from runicorn.sdk.values import to_json_value
from runicorn.wandb.errors import Error
from runicorn.wandb.key_view import KeyView
from runicorn.wandb.wbvalue import WBValue


def parse_config(value: Any, where: str = "config") -> dict[str, Any]:
    """``value`` (dict, Namespace, dataclass, None) as a plain dict with W&B's key rule."""
    try:
        values = config_dict(value, where)
    except ConfigError as exc:
        raise Error(exc.message, exc.hint) from None
    return {key.strip("-"): value for key, value in values.items()}


class Config(KeyView):
    """The config of one run; ``target`` is the SDK run's config (a dict that saves on change)."""

    _noun = "config"

    def __init__(self, target: dict[str, Any]) -> None:
        object.__setattr__(self, "_target", target)

    def _mapping(self) -> dict[str, Any]:
        return self._target

    # --- reading ------------------------------------------------------------------------------
    def keys(self) -> list[str]:
        return [k for k in self._target if not k.startswith("_")]

    def items(self) -> list[tuple[str, Any]]:
        return [(k, v) for k, v in self._target.items() if not k.startswith("_")]

    def values(self) -> list[Any]:
        return [v for k, v in self._target.items() if not k.startswith("_")]

    def __repr__(self) -> str:
        return f"Config({dict(self._target)!r})"

    # --- writing ------------------------------------------------------------------------------
    def __setitem__(self, key: str, value: Any) -> None:
        key, value = self._checked(str(key), value, allow_val_change=False)
        self._target[key] = value

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value

    def __delitem__(self, key: str) -> None:
        del self._target[key]

    def update(self, d: Any = None, allow_val_change: bool | None = None) -> None:
        """Merge ``d`` (dict, Namespace, dataclass) into the config; one write of config.json."""
        values = parse_config(d, "config.update's argument")
        checked = dict(self._checked(k, v, bool(allow_val_change)) for k, v in values.items())
        if checked:
            self._target.update(checked)

    def setdefaults(self, d: Any) -> None:
        """Set the keys of ``d`` that the config does not have yet (the others stay as they are)."""
        fresh = {k: v for k, v in parse_config(d, "config.setdefaults' argument").items() if k not in self}
        if fresh:
            self._target.update(fresh)

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self._target:
            self[key] = default
        return self._target[key]

    def persist(self) -> None:
        """Write config.json now (it is written at every change anyway)."""
        self._target.update({})

    def _checked(self, key: str, value: Any, allow_val_change: bool) -> tuple[str, Any]:
        if isinstance(value, WBValue):
            raise ValueError("WBValue objects (Image, Table...) cannot be added to the run config")
        key = key.strip("-")
        value = to_json_value(value)
        if not allow_val_change and key in self._target and self._target[key] != value:
            raise Error(
                f'Attempted to change value of key "{key}" from {self._target[key]} to {value}\n'
                "If you really want to do this, pass allow_val_change=True to config.update()"
            )
        return key, value


class PreInitObject:
    """What ``wandb.config`` / ``wandb.summary`` are before ``wandb.init``: every use raises."""

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def _refuse(self, what: str) -> Error:
        return Error(f"You must call wandb.init() before {what}")

    def __getitem__(self, key: str) -> Any:
        raise self._refuse(f"{self._name}[{key!r}]")

    def __setitem__(self, key: str, value: Any) -> None:
        raise self._refuse(f"{self._name}[{key!r}]")

    def __setattr__(self, key: str, value: Any) -> None:
        raise self._refuse(f"{self._name}.{key}")

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):
            raise AttributeError(key)
        raise self._refuse(f"{self._name}.{key}")
