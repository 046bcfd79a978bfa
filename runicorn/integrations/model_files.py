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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runicorn.sdk.run_like import RunLike

MODEL_FILES_KEY = "model_files"  # in summary.json; documented in docs/integrations.md
MODEL_ARTIFACT_TYPE = "model"


class ModelFiles:
    """The model files one adapter recorded into its run."""

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, Any]] = {}
        self._signatures: dict[str, Any] = {}  # path -> what its files were when last stored

    def record(
        self, run: RunLike, path: str | os.PathLike[str], step: int | None = None, **info: Any
    ) -> None:
        """Store ``path`` (a file or a folder) as a version of the run's model artifact and list it
        in the run's summary. A file that cannot be stored is listed by its path alone (the
        SDK warned once)."""
        where = str(Path(path).resolve())
        entry: dict[str, Any] = {"path": where, "step": step, **info}
        signature = _signature(Path(where))
        known = self._entries.get(where)
        if known is not None and signature == self._signatures.get(where) and signature is not None:
            if {k: v for k, v in known.items() if k != "artifact"} == entry:
                return  # stored already, unchanged (log_model="all" sees each checkpoint at every save)
        self._signatures[where] = signature
        aliases = ["best"] if info.get("best") else None
        version = run.log_artifact(where, name=f"model-{run.id}", type=MODEL_ARTIFACT_TYPE, aliases=aliases)
        if version is not None:
            entry["artifact"] = f"{version.name}:{version.version}"
        self._entries[where] = entry
        run.summary({MODEL_FILES_KEY: list(self._entries.values())})

    def __len__(self) -> int:
        return len(self._entries)


def _signature(path: Path) -> Any:
    """(size, mtime) of a file, or of each file under a folder; None when it cannot be read."""
    try:
        if path.is_dir():
            return tuple(
                sorted(
                    (str(p.relative_to(path)), p.stat().st_size, p.stat().st_mtime_ns)
                    for p in path.rglob("*")
                )
            )
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)
