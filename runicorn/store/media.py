"""Resolves a media path asked for by a client to a file inside one run's ``media/`` folder.

Refuses (answers None) anything that could leave that folder: absolute paths, ``..`` segments,
backslashes, NUL bytes, and symlinks whose target lies outside it. The caller answers 404.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from runicorn import format as fmt


def media_path(run_dir: Path, relpath: str) -> Path | None:
    """The file for ``relpath`` (relative to the run folder, ``media/x.png``, or to ``media/``)."""
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
    media_dir = Path(run_dir) / fmt.MEDIA_DIR
    try:
        base = media_dir.resolve(strict=True)
        target = media_dir.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not target.is_relative_to(base) or not target.is_file():
        return None
    return target


def media_files(run_dir: Path) -> list[str]:
    """Paths (``media/...``, relative to the run folder) of the plain files under ``media/``."""
    media_dir = Path(run_dir) / fmt.MEDIA_DIR
    out: list[str] = []
    try:
        for path in sorted(media_dir.rglob("*")):
            if path.is_file() and not path.is_symlink() and not path.name.endswith(fmt.TEMP_SUFFIX):
                out.append(path.relative_to(run_dir).as_posix())
    except OSError:
        return out
    return out
