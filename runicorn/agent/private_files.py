"""The agent's own files hold job data (commands, their env, their output) and credentials: its
folders are 0700 and its files 0600 whatever the umask, and a looser one found from before is
tightened, so that no other user of a shared machine reads or writes them (docs/agent.md#service).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> Path:
    """``path`` made (with its parents) and closed to other users; returned."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != FOLDER_MODE:
        os.chmod(path, FOLDER_MODE)
    return path


def open_private(path: Path) -> BinaryIO:
    """``path`` opened for appending, made 0600 (a file there already is tightened); no link is
    followed."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "ab")


def tighten(path: Path) -> None:
    """Makes an existing file 0600 (nothing when there is none); no link is followed."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) != FILE_MODE:
            os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)


def create_private(path: Path) -> None:
    """Makes ``path`` an existing 0600 file (an empty one when there was none, a looser one
    tightened), before another program (SQLite) opens it by name."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
