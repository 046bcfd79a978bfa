"""install() makes ``runicorn.wandb`` answer what libraries ask before they use W&B: the
``wandb`` distribution's version (importlib.metadata) and ``wandb.<sub>`` imports. uninstall()
(and never installing) leaves W&B's own ``wandb`` and its metadata as they are."""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import runicorn.wandb as wandb


@pytest.fixture
def real_wandb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A stand-in for W&B's own package, installed in a folder on sys.path with its dist-info."""
    site = tmp_path / "site"
    (site / "wandb").mkdir(parents=True)
    (site / "wandb" / "__init__.py").write_text("__version__ = '0.21.0'\nOWN = True\n")
    (site / "wandb-0.21.0.dist-info").mkdir()
    (site / "wandb-0.21.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: wandb\nVersion: 0.21.0\n"
    )
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    yield site
    for name in [n for n in sys.modules if n == "wandb" or n.startswith("wandb.")]:
        del sys.modules[name]


@pytest.fixture
def installed() -> Iterator[None]:
    wandb.install()
    yield
    wandb.uninstall()


def test_the_wandb_distribution_exists_only_while_installed() -> None:
    wandb.install()
    try:
        assert importlib.metadata.version("wandb") == wandb.__version__
        assert importlib.metadata.metadata("wandb")["Name"] == "wandb"
        assert any(d.metadata["Name"] == "wandb" for d in importlib.metadata.distributions())
    finally:
        wandb.uninstall()
    if importlib.util.find_spec("wandb") is None:  # W&B's own is not installed here
        with pytest.raises(importlib.metadata.PackageNotFoundError):
            importlib.metadata.version("wandb")


def test_a_real_wandb_is_untouched_unless_the_shim_is_asked_for(real_wandb: Path) -> None:
    assert importlib.metadata.version("wandb") == "0.21.0"
    wandb.install()
    try:
        import wandb as imported  # type: ignore[import-not-found]

        assert imported is wandb and importlib.metadata.version("wandb") == wandb.__version__
    finally:
        wandb.uninstall()
    assert importlib.metadata.version("wandb") == "0.21.0"
    import wandb as own  # type: ignore[import-not-found]

    assert own.OWN is True


@pytest.mark.usefixtures("installed")
def test_wandb_submodules_are_our_modules_under_both_names() -> None:
    import wandb.integration  # type: ignore[import-not-found]

    import runicorn.wandb.integration as ours

    assert wandb.integration is ours and sys.modules["wandb.integration"] is ours
    assert ours.__spec__ is not None and ours.__spec__.name == "runicorn.wandb.integration"
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("wandb.no_such_module")


def test_uninstall_forgets_the_submodules_it_aliased() -> None:
    wandb.install()
    importlib.import_module("wandb.integration")
    wandb.uninstall()
    assert not [n for n in sys.modules if n == "wandb" or n.startswith("wandb.")]


@pytest.mark.usefixtures("installed")
def test_lightnings_requirement_check_and_imports_pass() -> None:
    requirement = pytest.importorskip("lightning_utilities.core.imports").RequirementCache
    assert requirement("wandb>=0.12.10")
    from wandb.sdk.lib import RunDisabled  # type: ignore[import-not-found]
    from wandb.wandb_run import Run  # type: ignore[import-not-found]

    assert Run is wandb.Run and isinstance(RunDisabled, type)
