"""Following one append-only file of a run (``events.jsonl``, ``logs.txt``) by byte offset.

A :class:`Follower` remembers how far a reader got (``offset``: complete lines only) and which
file that was (:class:`FileStamp`: device, inode, size, mtime). Each time the reader looks again
it hands the follower the file's ``stat`` and learns one of:

- ``SAME``: nothing changed since the last look; nothing to read.
- ``CHANGED``: the same file, grown (or touched): read on from ``offset``.
- ``RESTARTED``: another file at the path (other device or inode) or one shorter than
  ``offset`` (truncated, rewritten): ``offset`` is back to 0 and what was read is stale.
- ``GONE``: the file went away after being read: ``offset`` is back to 0.

One rule for lines, kept by every reader of events: a last line without its newline is not
consumed (a writer may be halfway through it) and waits for the next look; a line longer than a
read chunk is read whole. (``logs.txt`` is shown to people, so its reader shows a very long
line cut instead: :mod:`runicorn.store.logs.tail`.)
"""

from __future__ import annotations

import enum
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from runicorn.files import open_run_file, stat_run_file

__all__ = ["FileStamp", "Follower", "Look", "open_with_size"]


@dataclass(frozen=True, slots=True)
class FileStamp:
    """Which file, and how it looked: another ``dev``/``ino`` is another file."""

    dev: int
    ino: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, st: os.stat_result) -> FileStamp:
        return cls(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    def same_file(self, other: FileStamp) -> bool:
        return self.dev == other.dev and self.ino == other.ino


class Look(enum.Enum):
    """What a look at the file found (see the module)."""

    SAME = "same"
    CHANGED = "changed"
    RESTARTED = "restarted"
    GONE = "gone"


class Follower:
    """Where the reading of one append-only file stands. Not thread-safe: its reader locks."""

    def __init__(self) -> None:
        self.offset = 0  # bytes consumed (complete lines only)
        self.stamp: FileStamp | None = None  # of the file at the last look

    def look(self, st: os.stat_result | None) -> Look:
        """Compare the file now (``st``; None when it is missing) with the last look."""
        if st is None:
            if self.stamp is None:
                return Look.SAME
            self.stamp, self.offset = None, 0
            return Look.GONE
        stamp = FileStamp.of(st)
        before, self.stamp = self.stamp, stamp
        if stamp == before:
            return Look.SAME
        if before is not None and (not stamp.same_file(before) or stamp.size < self.offset):
            self.offset = 0
            return Look.RESTARTED
        return Look.CHANGED

    def look_at(self, run_dir: Path, name: str) -> Look:
        """:meth:`look` at the run file ``name`` (missing, or a link out of the run: None)."""
        try:
            st: os.stat_result | None = stat_run_file(run_dir, name)
        except OSError:
            st = None
        return self.look(st)

    def new_lines(
        self, run_dir: Path, name: str, chunk_bytes: int, on_restart: Callable[[], None]
    ) -> Iterator[bytes]:
        """What was appended to the run file ``name`` since the last look, as runs of whole lines
        (:meth:`whole_lines`); ``on_restart`` is called first when what was read before is stale
        (the file replaced, truncated or gone)."""
        look = self.look_at(run_dir, name)
        if look in (Look.RESTARTED, Look.GONE):
            on_restart()
        if look in (Look.SAME, Look.GONE):
            return
        opened = open_with_size(run_dir, name)
        if opened is None:
            return
        f, size = opened
        with f:
            yield from self.whole_lines(f, size, chunk_bytes)

    def interrupted(self) -> None:
        """A read stopped part way (``offset`` is where it got): the next look reads on."""
        if self.stamp is not None:
            self.stamp = replace(self.stamp, size=-1)

    def whole_lines(self, f: BinaryIO, size: int, chunk_bytes: int) -> Iterator[bytes]:
        """Runs of complete lines of ``f`` from ``offset`` up to byte ``size``, about
        ``chunk_bytes`` each (a longer line whole); ``offset`` moves past each run once the
        caller comes back for the next. A last line without its newline is left for later."""
        f.seek(self.offset)
        while self.offset < size:
            data = f.read(min(chunk_bytes, size - self.offset))
            end = data.rfind(b"\n") + 1
            if end == 0:
                if len(data) < chunk_bytes:
                    break  # a line being written: read on the next look
                data += f.readline()  # one line longer than a chunk
                end = data.rfind(b"\n") + 1
                if end == 0:
                    break
            yield data[:end] if end < len(data) else data
            self.offset += end
            f.seek(self.offset)


def open_with_size(run_dir: Path, name: str) -> tuple[io.BufferedReader, int] | None:
    """The run file ``name`` opened (never through a link out of the run) and its size now; None
    when it cannot be opened (missing, a link out, unreadable)."""
    try:
        f = open_run_file(run_dir, name)
    except OSError:
        return None
    return f, os.fstat(f.fileno()).st_size
