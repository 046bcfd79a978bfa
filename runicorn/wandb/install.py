"""``runicorn.wandb.install()``: make ``import wandb`` anywhere in this process give ``runicorn.wandb``.

Libraries that look for W&B themselves (``transformers``' ``WandbCallback``, Lightning's
``WandbLogger``) then find it, see ``wandb.run`` and log into Runicorn. Besides ``wandb``, the few
submodules such libraries import by name are given stand-ins (:data:`SUBMODULES`), and a
:class:`~runicorn.wandb.finder.WandbFinder` answers the rest of ``wandb.<sub>`` (``wandb.integration
.keras``) and ``importlib.metadata.version("wandb")``, which libraries check before they use W&B.

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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runicorn.wandb.finder import WandbFinder

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
_finders: list[WandbFinder] = []


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
    if not _finders:
        from runicorn.wandb.finder import WandbFinder  # importlib.metadata: only when installing

        _finders.append(WandbFinder(facade.__version__))
        sys.meta_path.insert(0, _finders[0])
    for name in SUBMODULES:
        _installed[name] = importlib.import_module(name)


def uninstall() -> None:
    """Undo :func:`install`: a later ``import wandb`` (and ``importlib.metadata.version("wandb")``)
    finds whatever is installed under that name."""
    for name, module in list(_installed.items()):
        if sys.modules.get(name) is module:
            del sys.modules[name]
    _installed.clear()
    for name in [name for name in sys.modules if name.startswith("wandb.")]:
        if getattr(sys.modules[name], "__name__", "").startswith("runicorn.wandb"):
            del sys.modules[name]  # an alias the finder made (wandb.integration.keras)
    for finder in _finders:
        if finder in sys.meta_path:
            sys.meta_path.remove(finder)
    _finders.clear()


def install_if_asked(environ: dict[str, str] | None = None) -> None:
    """:func:`install` when ``RUNICORN_WANDB`` is set to something other than ``0`` (the .pth line)."""
    value = (os.environ if environ is None else environ).get(ENV_VAR, "").strip().lower()
    if value not in ("", "0", "false", "no", "off"):
        install()
