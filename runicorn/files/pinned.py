"""Files under a folder, reached one folder at a time without following a link on the way.

Whoever can write into a run folder (a hostile server's listing, a file planted on a shared disk)
may put a link where Runicorn later writes or reads: ``events.jsonl -> ~/.bashrc``, ``media ->
/etc``. A :class:`PinnedFolder` is an open folder (a directory file descriptor) reached from a
trusted base path by opening each name below it with ``O_NOFOLLOW | O_DIRECTORY`` relative to the
folder before it (``openat``); every file is then opened, replaced or stat'ed relative to that
descriptor, its own name with ``O_NOFOLLOW`` too. A link anywhere below the base, planted before or
swapped in meanwhile, is refused with :class:`LinkRefused` and nothing is written through it.

Names are single path components: :func:`is_plain_name` says which ones (no ``/``, no NUL, not
``.``, ``..`` or empty, not longer than the file system allows).
"""

from __future__ import annotations

import errno
import os
import stat
import uuid
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from runicorn.format import TEMP_SUFFIX

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW | _CLOEXEC
_NAME_MAX_BYTES = 255


class LinkRefused(PermissionError):
    """A link, or something that is not a folder or a plain file, where a folder or file was to be
    opened below a :class:`PinnedFolder`'s base."""


def is_plain_name(name: str) -> bool:
    """True when ``name`` names one entry of a folder here: not empty, ``.`` or ``..``, no ``/``
    (nor the platform's other separator), no NUL, and encodable in at most 255 bytes."""
    if name in ("", ".", "..") or "/" in name or "\x00" in name:
        return False
    if os.sep in name or (os.altsep is not None and os.altsep in name):
        return False
    try:
        return len(os.fsencode(name)) <= _NAME_MAX_BYTES
    except UnicodeError:
        return False


def _check_name(name: str) -> None:
    if not is_plain_name(name):
        raise ValueError(f"{name!r} is not a plain file or folder name")


class PinnedFolder:
    """One open folder; close it (or use ``with``) when done. ``path`` is for messages only."""

    def __init__(self, fd: int, path: Path) -> None:
        self.fd = fd
        self.path = path

    @classmethod
    def open(
        cls, base: str | os.PathLike[str], parts: Sequence[str] = (), create: bool = False
    ) -> PinnedFolder:
        """The folder ``base/parts...``. ``base`` itself is trusted (it may be a link: the user's
        storage root often is); below it no name may be a link. ``create`` makes missing folders
        (``base`` included)."""
        base_path = Path(base)
        if create:
            base_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(base_path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC)
        folder = cls(fd, base_path)
        try:
            for part in parts:
                folder = folder._child(part, create)
        except BaseException:
            folder.close()
            raise
        return folder

    def _child(self, name: str, create: bool) -> PinnedFolder:
        """The folder ``name`` in this one; this one is closed (its descriptor handed on)."""
        _check_name(name)
        path = self.path / name
        try:
            fd = self._open(name, _DIR_FLAGS)
        except FileNotFoundError:
            if not create:
                raise
            try:
                os.mkdir(name, 0o777, dir_fd=self.fd)
            except FileExistsError:
                pass  # made meanwhile (or a link planted meanwhile: the open below refuses it)
            fd = self._open(name, _DIR_FLAGS)
        self.close()
        return PinnedFolder(fd, path)

    def _open(self, name: str, flags: int, mode: int = 0o666) -> int:
        try:
            return os.open(name, flags | _NOFOLLOW | _CLOEXEC, mode, dir_fd=self.fd)
        except OSError as err:
            if err.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK, errno.ENXIO):
                raise LinkRefused(
                    err.errno, f"{self.path / name} is a link or not a plain file or folder; not followed"
                ) from err
            raise

    # --- files ----------------------------------------------------------------------------------
    def lstat(self, name: str) -> os.stat_result | None:
        """The entry ``name`` itself (a link is not followed); None when missing."""
        _check_name(name)
        try:
            return os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def open_file(self, name: str, flags: int, mode: int = 0o666) -> int:
        """A descriptor of the plain file ``name`` (``os.open`` flags; never through a link, never
        a FIFO or device). Raises :class:`LinkRefused`, or OSError as ``os.open`` does."""
        _check_name(name)
        fd = self._open(name, flags | getattr(os, "O_NONBLOCK", 0) | _BINARY, mode)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise LinkRefused(errno.EPERM, f"{self.path / name} is not a plain file; not used")
        except BaseException:
            os.close(fd)
            raise
        return fd

    def size(self, name: str) -> int:
        """The size of the plain file ``name``; 0 when missing. LinkRefused for anything else."""
        st = self.lstat(name)
        if st is None:
            return 0
        if not stat.S_ISREG(st.st_mode):
            raise LinkRefused(errno.EPERM, f"{self.path / name} is a link or not a plain file; not used")
        return st.st_size

    def read_head(self, name: str, n: int) -> bytes:
        """The first ``n`` bytes of the plain file ``name``."""
        fd = self.open_file(name, os.O_RDONLY)
        try:
            return os.pread(fd, n, 0)
        finally:
            os.close(fd)

    def append(self, name: str, data: bytes) -> None:
        """Add ``data`` at the end of the plain file ``name`` (made when missing)."""
        fd = self.open_file(name, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)

    def replace(self, name: str, data: bytes, mtime: float | None = None) -> None:
        """Put ``data`` at ``name`` by a temp file beside it and a rename (a link at ``name`` is
        replaced, never written through). ``mtime``, when given, is set before the rename."""
        _check_name(name)
        while True:
            tmp = f".{name[:200]}.{uuid.uuid4().hex[:12]}{TEMP_SUFFIX}"
            try:
                fd = self._open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY)
                break
            except FileExistsError:
                continue
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                if mtime is not None:
                    os.utime(fd, (mtime, mtime))
            finally:
                os.close(fd)
            os.replace(tmp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        except BaseException:
            try:
                os.unlink(tmp, dir_fd=self.fd)
            except OSError:
                pass
            raise

    # --- lifetime -------------------------------------------------------------------------------
    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> PinnedFolder:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
