"""The buffered writer: the training thread only appends bytes to a queue; one daemon thread
appends them to the run's files every ``flush_interval_s``, sooner when :data:`FLUSH_LINES` lines
are waiting, and at finish, exit and signals.

Memory stays bounded: the thread looks at the queues every :data:`POLL_S`, so in a tight loop it
writes about every :data:`FLUSH_LINES` lines instead of holding half a second of them. When the
disk is slower than the loop (or refuses writes: full, read-only, folder gone), what waits is
capped at ``max_pending_bytes`` per file: past it the oldest whole lines are dropped and counted as
lost, never silently. The caller is never blocked and never sees an error; a refused write warns
once and is retried on the next tick.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runicorn.sdk.frames_writer import FramesWriter
    from runicorn.sdk.media import MediaWriter

log = logging.getLogger("runicorn")
POLL_S = 0.05  # how often the thread looks at the queue lengths
FLUSH_LINES = 16384  # lines waiting that make the thread write before flush_interval_s
LINE_OVERHEAD_BYTES = 41  # a queued line's memory beyond its bytes: the bytes object, the deque slot


class AppendFile:
    """One append-only file fed by a queue of complete lines (bytes). ``frames``, when given,
    is told of every byte that reached the file (events.jsonl: it keeps events.columns)."""

    def __init__(self, path: Path, frames: FramesWriter | None = None) -> None:
        self.path = path
        self.queue: deque[bytes] = deque()  # append() and popleft() are thread-safe
        self._retry = b""  # bytes taken from the queue that the disk refused
        self._fd: int | None = None
        self.lost_lines = 0
        self.frames = frames

    def pending_bytes(self) -> int:
        return len(self._retry)

    def write_pending(self, max_pending_bytes: int) -> None:
        """Write everything queued so far, :data:`FLUSH_LINES` lines at a time; raises OSError,
        keeping what was not written. Lines still queued past ``max_pending_bytes`` (the disk is
        slower than the loop) are dropped oldest first and counted."""
        queue = self.queue
        popleft = queue.popleft
        while True:
            if len(queue) > FLUSH_LINES:
                self._drop_queued_past(max_pending_bytes - len(self._retry))
            n = min(len(queue), FLUSH_LINES)
            if n:
                chunk = b"".join([popleft() for _ in range(n)])
                self._retry = self._retry + chunk if self._retry else chunk
            if not self._retry:
                return
            self._write_retry()
            if not queue:
                return

    def take_queue(self) -> None:
        """Move every queued line into the pending bytes (before :meth:`drop_oldest`)."""
        n = len(self.queue)
        if n:
            popleft = self.queue.popleft
            self._retry += b"".join([popleft() for _ in range(n)])

    def _drop_queued_past(self, room_bytes: int) -> None:
        """Drop the oldest queued lines while the queue (estimated from the mean size of its
        first and last lines, with what Python spends on each) would not fit in ``room_bytes``."""
        queue = self.queue
        line_bytes = (len(queue[0]) + len(queue[-1])) / 2 + LINE_OVERHEAD_BYTES
        excess = len(queue) - int(max(room_bytes, 0) / line_bytes)
        if excess > 0:
            popleft = queue.popleft
            for _ in range(excess):
                popleft()
            self.lost_lines += excess

    def _write_retry(self) -> None:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)  # the umask decides
            if self.frames is not None:
                self.frames.events_opened(os.fstat(self._fd).st_size)
        view = memoryview(self._retry)
        written = 0
        try:
            while written < len(view):
                written += os.write(self._fd, view[written:])
        finally:
            view.release()
            if written and self.frames is not None:
                self.frames.written(written)
            self._retry = self._retry[written:]

    def drop_oldest(self, max_bytes: int) -> None:
        """Keep at most ``max_bytes`` of refused bytes, cutting whole lines from the front."""
        excess = len(self._retry) - max_bytes
        if excess <= 0:
            return
        cut = self._retry.find(b"\n", excess - 1) + 1 or len(self._retry)
        self.lost_lines += self._retry.count(b"\n", 0, cut)
        self._retry = self._retry[cut:]

    def close(self) -> None:
        if self.frames is not None:
            self.frames.close()
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = None


class BufferedWriter:
    """Owns the run's append-only files and the thread that writes them."""

    def __init__(
        self,
        files: dict[str, Path],
        flush_interval_s: float,
        max_pending_bytes: int,
        on_tick: Callable[[], None] | None = None,
        tick_interval_s: float = 10.0,
        frames: dict[str, FramesWriter] | None = None,
    ) -> None:
        frames = frames or {}
        self.media: MediaWriter | None = None  # its images: encoded and written here, before the events
        self.files = {key: AppendFile(path, frames.get(key)) for key, path in files.items()}
        self.flush_interval_s = flush_interval_s
        self.max_pending_bytes = max_pending_bytes
        self._on_tick = on_tick
        self._tick_interval_s = tick_interval_s
        self._lock = threading.Lock()  # one writer at a time: the thread, flush(), close()
        self._stop = threading.Event()
        self._warned_error = False
        self._thread = threading.Thread(target=self._loop, name="runicorn-writer", daemon=True)
        self._thread.start()

    def queue(self, key: str) -> deque[bytes]:
        """The queue the training thread appends encoded lines to (a bare ``deque.append``)."""
        return self.files[key].queue

    @property
    def lost_lines(self) -> int:
        return sum(f.lost_lines for f in self.files.values())

    def flush(self) -> bool:
        """Write everything queued so far. True when all of it reached the OS."""
        with self._lock:
            if self.media is not None:
                self.media.write_pending()
            ok = True
            for f in self.files.values():
                try:
                    f.write_pending(self.max_pending_bytes)
                except OSError as exc:
                    ok = False
                    self._warn_write_error(f.path, exc)
                    f.take_queue()
                    f.drop_oldest(self.max_pending_bytes)
            if ok and self._warned_error:
                log.warning("runicorn: writing to %s works again; nothing pending was lost", f.path.parent)
                self._warned_error = False
            return ok

    def close(self, timeout_s: float = 5.0) -> bool:
        """Stop the thread, write what is left, close the files."""
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout_s)
        ok = self.flush()
        with self._lock:
            for f in self.files.values():
                f.close()
        return ok

    def _warn_write_error(self, path: Path, exc: OSError) -> None:
        if not self._warned_error:
            self._warned_error = True
            log.warning(
                "runicorn: cannot write %s (%s); training continues, events are kept in memory "
                "(up to %d MB) and written when the disk accepts them again",
                path,
                exc.strerror or exc,
                self.max_pending_bytes // (1024 * 1024),
            )

    def _due(self) -> bool:
        return any(len(f.queue) >= FLUSH_LINES for f in self.files.values())

    def _loop(self) -> None:
        poll_s = min(POLL_S, self.flush_interval_s)
        clock = time.monotonic
        next_flush = clock() + self.flush_interval_s
        next_tick = clock() + self._tick_interval_s
        while not self._stop.wait(poll_s):
            try:
                now = clock()
                if now < next_flush and not self._due():
                    continue
                next_flush = now + self.flush_interval_s
                self.flush()
                if self._on_tick is not None and now >= next_tick:
                    next_tick = now + self._tick_interval_s
                    self._on_tick()
            except Exception:  # noqa: BLE001 - the writer thread must never die
                log.exception("runicorn: unexpected error in the writer thread")
        try:  # the last images are encoded here too, not on the thread that called close()
            self.flush()
        except Exception:  # noqa: BLE001
            log.exception("runicorn: unexpected error in the writer thread")
