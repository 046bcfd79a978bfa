"""Runs moved in and out as files: the manifest of an export archive and the ``source`` an
imported run records (runicorn/archive, docs/archives.md)."""

from __future__ import annotations

from typing import Any, TypedDict

from runicorn.format.run import MetaData

__all__ = [
    "MANIFEST_FILE",
    "MANIFEST_VERSION",
    "ManifestFile",
    "ManifestRun",
    "Manifest",
    "TENSORBOARD_SOURCE",
    "WANDB_SOURCE",
    "SourceFile",
    "ImportSource",
    "ImportedMetaData",
    "import_source_digest",
    "import_source_run_dir",
]


# --- export archives -------------------------------------------------------------------------
# The manifest ``runicorn export`` writes at the top of every archive.
MANIFEST_FILE = "runicorn-manifest.json"
MANIFEST_VERSION = 1


class ManifestFile(TypedDict):
    path: str  # relative to the run folder, "/"-separated
    size: int
    sha256: str


class ManifestRun(TypedDict):
    id: str
    project: str
    name: str
    path: str  # the run folder relative to the archive top, "/"-separated
    files: list[ManifestFile]


class Manifest(TypedDict):
    manifest_version: int
    format_version: int
    created_at: float
    runs: list[ManifestRun]


# --- runs imported from TensorBoard event files (runicorn/archive/tensorboard_import.py) ---------
TENSORBOARD_SOURCE = "tensorboard"  # ImportSource "kind" of such a run
# --- and from W&B run folders (runicorn/archive/wandb_import.py): the same "source" shape --------
WANDB_SOURCE = "wandb"


class SourceFile(TypedDict):
    path: str  # relative to the TensorBoard log directory, "/"-separated
    size: int


class ImportSource(TypedDict):
    """meta.json "source" of an imported run: what it was made from, so a second import of the
    same files finds it."""

    kind: str  # TENSORBOARD_SOURCE or WANDB_SOURCE
    run_dir: str  # TensorBoard: the run directory relative to the log directory ("." for the log
    # directory); W&B: the run folder's name (offline-run-...)
    files: list[SourceFile]  # in the order they were read (W&B: its transaction log)
    digest: str  # sha256 over the files' paths and sizes


class ImportedMetaData(MetaData, total=False):
    source: ImportSource


def import_source_digest(meta: dict[str, Any] | None) -> str | None:
    """The ``source`` digest of an imported run's meta.json; None for a run not imported."""
    source = meta.get("source") if meta else None
    digest = source.get("digest") if isinstance(source, dict) else None
    return digest if isinstance(digest, str) else None


def import_source_run_dir(meta: dict[str, Any] | None) -> str | None:
    """The ``source`` run directory of an imported run's meta.json; None for a run not imported."""
    source = meta.get("source") if meta else None
    run_dir = source.get("run_dir") if isinstance(source, dict) else None
    return run_dir if isinstance(run_dir, str) else None
