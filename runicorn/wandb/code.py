"""``run.log_code``: the program's source files stored as a ``code`` artifact of the run.

As in W&B: the files under ``root`` (the working directory by default) that ``include_fn``
accepts (``.py`` files by default) and ``exclude_fn`` does not (the run storage, ``wandb/`` and
hidden folders by default) become one artifact, ``source-<project>-<run id>`` unless ``name``
says otherwise. Its name is recorded in meta.json's ``wandb`` fields (``code_artifact``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

_SKIPPED_FOLDERS = frozenset({"wandb", "__pycache__", "node_modules", "artifacts"})


def _accepts(test: Callable[..., Any] | None, path: str, root: str, default: bool) -> bool:
    """W&B's ``include_fn(path, root)``; a one-argument function is called with the path only."""
    if test is None:
        return default
    try:
        return bool(test(path, root))
    except TypeError:
        return bool(test(path))


def log_code(
    run: Any, root: Any = ".", name: str | None = None, include_fn: Any = None, exclude_fn: Any = None
) -> Any:
    """Store the accepted files under ``root``; the logged artifact, or None when there are none."""
    from runicorn.wandb.artifacts import Artifact

    root = os.path.abspath(os.fspath(root if root is not None else "."))
    storage = os.path.abspath(str(run.settings.root_dir or "")) if run.settings.root_dir else None
    artifact = Artifact(name or f"source-{run.project}-{run.id}", type="code")
    added = 0
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(
            d
            for d in subfolders
            if not d.startswith(".")
            and d not in _SKIPPED_FOLDERS
            and os.path.join(folder, d) != storage
            and not _accepts(exclude_fn, os.path.join(folder, d), root, False)
        )
        for file_name in sorted(files):
            path = os.path.join(folder, file_name)
            if not _accepts(include_fn, path, root, path.endswith(".py")):
                continue
            if _accepts(exclude_fn, path, root, False):
                continue
            artifact.add_file(path, name=os.path.relpath(path, root).replace(os.sep, "/"))
            added += 1
    if not added:
        run._warn_once("log_code", f"run.log_code: no source files under {root}; nothing was logged")
        return None
    logged = run.log_artifact(artifact)
    if logged is not None:
        run._update_wandb_fields({"code_artifact": artifact.name})
    return logged


__all__ = ["log_code"]
