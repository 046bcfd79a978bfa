"""``runicorn.wandb.install()``: make ``import wandb`` anywhere in this process give ``runicorn.wandb``.

Libraries that look for W&B themselves (``transformers``' ``WandbCallback``, Lightning's
``WandbLogger``) then find it, see ``wandb.run`` and log into Runicorn. Besides ``wandb``, the few
submodules such libraries import by name are given stand-ins (:data:`SUBMODULES`).

``RUNICORN_WANDB=1`` does the same without a code change: the wheel ships one ``.pth`` line
(``runicorn_wandb.pth``) that Python runs at start-up; it reads that one variable and does nothing
else unless it is set (docs/wandb.md#install).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import logging
import os
import sys
import types
from importlib.machinery import ModuleSpec
from typing import Any

log = logging.getLogger("runicorn")

ENV_VAR = "RUNICORN_WANDB"
# The submodules libraries import by name; with install() every ``wandb.X`` that
# ``runicorn.wandb.X`` answers resolves (wandb.sdk.data_types, wandb.apis.public, wandb.util...).
SUBMODULES = (
    "wandb.errors",
    "wandb.util",
    "wandb.wandb_run",
    "wandb.apis",
    "wandb.sdk",
    "wandb.sdk.lib",
    "wandb.sdk.lib.config_util",
    "wandb.sdk.wandb_run",
    "wandb.sdk.wandb_settings",
    "wandb.sdk.data_types",
)
_installed: dict[str, types.ModuleType] = {}


class WandbAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``import wandb.X`` gives the module ``runicorn.wandb.X`` (the same object)."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if not fullname.startswith("wandb.") or sys.modules.get("wandb") is not _installed.get("wandb"):
            return None
        real = "runicorn." + fullname
        try:
            if importlib.util.find_spec(real) is None:
                return None
        except ImportError:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: ModuleSpec) -> types.ModuleType:
        module = importlib.import_module("runicorn." + spec.name)
        _installed[spec.name] = module
        self._real_spec = module.__spec__  # put back in exec_module: the import system sets it
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        module.__spec__ = self._real_spec


_ALIAS = WandbAlias()


def install() -> None:
    """Put ``runicorn.wandb`` in ``sys.modules`` as ``wandb``; ``wandb.X`` then gives ``runicorn.wandb.X``."""
    import runicorn.wandb as facade

    before = sys.modules.get("wandb")
    if before is facade:
        return
    if before is not None:
        log.warning(
            "runicorn.wandb: W&B's own wandb was imported before install(); code that already "
            "holds it keeps logging to W&B, later imports get runicorn.wandb"
        )
    sys.modules["wandb"] = facade
    _installed["wandb"] = facade
    if _ALIAS not in sys.meta_path:
        sys.meta_path.insert(0, _ALIAS)
    for name in SUBMODULES:
        importlib.import_module(name)


def uninstall() -> None:
    """Undo :func:`install`: a later ``import wandb`` finds whatever is installed under that name."""
    for name, module in list(_installed.items()):
        if sys.modules.get(name) is module:
            del sys.modules[name]
    _installed.clear()
    if _ALIAS in sys.meta_path:
        sys.meta_path.remove(_ALIAS)


def install_if_asked(environ: dict[str, str] | None = None) -> None:
    """:func:`install` when ``RUNICORN_WANDB`` is set to something other than ``0`` (the .pth line)."""
    value = (os.environ if environ is None else environ).get(ENV_VAR, "").strip().lower()
    if value not in ("", "0", "false", "no", "off"):
        install()
