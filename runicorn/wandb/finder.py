"""``WandbFinder``: while ``runicorn.wandb`` is installed as ``wandb``, the import system and
``importlib.metadata`` both answer for it.

Two questions libraries ask before they use W&B, and what this finder answers:

- ``import wandb.integration.keras`` (any ``wandb.<sub>`` not already in ``sys.modules``): the
  module ``runicorn.wandb.<sub>``, the same object under both names (not a second copy of its
  file), or nothing when we have no such module.
- ``importlib.metadata.version("wandb")`` (Lightning's ``RequirementCache("wandb>=0.12.10")``,
  accelerate's ``is_wandb_available()``): a distribution named ``wandb`` whose version is the W&B
  API level ``runicorn.wandb`` follows (``runicorn.wandb.__version__``).

The finder sits first on ``sys.meta_path`` only between :func:`runicorn.wandb.install` and
:func:`runicorn.wandb.uninstall`, so that a process that never asks for the shim (``RUNICORN_WANDB``
unset, no ``install()``) sees W&B's own ``wandb`` and its metadata, untouched. While it is there,
its answers come before those of an installed W&B: the metadata then describes the ``wandb`` that
``import wandb`` gives.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from collections.abc import Iterator
from importlib.abc import Loader
from importlib.machinery import ModuleSpec
from importlib.metadata import Distribution, DistributionFinder
from pathlib import Path
from types import ModuleType
from typing import Any

ALIAS = "wandb"
TARGET = "runicorn.wandb"


class WandbDistribution(Distribution):
    """The metadata of the ``wandb`` that ``runicorn.wandb`` stands in for: a name and a version."""

    def __init__(self, version: str) -> None:
        self._version = version

    def read_text(self, filename: str) -> str | None:
        if filename == "METADATA":
            return (
                "Metadata-Version: 2.1\n"
                f"Name: {ALIAS}\n"
                f"Version: {self._version}\n"
                "Summary: W&B's logging API, offline, into Runicorn runs (runicorn.wandb)\n"
            )
        if filename == "top_level.txt":
            return ALIAS + "\n"
        return None  # no RECORD, entry points or requirements: the files are runicorn's

    def locate_file(self, path: Any) -> Path:
        return Path(__file__).parent / str(path)


class _AliasLoader(Loader):
    """Gives the already imported ``runicorn.wandb.<sub>`` for ``wandb.<sub>``, keeping its own spec."""

    def __init__(self, target: str) -> None:
        self.target = target
        self._own_spec: ModuleSpec | None = None

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self._own_spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        module.__spec__ = self._own_spec  # the import system set the alias's spec on it


class WandbFinder(DistributionFinder):
    """Answers ``wandb.<sub>`` imports and the ``wandb`` distribution's metadata (see the module)."""

    def __init__(self, version: str) -> None:
        self.version = version

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if not fullname.startswith(ALIAS + "."):
            return None
        own_name = TARGET + fullname[len(ALIAS) :]
        try:
            own = importlib.util.find_spec(own_name)
        except (ImportError, ValueError):
            return None
        if own is None:
            return None  # W&B has it, we do not: the import fails as for any missing module
        return ModuleSpec(
            fullname, _AliasLoader(own_name), is_package=own.submodule_search_locations is not None
        )

    def find_distributions(self, context: Any = None) -> Iterator[Distribution]:
        name = getattr(context, "name", None)
        if name is None or re.sub(r"[-_.]+", "-", name).lower() == ALIAS:
            yield WandbDistribution(self.version)
