"""What the viewer decoded from ``events.jsonl``, kept for its next start: :class:`DecodedCache`.

A run written without ``events.columns`` is decoded from JSON on its first view in each viewer
process. The cache keeps those columns as frames of the codec's own format
(:mod:`runicorn.codec.frames`) in the user's cache folder, never in the run folder (the viewer
never writes into runs): ``$XDG_CACHE_HOME/runicorn/decoded/<version>/`` (``~/.cache`` without
it), folders 0700 and files 0600 whatever the umask; a folder of another user or open to others
is not used.

- **Keyed** by the events file's resolved path, device and inode: a file replaced (renamed over,
  restored from a backup) is another entry, a moved run folder another too.
- **Checked** like ``events.columns``: every frame names the CRC-32 of the events bytes it stands
  for and is used only when those bytes still have it; frames are used in order from where the
  reader stands, up to the first that does not match or lies past the end of the file. A file
  cut shorter or edited in place drops the entry from there (it is written again on the next
  cold read); appended lines are decoded and added as new frames.
- **Versioned**: the folder is named for :data:`CACHE_VERSION`, the frame format and the package
  version, so a newer Runicorn (or another decoding rule) never trusts older entries; folders of
  other versions are deleted when the cache writes.
- **Bounded**: at most ``max_bytes`` in all, the least recently used entries deleted first (a
  read touches an entry's mtime).

Frames are written by a background thread, never the request's thread; a torn frame (the
viewer stopped mid-write) is ignored on reading like a torn ``events.columns`` frame.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from operator import attrgetter
from pathlib import Path
from typing import BinaryIO

from runicorn.codec.blocks import Block
from runicorn.codec.checksum import crc32
from runicorn.codec.frames import MAGIC, encode_frame, frame_refs, read_frame
from runicorn.files.user_cache import (
    FILE_MODE,
    CacheFolder,
    drop_other_versions,
    is_own_private_file,
    make_private,
    unusable_because,
    user_cache_root,
)

CACHE_VERSION = 1  # bump when what a decoded block holds changes
DEFAULT_MAX_BYTES = 2 * 1024**3
_SUFFIX = ".frames"


def default_cache_root() -> Path:
    """``$XDG_CACHE_HOME/runicorn/decoded`` (``~/.cache`` without the variable)."""
    return user_cache_root("decoded")


def version_name() -> str:
    from runicorn import __version__

    return f"v{CACHE_VERSION}-{MAGIC.decode()}-{__version__}"


class DecodedCache(CacheFolder):
    """Decoded frames of events files under ``root`` (default :func:`default_cache_root`),
    ``max_bytes`` in all. Thread-safe; :meth:`wait` waits for the writes started."""

    def __init__(self, root: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        super().__init__(Path(root) if root is not None else default_cache_root(), version_name())
        self.max_bytes = max_bytes
        self._writers: list[threading.Thread] = []

    # --- reading --------------------------------------------------------------------------------
    def entry_path(self, events: BinaryIO) -> Path:
        """The entry of the open events file ``events``."""
        st = os.fstat(events.fileno())
        name = os.path.realpath(os.fspath(events.name))
        digest = hashlib.sha256(f"{name}\0{st.st_dev}\0{st.st_ino}".encode()).hexdigest()[:32]
        return self.folder / f"{digest}{_SUFFIX}"

    def blocks(self, events: BinaryIO, start: int, end: int) -> Iterator[Block]:
        """The cached blocks of ``events`` from byte ``start`` on, each checked against the bytes
        it stands for, none past ``end``; stops at the first gap or mismatch."""
        if not self._usable():
            return
        path = self.entry_path(events)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            return
        with os.fdopen(fd, "rb") as frames:
            st = os.fstat(fd)
            if not is_own_private_file(st):
                return  # not a file this user's viewer wrote
            buffer = bytearray()
            at = start
            for ref in sorted(frame_refs(frames), key=attrgetter("start")):
                if ref.start < at:
                    continue
                if ref.start > at or ref.end > end:
                    break
                if _crc_of(events, ref.start, ref.end - ref.start, buffer) != ref.events_crc:
                    self._drop(path)  # the events changed under it: written again
                    break
                block = read_frame(frames, ref)
                if block is None:
                    self._drop(path)
                    break
                yield block
                at = ref.end
        try:
            os.utime(path)  # recently used
        except OSError:
            pass

    def end_of(self, events: BinaryIO) -> int:
        """Where the cached frames of ``events`` end (0 when there are none)."""
        try:
            with open(self.entry_path(events), "rb") as frames:
                refs = frame_refs(frames)
        except OSError:
            return 0
        return max((r.end for r in refs), default=0)

    # --- writing --------------------------------------------------------------------------------
    def add(self, events: BinaryIO, blocks: list[tuple[int, Block]]) -> None:
        """Append ``(start, block)`` frames for ``events`` in a background thread (its bytes are
        read again there for their CRC-32, from the same open file)."""
        if not blocks or not self._usable():
            return
        path = self.entry_path(events)
        fd = os.dup(events.fileno())
        thread = threading.Thread(
            target=self._write, args=(path, fd, blocks), name="decoded-cache", daemon=True
        )
        with self._lock:
            self._writers = [t for t in self._writers if t.is_alive()]
            self._writers.append(thread)
        thread.start()

    def wait(self, timeout_s: float | None = None) -> None:
        """Wait for the writes started so far."""
        with self._lock:
            writers = list(self._writers)
        for thread in writers:
            thread.join(timeout_s)

    def _write(self, path: Path, events_fd: int, blocks: list[tuple[int, Block]]) -> None:
        try:
            frames = []
            for start, block in blocks:
                crc = crc32(_pread_all(events_fd, start, block.nbytes))
                frames.append(encode_frame(block, start, crc))
            make_private(self.folder)
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
            fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
            try:
                os.fchmod(fd, FILE_MODE)
                os.write(fd, b"".join(frames))
            finally:
                os.close(fd)
            self._evict()
        except OSError:
            pass  # a cache: the next cold read decodes again
        finally:
            os.close(events_fd)

    def _evict(self) -> None:
        """Delete other versions' folders and the least recently used entries over the bound."""
        with self._lock:
            drop_other_versions(self.folder)
            entries = []
            for entry in os.scandir(self.folder):
                if entry.name.endswith(_SUFFIX) and entry.is_file(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    entries.append((st.st_mtime_ns, st.st_size, entry.path))
            total = sum(size for _, size, _ in entries)
            for _, size, entry_path in sorted(entries):
                if total <= self.max_bytes:
                    break
                Path(entry_path).unlink(missing_ok=True)
                total -= size

    def _drop(self, path: Path) -> None:
        path.unlink(missing_ok=True)

    def _usable(self) -> bool:
        """False (with :attr:`unusable` saying why) when the cache folder is not this user's own."""
        if self.unusable is not None or self.max_bytes <= 0:
            return False
        self.unusable = unusable_because(self.root, self.folder)
        return self.unusable is None


def _pread_all(fd: int, start: int, size: int) -> bytes:
    parts = []
    while size > 0:
        chunk = os.pread(fd, size, start)
        if not chunk:
            break
        parts.append(chunk)
        start += len(chunk)
        size -= len(chunk)
    return b"".join(parts)


def _crc_of(f: BinaryIO, start: int, size: int, buffer: bytearray) -> int:
    if len(buffer) < size:
        buffer.extend(bytes(size - len(buffer)))
    view = memoryview(buffer)[:size]
    f.seek(start)
    got = f.readinto(view)  # type: ignore[attr-defined]
    return crc32(view[:got])
