"""Opening the files of one run folder, for every reader of the store: the one rule for links.

A run folder on a shared disk may hold links placed by anyone who can write there. A file is
read only when its real path (links resolved) lies inside the run folder, and the run folder
itself is not a link: a link to another file of the same run is followed, a link leading out
of it (``meta.json -> /home/me/.ssh/id_rsa``) is refused with :class:`OutsideRunFolder`. Only
plain files are opened (a FIFO or a device would block or never end). The final component is
opened with ``O_NOFOLLOW``, so a link swapped in after the check is refused too.
:func:`open_run_file_walked` goes further for files served to a client (media): every folder from
the run folder down is opened without following links too, so what was checked is what is opened.

:class:`OutsideRunFolder` is a :class:`PermissionError`: readers that already treat an
unreadable file as missing (``except OSError``) need nothing more.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.files.pinned import LinkRefused, PinnedFolder

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0) | _NOFOLLOW

StrPath = str | os.PathLike[str]


class OutsideRunFolder(PermissionError):
    """A run file that is a link leading out of its run folder, or not a plain file."""


def run_file_path(run_dir: StrPath, relpath: str) -> str:
    """The real path of ``relpath`` inside ``run_dir``: the path itself when nothing on the way is
    a link. Raises :class:`OutsideRunFolder` when it leads out of the run folder (or the run
    folder is a link), ``FileNotFoundError`` when it is missing."""
    folder = os.fspath(run_dir)
    path = os.path.join(folder, relpath)
    if os.path.islink(folder):
        raise OutsideRunFolder(f"{folder} is a link; run folders are read only where they are")
    if "/" not in relpath and os.sep not in relpath and relpath not in ("", ".", ".."):
        # The usual case, one name: a plain entry of the folder needs no resolving.
        st = os.lstat(path)
        if not stat.S_ISLNK(st.st_mode):
            return path
    real_folder = os.path.realpath(folder)
    real = os.path.realpath(path)
    if real == real_folder or not real.startswith(real_folder.rstrip(os.sep) + os.sep):
        if not os.path.lexists(path):
            raise FileNotFoundError(path)
        raise OutsideRunFolder(f"{path} is a link leading out of its run folder; it is not read")
    return real


def stat_run_file(run_dir: StrPath, relpath: str) -> os.stat_result:
    """``os.stat`` of a run file by the rule of this module (OSError when refused or missing)."""
    return os.stat(run_file_path(run_dir, relpath))


def is_run_file(run_dir: StrPath, relpath: str) -> bool:
    """True when the run holds ``relpath`` as a plain file that may be read."""
    try:
        return stat.S_ISREG(stat_run_file(run_dir, relpath).st_mode)
    except OSError:
        return False


def open_run_file(run_dir: StrPath, relpath: str) -> io.BufferedReader:
    """The run file opened for binary reading; its ``name`` is its real path. Raises
    :class:`OutsideRunFolder` for a link out of the run folder or a file that is not a plain
    file, and OSError as ``open`` does."""
    real = run_file_path(run_dir, relpath)
    f = open(real, "rb", opener=_open_no_follow)  # noqa: SIM115 - handed to the caller
    try:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise OutsideRunFolder(f"{real} is not a plain file; it is not read")
    except BaseException:
        f.close()
        raise
    return f


def open_run_file_walked(run_dir: StrPath, relpath: str, within: str = "") -> io.BufferedReader:
    """As :func:`open_run_file`, but the path checked (links inside the run resolved) is opened
    one folder at a time from the run folder's parent with ``O_NOFOLLOW`` on each name (see
    :mod:`runicorn.files.pinned`): a folder or the file swapped for a link after the check is
    refused (:class:`OutsideRunFolder`), never followed. ``within``: a folder of the run the file
    must lie in, links resolved (``media``). Its ``name`` is the path opened."""
    real = run_file_path(run_dir, relpath)
    folder = os.path.abspath(os.fspath(run_dir))
    if real == os.path.join(os.fspath(run_dir), relpath):
        inner = os.path.normpath(relpath)
    else:  # resolved through links inside the run: walk the real path from the real run folder
        folder = os.path.realpath(folder)
        inner = os.path.relpath(real, folder)
    parent, name = os.path.split(folder)
    parts = inner.split(os.sep)
    if within and (len(parts) < 2 or parts[0] != within):
        raise OutsideRunFolder(f"{real} is not in the run's {within} folder; it is not read")
    try:
        with PinnedFolder.open(parent, (name, *parts[:-1])) as pinned:
            fd = pinned.open_file(parts[-1], os.O_RDONLY)
    except (LinkRefused, ValueError) as err:
        raise OutsideRunFolder(f"{real} changed into a link or left its run folder; it is not read") from err
    raw = io.FileIO(fd, "rb", closefd=True)
    raw.name = os.path.join(folder, inner)
    return io.BufferedReader(raw)


def read_run_file(run_dir: StrPath, relpath: str, max_bytes: int = -1) -> bytes:
    """The bytes of a run file (at most ``max_bytes`` when not negative); OSError as
    :func:`open_run_file`."""
    with open_run_file(run_dir, relpath) as f:
        return f.read(max_bytes)


def read_run_json(run_dir: StrPath, name: str) -> dict[str, Any] | None:
    """A run's JSON file as a dict (see :func:`runicorn.format.loads_json_object`); None when
    missing, refused, unreadable, broken or not an object."""
    try:
        raw = read_run_file(run_dir, name)
    except OSError:
        return None
    return fmt.loads_json_object(raw)


def _open_no_follow(path: str, flags: int) -> int:
    try:
        return os.open(path, flags | _OPEN_FLAGS)
    except OSError as err:
        if os.path.islink(path):  # swapped for a link after the check (ELOOP)
            raise OutsideRunFolder(f"{path} is a link; it is not read") from err
        raise


def in_run_folder(run_dir: Path, relpath: str) -> bool:
    """True when ``relpath`` of ``run_dir`` is not refused by the rule (it may be missing)."""
    try:
        run_file_path(run_dir, relpath)
    except OutsideRunFolder:
        return False
    except OSError:
        return True
    return True
