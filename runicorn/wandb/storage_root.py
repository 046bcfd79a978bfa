"""Where a W&B run's Runicorn run goes: the storage root for ``wandb.init(dir=...)`` /
``WANDB_DIR`` (docs/wandb.md#init).

In W&B, ``dir`` is only where the local ``wandb/`` scratch folder goes, and libraries pass it for
the user: Lightning's ``WandbLogger`` passes ``save_dir="."`` unless told otherwise. So ``dir`` must
not silently move runs away from the root the user set up. The rule, first match wins:

1. ``dir`` already holds Runicorn runs: it is the storage root (code that was pointed at a root).
2. A root is configured (``RUNICORN_DIR``, ``./.runicorn.toml``, the user-level root): runs go
   there; ``dir`` is left to W&B's meaning, with one notice unless it is the working directory.
3. Nothing is configured: ``dir`` is the storage root, except the working directory itself
   (Lightning's default), which means Runicorn's own default, ``./.runicorn``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn import settings as rn_settings


def storage_root_for(dir: Any, notice: Any = None) -> str | None:  # noqa: A002 - W&B's argument name
    """The storage root to pass to :func:`runicorn.init` for W&B's ``dir`` (None: Runicorn's own
    choice). ``notice(message)`` is told when ``dir`` is set aside for a configured root."""
    if dir is None or str(dir) == "":
        return None
    folder = Path(os.path.expanduser(os.fspath(dir)))
    if holds_runs(folder):
        return str(folder)
    is_working_dir = folder.resolve() == Path.cwd().resolve()
    configured = rn_settings.resolve()
    if not configured.storage_is_fallback:
        if folder.resolve() == Path(configured.storage).expanduser().resolve():
            return str(folder)
        if not is_working_dir and notice is not None:
            notice(
                f"wandb.init(dir={os.fspath(dir)!r}) is where W&B keeps its scratch files; "
                f"the run goes to the Runicorn root {configured.storage} ({configured.storage_rule})"
            )
        return None
    return None if is_working_dir else str(folder)


# where run folders sit under a root (format/layout.py's layouts; the oldest nested to depth 3)
_RUN_GLOBS = ("*/*/{runs}/*", "{runs}/*", "{runs}/*/*", "{runs}/*/*/*")


def holds_runs(folder: Path) -> bool:
    """Whether ``folder`` is a Runicorn storage root with runs in it, in any known layout: a run
    folder with its meta.json or status.json (a TensorBoard ``./runs`` folder is not one)."""
    if not folder.is_dir():
        return False
    return any(
        fmt.is_run_dir(path) and fmt.locate_run(folder, path) is not None
        for pattern in _RUN_GLOBS
        for path in folder.glob(pattern.format(runs=fmt.RUNS_DIR))
    )
