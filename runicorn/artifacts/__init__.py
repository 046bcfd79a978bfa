"""Artifacts: versioned, content-addressed files shared between runs (docs/artifacts.md).

Usable without ``runicorn.wandb``: build a :class:`Draft`, log it with ``run.log_artifact`` and
fetch it in another run with ``run.use_artifact("name:latest").download(folder)``. The store is
:class:`ArtifactStore` (``<root>/.artifacts/``); a run's ``artifacts.json`` records what it
logged and used (:mod:`runicorn.artifacts.lineage`). This package imports only the format, the
settings and the errors.
"""

from __future__ import annotations

from runicorn.artifacts.draft import Draft
from runicorn.artifacts.store import ArtifactStore, StoredVersion

__all__ = ["ArtifactStore", "Draft", "StoredVersion"]
