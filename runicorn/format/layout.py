"""Where runs and the other state sit under a storage root: the root's own folders, run ids,
the three run layouts (:func:`locate_run`) and the trash.

A run lives in ``<root>/<project>/<name>/runs/<run_id>/``. Runs written by the PyPI Runicorn
package 0.2 - 0.7 also live in ``<root>/runs/<run_id>/`` and ``<root>/runs/<path...>/<run_id>/``;
:func:`locate_run` understands all three layouts.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypedDict

from runicorn.format.run import MEDIA_DIR, RUN_MARKER_FILES

__all__ = [
    "FALLBACK_ROOT_DIR",
    "ROOT_GITIGNORE_FILE",
    "ROOT_GITIGNORE",
    "RUNS_DIR",
    "IMPORT_STAGING_DIR",
    "TRASH_DIR",
    "TRASH_RECORD_FILE",
    "SWEEPS_DIR",
    "ARTIFACTS_DIR",
    "AGENT_DIR",
    "IGNORED_DIR_NAMES",
    "in_skipped_folder",
    "MIRRORS_FILE",
    "MAX_RUN_DEPTH",
    "DEFAULT_PROJECT",
    "DEFAULT_NAME",
    "RUN_ID_PATTERN",
    "SAFE_ID_PATTERN",
    "new_run_id",
    "is_safe_id",
    "is_safe_place",
    "folder_name",
    "run_dir",
    "RunLocation",
    "is_run_dir",
    "locate_run",
    "run_dirs_with_id",
    "project_name_from_meta",
    "TrashRecord",
    "TRASH_ENTRY_SEPARATOR",
    "trash_entry_name",
]


# --- folder names under a storage root -----------------------------------------------------------
# The storage root when nothing names one: this folder in the working directory. When Runicorn makes
# it, it writes ROOT_GITIGNORE into it (as virtualenvs and pytest's cache do), so that git never
# shows the runs (``git status``, a run's list of untracked files).
FALLBACK_ROOT_DIR = ".runicorn"
ROOT_GITIGNORE_FILE = ".gitignore"
ROOT_GITIGNORE = b"# made by Runicorn: nothing in this folder is tracked by git\n*\n"
RUNS_DIR = "runs"
# Where an import stages an archive inside the storage root before moving runs into place.
IMPORT_STAGING_DIR = ".importing"
# Where ``runicorn rm`` moves runs inside the storage root: ``<TRASH_DIR>/<entry>/`` holds the run
# folder (named by its id) and a TRASH_RECORD_FILE saying where it came from. Never scanned,
# exported or mirrored.
TRASH_DIR = ".trash"
TRASH_RECORD_FILE = "trashed.json"
# Where sweeps keep their state inside the storage root (see "sweeps" below). Never scanned for runs.
SWEEPS_DIR = ".sweeps"
# In the storage root: the artifact store (content-addressed blobs, versioned manifests; see the
# "artifact store" section below and docs/artifacts.md). Never scanned, exported or mirrored.
ARTIFACTS_DIR = ".artifacts"
# In the storage root: the job service's state (``runicorn agent``, see "job queue" below). Never
# scanned, exported or mirrored.
AGENT_DIR = ".agent"
# Folders the PyPI package keeps beside its runs that are never runs of their own, and ours: skipped
# directly under a storage root only (:func:`in_skipped_folder`); deeper, such a name is a project's
# or an experiment's like any other (an experiment called ``media``).
IGNORED_DIR_NAMES = frozenset(
    {
        ".recycle",
        "archive",
        MEDIA_DIR,
        "__pycache__",
        IMPORT_STAGING_DIR,
        TRASH_DIR,
        SWEEPS_DIR,
        ARTIFACTS_DIR,
        AGENT_DIR,
    }
)
# How deep below a storage root a run folder may sit: a run is found in a folder at most this many
# folders down (``<project>/<name>/runs/<id>`` is 4; the PyPI package's ``runs/<seg>/.../<id>``
# nests one folder per name segment). Every walk that looks for runs stops here.
MAX_RUN_DEPTH = 12
# In the storage root: the SSH mirrors to resume and which run folders each server owns (no secrets).
MIRRORS_FILE = "mirrors.json"

DEFAULT_PROJECT = "default"
DEFAULT_NAME = "default"


# --- run ids ---------------------------------------------------------------------------------
RUN_ID_PATTERN = re.compile(r"^\d{8}_\d{6}_[0-9a-f]{6}\Z")
# What any run id (ours, the PyPI package's, a user's own) may contain: no separators, no dots
# at the start, so an id can never name a path outside its folder.
SAFE_ID_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}\Z")


_issued_ids: tuple[str, set[str]] = ("", set())  # the second of the last id, the ids given in it
_issued_lock = threading.Lock()


def new_run_id(now: float | None = None) -> str:
    """``YYYYMMDD_HHMMSS_`` in local time plus 6 hex characters of a uuid4.

    Never the same id twice in one process (6 hex characters alone collide now and then when
    thousands of ids are drawn in one second); ids from other processes can still meet, which
    the SDK handles when it creates the run folder.
    """
    global _issued_ids
    stamp = time.strftime("%Y%m%d_%H%M%S", time.localtime(time.time() if now is None else now))
    with _issued_lock:
        if _issued_ids[0] != stamp:
            _issued_ids = (stamp, set())
        issued = _issued_ids[1]
        while True:
            run_id = f"{stamp}_{uuid.uuid4().hex[:6]}"
            if run_id not in issued:
                issued.add(run_id)
                return run_id


def is_safe_id(value: str) -> bool:
    """True when ``value`` can name a run, project or experiment folder without escaping it."""
    return bool(SAFE_ID_PATTERN.fullmatch(value)) and value not in (".", "..")


_NOT_IN_NAMES = re.compile(r"[^A-Za-z0-9_.\-]+")


def folder_name(text: str, fallback: str) -> str:
    """``text`` (a script's name, ``wandb.init``'s project or name, a TensorBoard folder) as a
    project or experiment folder name, the one way every writer cleans names (docs/format.md):
    each run of characters outside ``[A-Za-z0-9_.-]`` becomes ``_``; ``.``, ``-`` and ``_`` at
    either end are dropped; at most 128 characters; a name the layout gives its own folders
    (``runs``, ``media``, ...) gets a ``_`` appended; ``fallback`` when nothing is left."""
    name = _NOT_IN_NAMES.sub("_", str(text)).strip("._-")[:128].rstrip("._-")
    if not name or not is_safe_id(name):
        return fallback
    return name + "_" if name == RUNS_DIR or name in IGNORED_DIR_NAMES else name


def is_safe_place(project: str, name: str) -> bool:
    """True when ``project`` and ``name`` (whose ``/`` separates nested experiment folders) can
    name folders under a storage root without escaping it."""
    return is_safe_id(project) and all(is_safe_id(part) for part in name.split("/"))


def run_dir(root: Path, project: str, name: str, run_id: str) -> Path:
    """Where the SDK puts a run: ``<root>/<project>/<name>/runs/<run_id>``."""
    return Path(root) / project / name / RUNS_DIR / run_id


# --- layouts ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunLocation:
    """Where a run folder sits under a storage root, and which project/name that means."""

    path: Path
    project: str
    name: str
    run_id: str
    layout: Literal["project_name", "legacy_flat", "legacy_path"]


def is_run_dir(path: Path) -> bool:
    return any((path / marker).is_file() for marker in RUN_MARKER_FILES)


def in_skipped_folder(parts: tuple[str, ...] | list[str]) -> bool:
    """Whether the place ``parts`` (folder names below a storage root) is in a folder no reader
    looks into for runs: a dot folder at any depth, or one of :data:`IGNORED_DIR_NAMES` directly
    under the root."""
    return bool(parts) and parts[0] in IGNORED_DIR_NAMES or any(p.startswith(".") for p in parts)


def locate_run(root: Path, path: Path) -> RunLocation | None:
    """Interpret a run folder ``path`` below ``root`` by its position, in any known layout.

    - ``<project>/<name>/runs/<id>``  (ours, and the PyPI package 0.2 - 0.5)
    - ``runs/<id>``                   (the PyPI package, oldest)
    - ``runs/<seg>/.../<id>``         (the PyPI package 0.6 - 0.7: project = first segment,
                                       name = the other segments joined by ``/``)
    """
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return None
    if len(parts) < 2 or in_skipped_folder(parts):
        return None
    run_id = parts[-1]
    if len(parts) == 4 and parts[2] == RUNS_DIR and parts[0] != RUNS_DIR:
        return RunLocation(path, parts[0], parts[1], run_id, "project_name")
    if parts[0] != RUNS_DIR:
        return None
    if len(parts) == 2:
        return RunLocation(path, DEFAULT_PROJECT, DEFAULT_NAME, run_id, "legacy_flat")
    segments = parts[1:-1]
    name = "/".join(segments[1:]) if len(segments) > 1 else DEFAULT_NAME
    return RunLocation(path, segments[0], name, run_id, "legacy_path")


def run_dirs_with_id(root: Path, run_id: str) -> list[Path]:
    """Every run folder named ``run_id`` under ``root``, in the layouts :func:`locate_run` knows
    (a few globs: ``<project>/<name>/runs/<id>``, ``runs/<id>``, ``runs/.../<id>``)."""
    root = Path(root)
    found = set(root.glob(f"*/*/{RUNS_DIR}/{run_id}"))
    if (root / RUNS_DIR).is_dir():
        found.update(root.glob(f"{RUNS_DIR}/**/{run_id}"))
    return sorted(p for p in found if locate_run(root, p) is not None and p.is_dir())


def project_name_from_meta(meta: dict[str, Any]) -> tuple[str, str] | None:
    """Project and name a run's ``meta.json`` records: ours (``project``/``name``) or the PyPI
    package 0.6+ (``path`` = ``"project/seg/..."``). None when it records neither."""
    project, name = meta.get("project"), meta.get("name")
    if isinstance(project, str) and project and isinstance(name, str) and name:
        return project, name
    path = meta.get("path")
    if isinstance(path, str) and path.strip("/"):
        segments = [s for s in path.strip("/").split("/") if s]
        return segments[0], "/".join(segments[1:]) or DEFAULT_NAME
    return None


# --- the trash ------------------------------------------------------------------------------
class TrashRecord(TypedDict):
    """``TRASH_RECORD_FILE`` of one trash entry."""

    run_id: str
    relpath: str  # the run folder's place under the storage root, "/"-separated
    trashed_at: float


TRASH_ENTRY_SEPARATOR = "__"


def trash_entry_name(run_id: str, now: float) -> str:
    """``<run_id>__YYYYMMDD_HHMMSS_<microseconds>`` (local time): one trash entry's folder name."""
    stamp = time.strftime("%Y%m%d_%H%M%S", time.localtime(now))
    return f"{run_id}{TRASH_ENTRY_SEPARATOR}{stamp}_{int(now % 1 * 1e6):06d}"
