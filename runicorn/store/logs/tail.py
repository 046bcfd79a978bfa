"""Incremental readers of a run's append-only files (``events.jsonl``, ``logs.txt``) by byte offset.

A reader never consumes a line that is not complete yet (a writer may be halfway through it): the
returned offset stops before it, and the next read starts there. Lines that are not valid records
(broken JSON, binary junk) are skipped and counted, never fatal. A file that shrank below the
offset was replaced or truncated, so reading restarts from 0 and says so (``restarted``).

The offsets are plain byte offsets into the file: the viewer hands them to clients (``since=``,
``offset=``) and they stay valid across viewer restarts.
"""

from __future__ import annotations

import codecs
import io
import mmap
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.files import open_run_file, stat_run_file
from runicorn.store.follower import Follower, Look
from runicorn.store.logs.line_ends import LineEnds

# How much one read takes at most; a caller loops (``more``) to read further.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
# A log line longer than this (in bytes of UTF-8) is shown cut here, with cut_marker() after it.
MAX_LOG_LINE_BYTES = 64 * 1024
LOG_READ_BYTES = 4 * 1024 * 1024  # of log lines kept by one read_logs call, about
LOG_SKIP_BYTES = 256 * 1024 * 1024  # read at most by one call, mostly to skip the rest of cut lines
LOG_CHUNK_BYTES = 1024 * 1024
_UTF8 = codecs.getincrementaldecoder("utf-8")


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
        with open_run_file(path.parent, path.name) as f:
            size = os.fstat(f.fileno()).st_size
            restarted = False
            if offset > size or offset < 0:
                offset, restarted = 0, True
            f.seek(offset)
            return f.read(max_bytes), offset, restarted, size
    except OSError:  # missing, or refused (a link leading out of the run folder)
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
    path: Path,
    offset: int = 0,
    max_lines: int | None = None,
    max_bytes: int = LOG_READ_BYTES,
    line_ends: LineEnds | None = None,
) -> LogChunk:
    """Complete lines of ``logs.txt`` from byte ``offset``, at most ``max_lines`` of them.

    Trailing ``\\r`` and ``\\n`` are stripped; invalid UTF-8 shows as replacement characters and is
    counted in ``malformed``. A line longer than :data:`MAX_LOG_LINE_BYTES` is cut there with
    :func:`cut_marker`, and so is a line without its newline yet once it is that long (it may
    never get one): the answer's offset then lies inside it, and the read from there skips the
    rest of that line. About ``max_bytes`` are kept per call and at most :data:`LOG_SKIP_BYTES`
    more read to skip the rest of cut lines: memory stays bounded whatever the file holds.
    ``line_ends`` shared by many calls lets them look through each cut line only once.
    """
    path = Path(path)
    try:
        f = open_run_file(path.parent, path.name)
    except OSError:
        return LogChunk([], 0 if offset < 0 else offset, 0 if offset < 0 else offset)
    with f:
        size = os.fstat(f.fileno()).st_size
        restarted = offset > size or offset < 0
        start = 0 if restarted else offset
        lines = _LogLines(max(max_bytes, MAX_LOG_LINE_BYTES + 1), max_lines, line_ends or LineEnds())
        if start > 0:
            f.seek(start - 1)
            lines.skipping = f.read(1) != b"\n"  # inside a line cut by an earlier read
        lines.read(f, start, size)
    return LogChunk(lines.lines, start, lines.consumed, lines.malformed, restarted, lines.more)


def cut_marker(line_bytes: int, complete: bool = True) -> str:
    """What ends a line cut at :data:`MAX_LOG_LINE_BYTES`: its full length in bytes, or what has
    been written of it so far when its newline has not come yet."""
    return f" … [line cut: {line_bytes} bytes{'' if complete else ' so far'}]"


