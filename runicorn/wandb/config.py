"""``wandb.config``: a run's hyper-parameters, saved to the run's config.json through the SDK.

Like W&B's: keys read and set as items and attributes, ``update`` and ``setdefaults`` take a dict,
an ``argparse.Namespace`` or a dataclass instance (nested dicts stay nested), leading and trailing
``-`` are stripped from keys (``--lr`` becomes ``lr``), and setting a key that already holds
another value raises :class:`~runicorn.wandb.errors.Error` unless ``allow_val_change=True``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
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


log = logging.getLogger("runicorn")

DEFAULTS_FILE = "config-defaults.yaml"


def config_defaults(folder: Any = ".") -> dict[str, Any]:
    """The values of ``config-defaults.yaml`` in ``folder`` (W&B's file: ``key: {value: v}`` or
    ``key: v``), or nothing when there is no such file."""
    path = Path(folder) / DEFAULTS_FILE
    return config_file(path) if path.is_file() else {}


def config_file(path: Any) -> dict[str, Any]:
    """The values of a YAML config file in W&B's shape (``wandb.init(config="params.yaml")``)."""
    path = Path(path)
    import yaml

    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise Error(f"cannot read {path}: {exc}", "fix the YAML, or remove the file") from None
    if not loaded:
        print(
            f"wandb: WARNING Found an empty default config file ({path.name}). Proceeding with no defaults.",
            file=sys.stderr,
        )
        return {}
    if not isinstance(loaded, dict):
        raise Error(f"{path} holds no mapping of config keys", "write one `key: {value: v}` per line")
    loaded.pop("wandb_version", None)
    loaded.pop("_wandb", None)
    return {str(k): v["value"] if isinstance(v, dict) and "value" in v else v for k, v in loaded.items()}


class Config(KeyView):
    """The config of one run; ``target`` is the SDK run's config (a dict that saves on change).

    Without a target (W&B's ``wandb.sdk.Config()``), a config of its own, starting from
    ``config-defaults.yaml`` in the working directory. Keys set with :meth:`update_locked` (a
    sweep's values) keep their value: a later change of them is ignored, as in W&B."""

    _noun = "config"

    def __init__(self, target: dict[str, Any] | None = None) -> None:
        object.__setattr__(self, "_target", target if target is not None else {})
        object.__setattr__(self, "_locked", {})  # key -> who locked it ("sweep")
        object.__setattr__(self, "_callback", None)
        object.__setattr__(self, "_guard", None)  # raises when the run has finished
        if target is None:
            self._target.update(config_defaults())

    def _set_callback(self, callback: Callable[..., None]) -> None:
        """W&B's hook: ``callback(key=, val=)`` after an item is set, ``callback(data=)`` after an update."""
        object.__setattr__(self, "_callback", callback)

    def _set_guard(self, guard: Callable[[str], None]) -> None:
        object.__setattr__(self, "_guard", guard)

    def _changing(self, what: str) -> None:
        if self._guard is not None:
            self._guard(what)

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
        self._changing(f"config[{key!r}]")
        if str(key).strip("-") in self._locked:
            self._ignored(str(key).strip("-"))
            return
        key, value = self._checked(str(key), value, allow_val_change=False)
        self._target[key] = value
        if self._callback is not None:
            self._callback(key=key, val=value)

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value

    def __delitem__(self, key: str) -> None:
        del self._target[key]

    def update(self, d: Any = None, allow_val_change: bool | None = None) -> None:
        """Merge ``d`` (dict, Namespace, dataclass) into the config; one write of config.json."""
        self._changing("config.update")
        values = parse_config(d, "config.update's argument")
        checked = {}
        for key, value in values.items():
            if key.strip("-") in self._locked:
                self._ignored(key.strip("-"))
                continue
            key, value = self._checked(key, value, bool(allow_val_change))
            checked[key] = value
        if checked:
            self._target.update(checked)
            if self._callback is not None:
                self._callback(data=checked)

    def update_locked(self, d: Any, user: str | None = None, _allow_val_change: bool | None = None) -> None:
        """Set ``d``'s keys and lock them: later changes are ignored (a sweep's values)."""
        values = {k: to_json_value(v) for k, v in parse_config(d, "config.update_locked's argument").items()}
        for key in values:
            self._locked[key] = user or "locked"
        self._target.update(values)
        if self._callback is not None:
            self._callback(data=values)

    def merge_locked(self, d: Any, user: str | None = None, _allow_val_change: bool | None = None) -> None:
        """Like :meth:`update_locked`, nested dicts merged into the ones the config holds."""
        values = {k: to_json_value(v) for k, v in parse_config(d, "config.merge_locked's argument").items()}
        merged = {k: _merge(self._target.get(k), v) for k, v in values.items()}
        self.update_locked(merged, user, _allow_val_change)

    def _ignored(self, key: str) -> None:
        log.warning(
            "runicorn.wandb: config item %r was locked by %r (a sweep's value); the change was ignored",
            key,
            self._locked[key],
        )

    def setdefaults(self, d: Any) -> None:
        """Set the keys of ``d`` that the config does not have yet (the others stay as they are)."""
        fresh = {k: v for k, v in parse_config(d, "config.setdefaults' argument").items() if k not in self}
        if fresh:
            self._target.update(fresh)
            if self._callback is not None:
                self._callback(data=fresh)

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


def _merge(old: Any, new: Any) -> Any:
    if isinstance(old, dict) and isinstance(new, dict):
        return {**old, **{k: _merge(old.get(k), v) for k, v in new.items()}}
    return new


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
