"""Read zip and tar archives through one interface: their entries, and a stream per entry.

Nothing here writes to disk. Names are reported raw; :func:`safe_entry_name` turns a raw name
into a relative ``/``-separated path or says why it cannot be one.
"""

from __future__ import annotations

import gzip
import re
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from runicorn.errors import ArchiveError, os_error_as

EntryKind = Literal[
    "file", "dir", "symlink", "hardlink", "device", "fifo", "encrypted", "unsupported", "other"
]

_CHUNK_BYTES = 1024 * 1024
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_DRIVE_LETTER = re.compile(r"^[A-Za-z]:")
# Errors the zip, tar, gzip, bz2 and lzma readers raise on a truncated or damaged archive.
CORRUPT_ERRORS: tuple[type[BaseException], ...] = (
    tarfile.TarError,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    zlib.error,
    ValueError,
    gzip.BadGzipFile,
    NotImplementedError,  # a zip feature the reader lacks
    RuntimeError,  # zipfile: a password-protected entry that slipped past its flag
)
try:  # optional codecs of tarfile
    import lzma

    CORRUPT_ERRORS += (lzma.LZMAError,)
except ImportError:  # pragma: no cover
    pass

REFUSED_HINT = "the archive was refused and nothing was written"


@dataclass(frozen=True)
class Entry:
    """One member of an archive, as its headers describe it."""

    raw_name: str
    kind: EntryKind
    size: int  # declared uncompressed size
    ref: object  # ZipInfo or TarInfo, for ArchiveReader.open


class ArchiveReader:
    """A zip or tar (plain, gz, bz2, xz) archive opened for reading; detected by content."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        with os_error_as(ArchiveError, f"cannot read {self.path}", "check the path and its permissions"):
            with open(self.path, "rb") as f:
                head = f.read(4)
            self.size_bytes = self.path.stat().st_size
        self._zip: zipfile.ZipFile | None = None
        self._tar: tarfile.TarFile | None = None
        try:
            if head in _ZIP_MAGIC:
                self._zip = zipfile.ZipFile(self.path)
            else:
                self._tar = tarfile.open(self.path, "r:*")
        except CORRUPT_ERRORS as exc:
            if head in _ZIP_MAGIC or _looks_compressed(head):
                raise ArchiveError(
                    f"{self.path} is truncated or corrupt ({exc})", f"{REFUSED_HINT}; copy the archive again"
                ) from exc
            raise ArchiveError(
                f"{self.path} is not a zip or tar archive",
                "import takes .zip, .tar, .tar.gz, .tgz files, such as those written by `runicorn export`",
            ) from exc

    @property
    def kind(self) -> str:
        return "zip" if self._zip is not None else "tar"

    def entries(self) -> Iterator[Entry]:
        """Every member in archive order; raises ArchiveError when the archive is damaged."""
        try:
            if self._zip is not None:
                for info in self._zip.infolist():
                    yield Entry(info.filename, _zip_kind(info), info.file_size, info)
            else:
                assert self._tar is not None
                for member in self._tar:
                    yield Entry(member.name, _tar_kind(member), member.size, member)
                self._check_tar_end()
        except CORRUPT_ERRORS as exc:
            raise self.corrupt(exc) from exc

    def _check_tar_end(self) -> None:
        """tarfile stops quietly at the first unreadable header: what follows must be padding.

        Reading to the end also makes gzip / bz2 / xz verify their checksums.
        """
        assert self._tar is not None and self._tar.fileobj is not None
        stream = self._tar.fileobj
        stream.seek(self._tar.offset)
        while chunk := stream.read(_CHUNK_BYTES):
            if chunk.count(0) != len(chunk):
                raise tarfile.ReadError("unreadable data after the last readable entry")

    def open(self, entry: Entry) -> IO[bytes]:
        """A stream of one file entry's bytes."""
        try:
            if self._zip is not None:
                assert isinstance(entry.ref, zipfile.ZipInfo)
                return self._zip.open(entry.ref)
            assert self._tar is not None and isinstance(entry.ref, tarfile.TarInfo)
            stream = self._tar.extractfile(entry.ref)
        except CORRUPT_ERRORS as exc:
            raise self.corrupt(exc) from exc
        if stream is None:
            raise ArchiveError(f"{self.path}: entry {entry.raw_name!r} is not a regular file", REFUSED_HINT)
        return stream

    def corrupt(self, exc: BaseException) -> ArchiveError:
        return ArchiveError(
            f"{self.path} is truncated or corrupt ({exc or type(exc).__name__})",
            f"{REFUSED_HINT}; copy the archive again",
        )

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
        if self._tar is not None:
            self._tar.close()

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def safe_entry_name(raw: str) -> tuple[str | None, str]:
    """``(relative path, "")`` for a safe entry name, ``(None, reason)`` for an unsafe one.

    The archive top itself (``./``) comes back as ``""``.
    """
    if "\x00" in raw:
        return None, "has a NUL byte in its name"
    name = raw.replace("\\", "/")
    if name.startswith("/"):
        return None, "is an absolute path"
    if _DRIVE_LETTER.match(name):
        return None, "names a drive letter"
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        return None, "escapes the target folder with '..'"
    return "/".join(parts), ""


def _looks_compressed(head: bytes) -> bool:
    return head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zX"))


_ZIP_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA})


def _zip_kind(info: zipfile.ZipInfo) -> EntryKind:
    mode = (info.external_attr >> 16) & 0xFFFF
    if info.flag_bits & 0x1:
        return "encrypted"
    if info.compress_type not in _ZIP_METHODS:
        return "unsupported"
    if info.is_dir():
        return "dir"
    if not stat.S_IFMT(mode) or stat.S_ISREG(mode):  # permission bits only: a plain file
        return "file"
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISFIFO(mode):
        return "fifo"
    return "other"


def _tar_kind(member: tarfile.TarInfo) -> EntryKind:
    if member.isreg():
        return "file"
    if member.isdir():
        return "dir"
    if member.issym():
        return "symlink"
    if member.islnk():
        return "hardlink"
    if member.ischr() or member.isblk():
        return "device"
    if member.isfifo():
        return "fifo"
    return "other"
