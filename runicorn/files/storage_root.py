"""Making the storage root a run (or a sweep) is about to write into.

A root named by the user is made as asked. The fallback root (``./.runicorn``, when no argument,
``RUNICORN_DIR``, project file or user-level root names one: runicorn/settings.py) is made with
a ``.gitignore`` of ``*`` in it, so that it never shows in ``git status``, and the process that
makes it says once, on stderr, where runs go and how to choose a root for every project.
"""

from __future__ import annotations

import os
from pathlib import Path

from runicorn import format as fmt
from runicorn.errors import print_notice


def make_storage_root(root: Path, fallback: bool) -> None:
    """Make the fallback root when it is missing, with its ``.gitignore`` and the one line saying
    where it is. A root the user named is left to the caller (made by the run's own folder, or
    not at all by a command that is refused); so is an OSError here."""
    if not fallback or root.is_dir():
        return
    try:
        root.mkdir(parents=True)
    except FileExistsError:  # another process made it first: it said so
        return
    except OSError:
        return  # the run's own mkdir reports it, naming the run folder
    try:
        fd = os.open(root / fmt.ROOT_GITIGNORE_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(fmt.ROOT_GITIGNORE)
    except OSError:
        pass
    say_fallback_root(root)


def say_fallback_root(root: Path) -> None:
    print_notice(
        f"runicorn: no storage root is set: runs go to {root} (made now, ignored by git)",
        "choose one for every project with `runicorn config --set-user-root PATH`, or set RUNICORN_DIR",
    )
