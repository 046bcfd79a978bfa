"""Where the integrations record model files (checkpoints, a final model) of a run.

Until runs have an artifact store, a model file is recorded by its path only and nothing is
copied: the run's summary holds ``model_files``, a list of ``{"path", "step", ...}`` entries in
the order they were recorded (a path recorded again replaces its entry). Every adapter goes
through :class:`ModelFiles`, so connecting the artifact store is a change to this module alone.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

MODEL_FILES_KEY = "model_files"  # in summary.json; documented in docs/integrations.md


class ModelFiles:
    """The model files one adapter recorded into its run."""

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, Any]] = {}

    def record(self, run: Any, path: str | os.PathLike[str], step: int | None = None, **info: Any) -> None:
        """Record ``path`` (a file or a folder, kept where it is) as a model file of ``run``."""
        where = str(Path(path).resolve())
        self._entries[where] = {"path": where, "step": step, **info}
        run.summary({MODEL_FILES_KEY: list(self._entries.values())})

    def __len__(self) -> int:
        return len(self._entries)
