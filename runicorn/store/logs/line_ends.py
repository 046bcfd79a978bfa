"""Where the long lines of log files end: looked for once, then known to every reader.

A log line longer than ``MAX_LOG_LINE_BYTES`` is shown cut, and the rest of it must still be
looked through for its newline (:mod:`runicorn.store.logs.tail`). A browser tab that opens a run's
logs reads them from the start, so with a 200 MB line every tab would look through the same
200 MB again, holding a core each time. :class:`LineEnds` remembers, per file, the stretches
already known to hold no newline (and the newline that ends each, where it was found), so the
next reader of that file jumps over them: many readers of one file share one search, and a
line still being written is searched only in what was appended since.

What is known stays true while the file only grows, as ``logs.txt`` does. It is forgotten when
the file at that identity (device, inode) got shorter, or has the same size but another mtime
(rewritten in place), or the newline remembered at a position is not there any more. A file
replaced by another one has another inode, so it starts unknown. (A file emptied and written
longer again between two reads, under the same inode, is caught only by that last check: logs
are appended to, not rewritten.) Memory stays bounded: at most
``max_files`` files (the least recently used are forgotten) and ``max_spans`` stretches each.
"""

from __future__ import annotations

import bisect
import mmap
import os
import threading
from dataclasses import dataclass, field

from runicorn.store.lru import LRU

SEARCH_STEP_BYTES = 1024 * 1024  # looked through per call (the interpreter lock is free between)
NEWLINE = ord("\n")


@dataclass
class _Span:
    """Bytes ``start..end`` hold no newline; the byte at ``end`` is one when ``newline``."""

    start: int
    end: int
    newline: bool


@dataclass
class _FileEnds:
    """What is known of one file, and the lock its searches take turns on."""

    size: int
    mtime_ns: int
    spans: list[_Span] = field(default_factory=list)  # sorted by start, disjoint
    lock: threading.Lock = field(default_factory=threading.Lock)

    def starts(self) -> list[int]:
        return [s.start for s in self.spans]


class LineEnds:
    """A bounded, thread-safe memory of where the long lines of files end (see the module)."""

    def __init__(self, max_files: int = 32, max_spans: int = 256) -> None:
        self.max_files = max_files
        self.max_spans = max_spans
        self.searched_bytes = 0  # looked through for a newline, over the object's life
        self._files: LRU[tuple[int, int], _FileEnds] = LRU(max_files)
        self._lock = threading.Lock()

    def find_newline(self, fd: int, mapped: mmap.mmap, pos: int, end: int) -> int:
        """The first newline in bytes ``pos..end`` of the open file ``fd`` (mapped as
        ``mapped``, at least ``end`` bytes long), or -1 when there is none."""
        ends = self._ends_of(fd)
        with ends.lock:  # readers of the same file wait for one search rather than repeat it
            at = pos
            while at < end:
                span = self._span_at(ends, at)
                if span is not None and span.newline and span.end < end and mapped[span.end] != NEWLINE:
                    ends.spans.clear()  # rewritten in place: what was known is wrong
                    span = None
                if span is not None:
                    if span.newline and span.end < end:
                        self._remember(ends, pos, span.end, newline=True)
                        return span.end
                    at = min(span.end, end)
                    continue
                stop = min(end, at + SEARCH_STEP_BYTES, self._next_start(ends, at))
                found = mapped.find(b"\n", at, stop)
                with self._lock:
                    self.searched_bytes += (found if found >= 0 else stop) - at
                if found >= 0:
                    self._remember(ends, pos, found, newline=True)
                    return found
                at = stop
            self._remember(ends, pos, end, newline=False)
            return -1

    def _ends_of(self, fd: int) -> _FileEnds:
        """What is known of the open file ``fd``, forgotten first if the file is not the same."""
        st = os.fstat(fd)
        identity = (st.st_dev, st.st_ino)
        with self._lock:
            ends = self._files.get(identity)
            if ends is not None:
                shrank = st.st_size < ends.size
                rewritten = st.st_size == ends.size and st.st_mtime_ns != ends.mtime_ns
                if shrank or rewritten:
                    ends = None
            if ends is None:
                ends = _FileEnds(st.st_size, st.st_mtime_ns)
                self._files.put(identity, ends)
            elif st.st_size > ends.size:
                ends.size, ends.mtime_ns = st.st_size, st.st_mtime_ns
            return ends

    @staticmethod
    def _span_at(ends: _FileEnds, at: int) -> _Span | None:
        """The known stretch that says something about byte ``at``."""
        i = bisect.bisect_right(ends.starts(), at) - 1
        if i < 0:
            return None
        span = ends.spans[i]
        return span if at < span.end or (at == span.end and span.newline) else None

    @staticmethod
    def _next_start(ends: _FileEnds, at: int) -> int:
        """Where the next known stretch after ``at`` starts (searching stops there)."""
        starts = ends.starts()
        i = bisect.bisect_right(starts, at)
        return starts[i] if i < len(starts) else 1 << 62

    def _remember(self, ends: _FileEnds, start: int, end: int, newline: bool) -> None:
        """Bytes ``start..end`` hold no newline (and one is at ``end`` when ``newline``):
        merged with the stretches it overlaps or continues."""
        if end <= start and not newline:
            return
        kept: list[_Span] = []
        for span in ends.spans:
            after = span.start < end or (span.start == end and not newline)
            touches = after and (span.end > start or (span.end == start and not span.newline))
            if touches:
                start = min(start, span.start)
                if span.end > end or (span.end == end and span.newline):
                    end, newline = span.end, span.newline
            else:
                kept.append(span)
        bisect.insort(kept, _Span(start, end, newline), key=lambda s: s.start)
        if len(kept) > self.max_spans:
            kept.remove(min(kept, key=lambda s: s.end - s.start))  # the least worth remembering
        ends.spans = kept
