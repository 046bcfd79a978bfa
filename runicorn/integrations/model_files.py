"""Where the integrations record model files (checkpoints, a final model) of a run.

Each model file (or folder) is stored as a version of the run's model artifact,
``model-<run id>`` of type ``model``, in the storage root's artifact store (docs/artifacts.md:
content-addressed, so a checkpoint saved again unchanged is stored once), and listed in the run's
summary under ``model_files``: ``{"path", "step", "artifact": "model-<id>:v<n>", ...}`` entries
in the order they were recorded (a path recorded again replaces its entry). Every adapter goes
through :class:`ModelFiles`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

MODEL_FILES_KEY = "model_files"  # in summary.json; documented in docs/integrations.md
MODEL_ARTIFACT_TYPE = "model"


class ModelFiles:
    """The model files one adapter recorded into its run."""

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, Any]] = {}

    def record(self, run: Any, path: str | os.PathLike[str], step: int | None = None, **info: Any) -> None:
        """Store ``path`` (a file or a folder) as a version of the run's model artifact and list it
        in the run's summary. A file that cannot be stored is listed by its path alone (the
        SDK warned once)."""
        where = str(Path(path).resolve())
        entry: dict[str, Any] = {"path": where, "step": step, **info}
        aliases = ["best"] if info.get("best") else None
        version = run.log_artifact(where, name=f"model-{run.id}", type=MODEL_ARTIFACT_TYPE, aliases=aliases)
        if version is not None:
            entry["artifact"] = f"{version.name}:{version.version}"
        self._entries[where] = entry
        run.summary({MODEL_FILES_KEY: list(self._entries.values())})

    def __len__(self) -> int:
        return len(self._entries)
