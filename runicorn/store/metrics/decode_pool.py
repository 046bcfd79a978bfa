"""Worker processes that decode a large unread part of an events file in parallel: :class:`DecodePool`.

A cold read of a long run (hundreds of MB of ``events.jsonl``) is bound by JSON decoding. The
pool cuts the unread bytes at newlines into pieces of about :data:`PIECE_BYTES`; workers decode
pieces into :class:`~runicorn.codec.blocks.Block` columns (reading the file themselves, so only
the columns travel back), the reader's thread decodes pieces too while the processes start, and
the reader appends the blocks in file order. The columns are the same as a read in one thread
(a test compares both).

The processes are started on first use, with ``forkserver`` where the platform has it (else
``spawn``): never ``fork``, as the viewer is a threaded server. They import only the decoding
module and ignore Ctrl-C (the viewer stops them). As with any ``multiprocessing`` program, a
script that uses a pool must guard its main code with ``if __name__ == "__main__":``. When the
processes cannot be started or one dies, the pool says so in ``failed`` and the reader's thread
decodes the rest.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import pairwise
from typing import BinaryIO

from runicorn.codec.blocks import BLOCK_BYTES, Block, decode_fd_range, decode_file_range

MAX_WORKERS = 8
# An unread part at least this large is decoded in parallel; below it, starting is not worth it.
MIN_BYTES = 16 * 1024 * 1024
PIECE_BYTES = 8 * 1024 * 1024
BATCH_BLOCKS = 64  # blocks handed to the reader at once by decode_batches (about 32 MB of lines)
_SCAN_BYTES = 64 * 1024  # window read when looking for a newline near a cut


def _start_method() -> str:
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _ignore_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def default_workers() -> int:
    """One worker process per CPU, at most :data:`MAX_WORKERS`; none on a single CPU."""
    cpus = os.cpu_count() or 1
    return min(MAX_WORKERS, cpus) if cpus > 1 else 0


class ReadStopped(RuntimeError):
    """A read was cut short because :meth:`DecodePool.close` was called meanwhile (the viewer is
    stopping); what was read so far is kept, and a later read goes on from there."""


class DecodePool:
    """``workers`` decoding processes (default :func:`default_workers`), started on first use
    and reused. Thread-safe; :meth:`close` stops them."""

    def __init__(
        self,
        workers: int | None = None,
        min_bytes: int = MIN_BYTES,
        piece_bytes: int = PIECE_BYTES,
        block_bytes: int = BLOCK_BYTES,
    ) -> None:
        self.workers = default_workers() if workers is None else workers
        self.min_bytes = min_bytes  # the reader uses the pool for an unread part this large
        self.piece_bytes = piece_bytes
        self.block_bytes = block_bytes
        self.failed: str | None = None  # why the processes are not used any more, if they are not
        self.pieces_decoded = 0  # pieces decoded so far, in all
        self.pieces_by_workers = 0  # of which by the worker processes
        # False: this thread never decodes a piece a worker could take (tests that check the
        # workers' answers set it, so that a busy machine cannot leave the workers nothing to do)
        self.caller_helps = True
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._closed = False

    @property
    def usable(self) -> bool:
        """Has workers, not closed, not failed."""
        return self.workers >= 1 and not self._closed and self.failed is None

    def worker_pids(self) -> list[int]:
        """Process ids of the workers started and not stopped (for tests and diagnostics)."""
        executor = self._executor
        processes = getattr(executor, "_processes", None) if executor is not None else None
        return list(processes or {})

    def start(self) -> bool:
        """Start the worker processes now rather than on first use; False when they cannot."""
        executor = self._executor_or_none()
        if executor is None:
            return False
        try:
            for future in [executor.submit(os.getpid) for _ in range(self.workers)]:
                future.result()
        except Exception as exc:
            self._fail(exc)
            return False
        return True

    def decode_batches(self, f: BinaryIO, start: int, end: int) -> Iterator[list[Block]]:
        """The blocks of :meth:`decode` in lists of :data:`BATCH_BLOCKS` (the last one shorter):
        the reader appends a list at once, growing its columns once rather than per block (a
        quarter less CPU in the reader's thread over a cold read). A read cut short by
        :meth:`close` hands out the blocks decoded before it stops."""
        batch: list[Block] = []
        try:
            for block in self.decode(f, start, end):
                batch.append(block)
                if len(batch) >= BATCH_BLOCKS:
                    yield batch
                    batch = []
        except ReadStopped:
            if batch:
                yield batch
            raise
        if batch:
            yield batch

    def decode(self, f: BinaryIO, start: int, end: int) -> Iterator[Block]:
        """Blocks of the whole lines of ``f`` between ``start`` and ``end``, in file order.

        The bytes are cut into pieces at newlines; the workers take pieces from the front while
        this thread takes them from the back until the first worker result comes in (so it works
        while the processes start), and each piece's blocks are yielded in order as soon as they
        and all before them are decoded. A piece whose worker fails is decoded here. Yields
        nothing when there are no workers to use: the caller reads the bytes itself.
        """
        if not self.usable:
            return
        pieces = max(self.workers + 1, (end - start) // self.piece_bytes)
        cuts = _newline_cuts(f, start, end, pieces)
        executor = self._executor_or_none() if len(cuts) > 2 else None
        if executor is None:
            return
        path = os.fspath(f.name)
        fd = f.fileno()
        st = os.fstat(fd)
        identity = (st.st_dev, st.st_ino)  # a worker reads this file only, whatever the path holds by then
        ranges = list(pairwise(cuts))
        futures: list[Future[list[Block]]] = []
        try:
            futures = [
                executor.submit(decode_file_range, path, a, b, self.block_bytes, identity) for a, b in ranges
            ]
        except Exception as exc:  # the processes could not start
            self._fail(exc)
        # This thread helps only until the workers are up: once results flow, it keeps the GIL
        # free for reading them in (a decoding thread would slow that down to a crawl).
        workers_up = threading.Event()
        for future in futures:
            future.add_done_callback(lambda _: workers_up.set())
        stolen: dict[int, list[Block]] = {}
        back = len(futures) - 1
        try:
            for i, future in enumerate(futures):
                while self.caller_helps and not workers_up.is_set() and back > i and futures[back].cancel():
                    stolen[back] = decode_fd_range(fd, *ranges[back], self.block_bytes)
                    back -= 1
                if i in stolen:
                    blocks = stolen.pop(i)
                elif self.caller_helps and future.cancel():  # not taken by a worker yet
                    if self._closed:  # the viewer is stopping: do not go on reading alone
                        raise ReadStopped(f"stopped reading {path}: the decoding processes were closed")
                    blocks = decode_fd_range(fd, *ranges[i], self.block_bytes)
                else:
                    try:
                        blocks = future.result()
                        self.pieces_by_workers += 1
                    except OSError:  # the path no longer leads to this file (moved, swapped): here
                        blocks = decode_fd_range(fd, *ranges[i], self.block_bytes)
                    except Exception as exc:  # a worker died: decode its piece here
                        self._fail(exc)
                        blocks = decode_fd_range(fd, *ranges[i], self.block_bytes)
                self.pieces_decoded += 1
                yield from blocks
        finally:
            for future in futures:
                future.cancel()

    def _executor_or_none(self) -> ProcessPoolExecutor | None:
        with self._lock:
            if self._executor is None and self.usable:
                try:
                    context = multiprocessing.get_context(_start_method())
                    if context.get_start_method() == "forkserver":
                        context.set_forkserver_preload([decode_file_range.__module__])
                    self._executor = ProcessPoolExecutor(
                        self.workers, mp_context=context, initializer=_ignore_ctrl_c
                    )
                except (OSError, ValueError, ImportError) as exc:
                    self.failed = f"{type(exc).__name__}: {exc}"
            return self._executor

    def _fail(self, exc: BaseException) -> None:
        with self._lock:
            if self.failed is None:
                self.failed = f"{type(exc).__name__}: {exc}"
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the workers (waiting for a piece in progress); a read in progress stops with
        :class:`ReadStopped`, later reads decode in the caller."""
        with self._lock:
            self._closed = True
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


def _newline_cuts(f: BinaryIO, start: int, end: int, pieces: int) -> list[int]:
    """``start``, about ``pieces - 1`` offsets just after a newline, and the offset just after
    the last newline before ``end``; empty when there is no whole line."""
    last = _last_line_end(f, start, end)
    if last <= start:
        return []
    cuts = [start]
    for i in range(1, pieces):
        cut = _next_line_end(f, start + (last - start) * i // pieces, last)
        if cuts[-1] < cut < last:
            cuts.append(cut)
    cuts.append(last)
    return cuts


def _next_line_end(f: BinaryIO, pos: int, limit: int) -> int:
    """The offset just after the first newline at or after ``pos`` (``limit`` when none)."""
    while pos < limit:
        f.seek(pos)
        window = f.read(min(_SCAN_BYTES, limit - pos))
        if not window:
            break
        i = window.find(b"\n")
        if i >= 0:
            return pos + i + 1
        pos += len(window)
    return limit


def _last_line_end(f: BinaryIO, start: int, end: int) -> int:
    """The offset just after the last newline in ``start..end`` (``start`` when none)."""
    pos = end
    while pos > start:
        lo = max(start, pos - _SCAN_BYTES)
        f.seek(lo)
        window = f.read(pos - lo)
        i = window.rfind(b"\n")
        if i >= 0:
            return lo + i + 1
        pos = lo
    return start
