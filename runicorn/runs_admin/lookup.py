"""Which run a name on the command line means: a run id, or the viewer's run key."""

from __future__ import annotations

from pathlib import Path

from runicorn.errors import ConfigError, RunNotFound
from runicorn.store.index.run_index import RunIndex, RunInfo


def open_index(root: Path) -> RunIndex:
    """The store's index of every run under ``root``, scanned now in the caller."""
    index = RunIndex(Path(root))  # re-scans in the asking call
    index.refresh(force=True)
    return index


def find_run(index: RunIndex, ref: str) -> RunInfo:
    """The run ``ref`` names: its key (as the viewer shows it), else its id when only one folder
    has that id. RunNotFound for none; ConfigError listing the keys when several runs share it."""
    runs = index.runs()
    for run in runs:
        if run.key == ref:
            return run
    same_id = sorted((run for run in runs if run.id == ref), key=lambda run: run.relpath)
    if len(same_id) == 1:
        return same_id[0]
    if not same_id:
        raise RunNotFound(
            f"no run with id {ref} under {index.root}",
            "list the runs with: runicorn ls" + _storage_flag(index.root),
        )
    keys = ", ".join(f"{run.key} ({run.relpath})" for run in same_id)
    raise ConfigError(
        f"{len(same_id)} runs have the id {ref} under {index.root}: {keys}",
        "name one of them by its key",
    )


def _storage_flag(root: Path) -> str:
    return f" --storage {root}"
