"""The ``WANDB_*`` environment variables ``wandb.init`` honours, read once per ``init``.

An argument given to ``init`` wins over its variable, as in W&B.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

# variable -> init argument it stands for
VARIABLES = {
    "WANDB_PROJECT": "project",
    "WANDB_NAME": "name",
    "WANDB_RUN_ID": "id",
    "WANDB_NOTES": "notes",
    "WANDB_TAGS": "tags (comma separated)",
    "WANDB_RUN_GROUP": "group",
    "WANDB_JOB_TYPE": "job_type",
    "WANDB_DIR": "dir (the storage root, unless a Runicorn root is set: docs/wandb.md#init)",
    "WANDB_MODE": "mode (online, offline, disabled)",
    "WANDB_RESUME": "resume (allow, must, never, auto)",
    "WANDB_SILENT": "silent: no notices from runicorn.wandb (true/false)",
    "WANDB_QUIET": "quiet: no progress lines (encoding a video) from runicorn.wandb (true/false)",
    "WANDB_CONSOLE": "settings console ('off': no console capture)",
    "WANDB_X_DISABLE_STATS": "settings x_disable_stats (true: no system metrics)",
}


@dataclass(frozen=True)
class WandbEnv:
    project: str | None = None
    name: str | None = None
    id: str | None = None
    notes: str | None = None
    tags: tuple[str, ...] | None = None
    group: str | None = None
    job_type: str | None = None
    dir: str | None = None
    mode: str | None = None
    resume: str | None = None
    silent: bool = False
    quiet: bool = False
    console: str | None = None
    disable_stats: bool = False


_TRUE = ("1", "true", "yes", "on")


def read_env(environ: Mapping[str, str] | None = None) -> WandbEnv:
    """The ``WANDB_*`` variables set (an empty one counts as unset)."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    tags = get("WANDB_TAGS")
    return WandbEnv(
        project=get("WANDB_PROJECT"),
        name=get("WANDB_NAME"),
        id=get("WANDB_RUN_ID"),
        notes=get("WANDB_NOTES"),
        tags=tuple(t.strip() for t in tags.split(",") if t.strip()) if tags else None,
        group=get("WANDB_RUN_GROUP"),
        job_type=get("WANDB_JOB_TYPE"),
        dir=get("WANDB_DIR"),
        mode=(get("WANDB_MODE") or "").lower() or None,
        resume=get("WANDB_RESUME"),
        silent=(get("WANDB_SILENT") or "").lower() in _TRUE,
        quiet=(get("WANDB_QUIET") or "").lower() in _TRUE,
        console=(get("WANDB_CONSOLE") or "").lower() or None,
        disable_stats=(get("WANDB_X_DISABLE_STATS") or "").lower() in _TRUE,
    )


# W&B's names for two of its variables (``wandb.env.SILENT``), for code that reads them.
SILENT = "WANDB_SILENT"
QUIET = "WANDB_QUIET"