def _mapped(f: io.BufferedReader, size: int) -> mmap.mmap | None:
    """The file's first ``size`` bytes mapped read-only; None where it cannot be mapped."""
    try:
        return mmap.mmap(f.fileno(), size, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None


class _LogLines:
    """The lines of one :func:`read_logs` call, read chunk by chunk."""

    def __init__(self, max_bytes: int, max_lines: int | None, line_ends: LineEnds) -> None:
        self.max_bytes = max_bytes
        self.max_lines = max_lines
        self.line_ends = line_ends
        self.lines: list[str] = []
        self.malformed = 0
        self.kept_bytes = 0  # of the lines taken
        self.consumed = 0  # file offset after the last line taken (or the cut part of one)
        self.more = False
        self.skipping = False  # in the rest of a line already shown cut
        self._head = bytearray()  # the current line's first bytes (at most MAX_LOG_LINE_BYTES)
        self._line_bytes = 0  # the current line's length so far

    def read(self, f: io.BufferedReader, start: int, size: int) -> None:
        self.consumed = pos = start
        chunk = bytearray(min(LOG_CHUNK_BYTES, size - start))
        view = memoryview(chunk)
        mapped: mmap.mmap | None = None  # the file mapped, once the rest of a long line is skipped
        try:
            while pos < size:
                if self.max_lines is not None and len(self.lines) >= self.max_lines:
                    break
                if self.kept_bytes >= self.max_bytes or pos - start >= LOG_SKIP_BYTES:
                    break
                if self.skipping or len(self._head) >= MAX_LOG_LINE_BYTES:
                    # Nothing more of this line is kept: look for its end without copying it.
                    mapped = mapped or _mapped(f, size)
                    if mapped is not None:
                        pos = self._skip(f, mapped, pos, min(size, start + LOG_SKIP_BYTES))
                        continue
                f.seek(pos)
                got = f.readinto(view[: min(LOG_CHUNK_BYTES, size - pos)])  # one buffer, reused
                if not got:
                    break
                taken = self._take(chunk, got, pos)
                pos += taken or got
        finally:
            view.release()
            if mapped is not None:
                mapped.close()
        if self.skipping:
            self.consumed = pos  # the rest of the cut line read so far is skipped for good
        elif self._line_bytes > MAX_LOG_LINE_BYTES:
            # A line too long to wait for: show what came of it, and go on after it next time.
            self._add(bytes(self._head), self._line_bytes, complete=False)
            self.consumed = pos
        self.more = self.consumed < size and pos < size

    def _skip(self, f: io.BufferedReader, mapped: mmap.mmap, pos: int, end: int) -> int:
        """Look for the end of the current (long) line in bytes ``pos..end``; where to go on."""
        nl = self.line_ends.find_newline(f.fileno(), mapped, pos, end)
        if nl < 0:
            self._line_bytes += end - pos
            return end
        self._line_bytes += nl - pos
        if self.skipping:
            self.skipping = False
        else:
            self._add(bytes(self._head), self._line_bytes)
        self._head.clear()
        self._line_bytes = 0
        self.consumed = nl + 1
        return nl + 1

    def _take(self, chunk: bytearray, length: int, chunk_start: int) -> int:
        """Take the lines ending in the first ``length`` bytes of ``chunk``; how many bytes were
        looked at when it stopped early at ``max_lines`` (0: all of them)."""
        at = 0
        lines, max_lines = self.lines, self.max_lines
        while True:
            nl = chunk.find(b"\n", at, length)
            if nl >= 0 and not self.skipping and not self._line_bytes and nl - at <= MAX_LOG_LINE_BYTES:
                self._add(chunk[at:nl])  # the usual line: whole in this chunk, not too long
            else:
                piece_end = length if nl < 0 else nl
                if not self.skipping and len(self._head) < MAX_LOG_LINE_BYTES:
                    self._head += chunk[at : min(piece_end, at + MAX_LOG_LINE_BYTES - len(self._head))]
                self._line_bytes += piece_end - at
                if nl < 0:
                    return 0
                if self.skipping:
                    self.skipping = False  # the rest of a line shown cut earlier is not shown again
                else:
                    self._add(bytes(self._head), self._line_bytes)
                self._head.clear()
                self._line_bytes = 0
            at = nl + 1
            self.consumed = chunk_start + at
            if max_lines is not None and len(lines) >= max_lines:
                return at if at < length else 0

    def _add(self, raw: bytes | bytearray, line_bytes: int = 0, complete: bool = True) -> None:
        """One line: ``raw``, its first bytes when ``line_bytes`` (its length) is larger."""
        cut = line_bytes > MAX_LOG_LINE_BYTES
        try:  # a cut line may end inside a character: that part is left out, not malformed
            text = _UTF8(errors="strict").decode(raw, final=False) if cut else raw.decode("utf-8")
        except UnicodeDecodeError:
            text = _UTF8(errors="replace").decode(raw, final=not cut)
            self.malformed += 1
        text = text.rstrip("\r")
        self.lines.append(text + cut_marker(line_bytes, complete) if cut else text)
        self.kept_bytes += len(raw)


class Tail:
    """Follows one append-only file, remembering where the last read stopped.

    ``Tail(path).read_events()`` / ``.read_logs()`` return only what was appended since the previous
    call on this object. ``malformed`` accumulates over the object's life. A file that was replaced
    (another device or inode) or is shorter than what was read is read again from 0
    (:class:`~runicorn.store.follower.Follower`).
    """

    def __init__(self, path: Path, offset: int = 0) -> None:
        self.path = path
        self.malformed = 0
        self._follower = Follower()
        self._follower.offset = offset

    @property
    def offset(self) -> int:
        return self._follower.offset

    def __repr__(self) -> str:
        return f"Tail(path={self.path!r}, offset={self.offset}, malformed={self.malformed})"

    def _check_replaced(self) -> bool:
        """True (and offset 0) when the path now names another file than at the last read, or
        one shorter than what was read."""
        try:
            st = stat_run_file(self.path.parent, self.path.name)
        except OSError:
            return False  # missing: nothing to read, and the next file there is another one
        return self._follower.look(st) is Look.RESTARTED

    def read_events(self, max_bytes: int = DEFAULT_MAX_BYTES) -> EventChunk:
        replaced = self._check_replaced()
        chunk = read_events(self.path, self.offset, max_bytes)
        chunk.restarted = chunk.restarted or replaced
        self._follower.offset = chunk.offset
        self.malformed += chunk.malformed
        return chunk

    def read_logs(self, max_lines: int | None = None, max_bytes: int = LOG_READ_BYTES) -> LogChunk:
        replaced = self._check_replaced()
        chunk = read_logs(self.path, self.offset, max_lines, max_bytes)
        chunk.restarted = chunk.restarted or replaced
        self._follower.offset = chunk.offset
        self.malformed += chunk.malformed
        return chunk
