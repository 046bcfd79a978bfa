"""Where a mirrored run lands locally, and what the mirror refuses of a server's names.

A server's listing is not trusted: a name that is not one plain local file name (``a/b``,
``../../x``, ``/etc/x``, ``.``, ``..``, a NUL, one too long for the local file system) is never
used; the mirror reports it by its remote path (:class:`Refusals`) and goes on with the rest.
Every local write happens through a :class:`~runicorn.files.PinnedFolder` opened by
:class:`LocalRun`: no link below the storage root is followed, so a link planted in the local run
folder (``events.jsonl -> ~/.bashrc``, ``media -> /etc``) redirects nothing.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.files import PinnedFolder, is_plain_name

MAX_REFUSALS = 100  # refusals kept for the status (the first ones; a count says how many in all)


def place_run(local_root: Path, remote_run: str, meta: dict[str, Any] | None) -> Path:
    """Where a remote run folder lands under ``local_root`` (before ownership is checked)."""
    run_id = posixpath.basename(remote_run.rstrip("/"))
    from_meta = fmt.project_name_from_meta(meta) if meta else None
    if from_meta:
        project, name = from_meta
    else:
        parts = remote_run.rstrip("/").split("/")
        if len(parts) >= 4 and parts[-2] == fmt.RUNS_DIR and fmt.RUNS_DIR not in parts[-4:-2]:
            project, name = parts[-4], parts[-3]
        else:
            project, name = fmt.DEFAULT_PROJECT, fmt.DEFAULT_NAME
    if not (fmt.is_safe_place(project, name) and fmt.is_safe_id(run_id)):
        project, name = fmt.DEFAULT_PROJECT, fmt.DEFAULT_NAME
    if "/" in name:  # the PyPI package's nested paths keep its own layout, which readers understand
        return Path(local_root, fmt.RUNS_DIR, project, *name.split("/"), run_id)
    return fmt.run_dir(local_root, project, name, run_id)


@dataclass(frozen=True)
class LocalRun:
    """A run folder below the storage root ``root``, opened without following links below it."""

    root: Path
    path: Path

    @property
    def parts(self) -> tuple[str, ...]:
        return self.path.relative_to(self.root).parts

    def folder(self, *below: str, create: bool = True) -> PinnedFolder:
        """The run folder (or a folder in it, ``media``), made when missing."""
        return PinnedFolder.open(self.root, (*self.parts, *below), create=create)


class Refusals:
    """What the mirror refused: ``remote path: why``, each once, the first MAX_REFUSALS kept."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.count = 0
        self._seen: set[str] = set()

    def add(self, where: str, why: str) -> bool:
        """Record one refusal; False when it was recorded before."""
        line = f"{where}: {why}"
        if line in self._seen:
            return False
        self._seen.add(line)
        self.count += 1
        if len(self.items) < MAX_REFUSALS:
            self.items.append(line)
        return True


def refused_name(name: str) -> str | None:
    """Why a name from a server's listing is not used here; None when it is a plain name."""
    if is_plain_name(name):
        return None
    if "\x00" in name:
        return "the name holds a NUL byte; not copied"
    if name in ("", ".", ".."):
        return f"{name!r} names no file; not copied"
    if "/" in name:
        return "the name holds '/' (it would leave its folder); not copied"
    return "the name cannot name a file on this computer; not copied"
