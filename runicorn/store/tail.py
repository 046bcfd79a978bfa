"""Incremental readers of a run's append-only files (``events.jsonl``, ``logs.txt``) by byte offset.

A reader never consumes a line that is not complete yet (a writer may be halfway through it): the
returned offset stops before it, and the next read starts there. Lines that are not valid records
(broken JSON, binary junk) are skipped and counted, never fatal. A file that shrank below the
offset was replaced or truncated, so reading restarts from 0 and says so (``restarted``).

The offsets are plain byte offsets into the file: the viewer hands them to clients (``since=``,
``offset=``) and they stay valid across viewer restarts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runicorn import format as fmt

# How much one read takes at most; a caller loops (``more``) to read further.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


@dataclass
class EventChunk:
    """Decoded event records from ``start`` up to ``offset`` (where the next read starts)."""

    records: list[dict[str, Any]]
    # Byte offset just after each record's line, parallel to ``records``.
    ends: list[int]
    start: int
    offset: int
    malformed: int = 0
    restarted: bool = False
    more: bool = False  # stopped at max_bytes; more complete lines follow


@dataclass
class LogChunk:
    """Text lines of ``logs.txt`` from ``start`` up to ``offset`` (where the next read starts)."""

    lines: list[str]
    start: int
    offset: int
    malformed: int = 0  # lines that were not valid UTF-8 (shown with replacement characters)
    restarted: bool = False
    more: bool = False


def _read_from(path: Path, offset: int, max_bytes: int) -> tuple[bytes, int, bool, int]:
    """(bytes read, actual start, restarted, file size); empty bytes when the file is missing."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            restarted = False
            if offset > size or offset < 0:
                offset, restarted = 0, True
            f.seek(offset)
            return f.read(max_bytes), offset, restarted, size
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError):
        return b"", 0 if offset < 0 else offset, False, 0


def read_events(path: Path, offset: int = 0, max_bytes: int = DEFAULT_MAX_BYTES) -> EventChunk:
    """Complete event records of ``path`` from byte ``offset`` (at most ``max_bytes`` read)."""
    data, start, restarted, size = _read_from(Path(path), offset, max_bytes)
    records: list[dict[str, Any]] = []
    ends: list[int] = []
    malformed = 0
    pos = 0
    end = data.rfind(b"\n")
    while pos <= end:
        nl = data.index(b"\n", pos)
        line = data[pos:nl]
        pos = nl + 1
        if not line.strip():
            continue
        record = fmt.decode_event(line)
        if record is None:
            malformed += 1
            continue
        records.append(record)
        ends.append(start + pos)
    consumed = end + 1
    more = start + len(data) < size and consumed > 0
    return EventChunk(records, ends, start, start + consumed, malformed, restarted, more)


def read_logs(
    path: Path, offset: int = 0, max_lines: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> LogChunk:
    """Complete lines of ``logs.txt`` from byte ``offset``, at most ``max_lines`` of them.

    Trailing ``\\r`` and ``\\n`` are stripped; invalid UTF-8 shows as replacement characters and is
    counted in ``malformed``.
    """
    data, start, restarted, size = _read_from(Path(path), offset, max_bytes)
    lines: list[str] = []
    malformed = 0
    pos = 0
    end = data.rfind(b"\n")
    while pos <= end and (max_lines is None or len(lines) < max_lines):
        nl = data.index(b"\n", pos)
        raw = data[pos:nl]
        pos = nl + 1
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", errors="replace")
            malformed += 1
        lines.append(text.rstrip("\r"))
    complete_lines_left = pos <= end  # stopped by max_lines
    bytes_left_unread = start + len(data) < size and pos > 0  # stopped by max_bytes
    return LogChunk(lines, start, start + pos, malformed, restarted, complete_lines_left or bytes_left_unread)


@dataclass
class Tail:
    """Follows one append-only file, remembering where the last read stopped.

    ``Tail(path).read_events()`` / ``.read_logs()`` return only what was appended since the previous
    call on this object. ``malformed`` accumulates over the object's life. A file that was replaced
    by a shorter one (or a new inode) is read again from 0.
    """

    path: Path
    offset: int = 0
    malformed: int = 0
    _inode: int | None = field(default=None, repr=False)

    def _check_replaced(self) -> bool:
        """True (and offset 0) when the path now names another file than at the last read."""
        try:
            st = os.stat(self.path)
        except OSError:
            return False
        replaced = self._inode is not None and st.st_ino != self._inode
        if replaced:
            self.offset = 0
        self._inode = st.st_ino
        return replaced

    def read_events(self, max_bytes: int = DEFAULT_MAX_BYTES) -> EventChunk:
        replaced = self._check_replaced()
        chunk = read_events(self.path, self.offset, max_bytes)
        chunk.restarted = chunk.restarted or replaced
        self.offset = chunk.offset
        self.malformed += chunk.malformed
        return chunk

    def read_logs(self, max_lines: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> LogChunk:
        replaced = self._check_replaced()
        chunk = read_logs(self.path, self.offset, max_lines, max_bytes)
        chunk.restarted = chunk.restarted or replaced
        self.offset = chunk.offset
        self.malformed += chunk.malformed
        return chunk
