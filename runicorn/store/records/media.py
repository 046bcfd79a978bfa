"""Resolves a media path asked for by a client to a file inside one run's ``media/`` folder.

Refuses (answers None) anything that could leave that folder: absolute paths, ``..`` segments,
backslashes, NUL bytes, links whose target lies outside it (and, by the rule of
:mod:`runicorn.files`, outside the run folder), and anything but plain files. The
caller answers 404. :func:`open_media_file` opens the file it checked (never the path again):
a file or folder swapped for a link after the check is refused, not followed.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path, PurePosixPath

from runicorn import format as fmt
from runicorn.files import open_run_file_walked, run_file_path


def _in_media(relpath: str) -> str | None:
    """``relpath`` as ``media/...`` (it may name the file relative to ``media/``); None when it
    could leave that folder."""
    if not relpath or "\x00" in relpath or "\\" in relpath:
        return None
    pure = PurePosixPath(relpath)
    if pure.is_absolute() or any(part in ("..", ".", "") for part in relpath.split("/")):
        return None
    parts = pure.parts
    if parts and parts[0] == fmt.MEDIA_DIR:
        parts = parts[1:]
    if not parts:
        return None
    return "/".join((fmt.MEDIA_DIR, *parts))


def media_path(run_dir: Path, relpath: str) -> Path | None:
    """The file for ``relpath`` (relative to the run folder, ``media/x.png``, or to ``media/``)."""
    inner = _in_media(relpath)
    if inner is None:
        return None
    try:
        base = Path(os.path.realpath(run_file_path(run_dir, fmt.MEDIA_DIR)))
        target = Path(run_file_path(run_dir, inner))
        if not stat.S_ISREG(os.stat(target).st_mode):
            return None
        if not Path(os.path.realpath(target)).is_relative_to(base):
            return None
    except (OSError, ValueError):  # OSError too when a link changes while it is resolved
        return None
    return target


def open_media_file(run_dir: Path, relpath: str) -> io.BufferedReader | None:
    """The media file for ``relpath`` opened for reading, by the rule of :func:`media_path`, from
    the path that was checked; None when refused or missing."""
    inner = _in_media(relpath)
    if inner is None or media_path(run_dir, relpath) is None:
        return None
    try:
        return open_run_file_walked(run_dir, inner, within=fmt.MEDIA_DIR)
    except OSError:
        return None


def media_files(run_dir: Path) -> list[str]:
    """Paths (``media/...``, relative to the run folder) of the plain files under ``media/``
    (links are neither listed nor walked into)."""
    media_dir = os.path.join(run_dir, fmt.MEDIA_DIR)
    if os.path.islink(media_dir):
        return []
    out: list[str] = []
    for folder, dirs, files in os.walk(media_dir):  # never follows links to folders
        dirs.sort()
        rel_folder = Path(folder).relative_to(run_dir).as_posix()
        for name in sorted(files):
            if name.endswith(fmt.TEMP_SUFFIX) or os.path.islink(os.path.join(folder, name)):
                continue
            out.append(f"{rel_folder}/{name}")
    return sorted(out, key=PurePosixPath)
