"""The viewer's caches kept between starts in the user's cache folder
(``$XDG_CACHE_HOME/runicorn/<name>/<version>/``, ``~/.cache`` without the variable), never in
run folders: folders 0700 and files 0600 whatever the umask; a looser folder of this user is
tightened, a folder or a file of another user, or one open to others, is not used; a cache
reads only its own version's folder and deletes the others when it writes.
"""

from __future__ import annotations

import os
import shutil
import stat
import threading
from pathlib import Path

__all__ = [
    "CacheFolder",
    "FILE_MODE",
    "FOLDER_MODE",
    "drop_other_versions",
    "is_own_private_file",
    "make_private",
    "unusable_because",
    "user_cache_root",
]

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def user_cache_root(name: str) -> Path:
    """``$XDG_CACHE_HOME/runicorn/<name>`` (``~/.cache`` without the variable)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "runicorn" / name


def unusable_because(*folders: Path) -> str | None:
    """Why ``folders`` (those that exist) may not hold a cache: one not a folder of this user, or
    open to others and not tightened; None when they may (a looser one is made 0700)."""
    for folder in folders:
        try:
            st = os.lstat(folder)
        except FileNotFoundError:
            continue
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
            return f"{folder} is not a folder of this user"
        if st.st_mode & 0o077:
            try:
                os.chmod(folder, FOLDER_MODE)
            except OSError:
                return f"{folder} is open to other users"
    return None


def make_private(folder: Path) -> None:
    """``folder`` and its parent made, 0700."""
    for f in (folder.parent, folder):
        f.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        if stat.S_IMODE(os.lstat(f).st_mode) != FOLDER_MODE:
            os.chmod(f, FOLDER_MODE)


def is_own_private_file(st: os.stat_result) -> bool:
    """Whether ``st`` is of a plain file of this user that no one else may read or write."""
    return stat.S_ISREG(st.st_mode) and st.st_uid == os.geteuid() and not st.st_mode & 0o077


def drop_other_versions(folder: Path) -> None:
    """Delete the folders beside ``folder`` (a cache's other versions)."""
    for other in folder.parent.iterdir():
        if other.name != folder.name and other.is_dir() and not other.is_symlink():
            shutil.rmtree(other, ignore_errors=True)


class CacheFolder:
    """One cache of the viewer's: its folder for this version (``root / version``), the lock over
    its entries, and why it is not used (``unusable``, once found out). Caches subclass it."""

    def __init__(self, root: Path, version: str) -> None:
        self.root = root
        self.folder = root / version
        self.unusable: str | None = None
        self._lock = threading.Lock()
