"""The cold read of a long stretch of ``events.jsonl``: :class:`JsonlDecoder`.

Used by :class:`~runicorn.store.metrics.series.RunSeries` for an unread stretch of at least
:data:`MIN_BYTES` that ``events.columns`` did not cover (a run written by another program, an
import, the PyPI Runicorn). It yields, in file order:

1. the blocks the :class:`~runicorn.store.metrics.decoded_cache.DecodedCache` holds from where
   the reader stands (each checked against the bytes it stands for);
2. then the rest, decoded by the :class:`~runicorn.store.metrics.decode_pool.DecodePool`'s worker
   processes when it is given and the rest is long enough, else by the codec in this thread
   (:func:`~runicorn.codec.blocks.decode_block`), in blocks of :data:`~runicorn.codec.blocks.BLOCK_BYTES`
   (the size of the SDK's own ``events.columns`` frames). What was decoded is handed to the cache
   to keep when it follows on from what the cache holds.

Whichever path decoded a block, its columns are the codec's, so a cached block is the block the
next start would decode. Bytes after the last newline before ``end`` (a line still being
written) are left unread.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import BinaryIO

from runicorn.codec.blocks import Block, cut_blocks, decode_block, decode_fd_range, gc_paused
from runicorn.store.metrics.decode_pool import DecodePool
from runicorn.store.metrics.decoded_cache import DecodedCache

MIN_BYTES = 4 * 1024 * 1024  # smaller stretches (a live run's appends) are decoded and not kept
READ_BYTES = 8 * 1024 * 1024  # decoded in this thread a read of this size at a time


class JsonlDecoder:
    """Cache first, then the worker processes or the codec. Thread-safe (keeps no state between
    reads but its counters)."""

    def __init__(self, cache: DecodedCache | None = None, min_bytes: int = MIN_BYTES) -> None:
        self.cache = cache
        self.min_bytes = min_bytes
        self.cached_blocks = 0  # blocks taken from the cache, in all (for tests and diagnostics)
        self.decoded_blocks = 0  # blocks decoded from JSON

    def batches(
        self, f: BinaryIO, start: int, end: int, pool: DecodePool | None = None
    ) -> Iterator[list[Block]]:
        """Blocks of whole lines of ``f`` from ``start`` towards ``end``, in order, in lists the
        reader appends at once: the worker processes' blocks many at a time, the others one by
        one (appending them as they come is quicker while they are in the CPU's cache)."""
        at = start
        if self.cache is not None:
            for block in self.cache.blocks(f, at, end):
                self.cached_blocks += 1
                at += block.nbytes
                yield [block]
        if end - at < self.min_bytes:
            return
        keep = self.cache is not None and self.cache.end_of(f) == at
        kept: list[tuple[int, Block]] = []
        try:
            for blocks in self._decode(f, at, end, pool):
                for block in blocks:
                    if keep:
                        kept.append((at, block))
                    at += block.nbytes
                    self.decoded_blocks += 1
                yield blocks
        finally:
            if kept and self.cache is not None:
                self.cache.add(f, kept)

    def _decode(self, f: BinaryIO, start: int, end: int, pool: DecodePool | None) -> Iterator[list[Block]]:
        at = start
        if pool is not None and end - at >= pool.min_bytes:
            for blocks in pool.decode_batches(f, at, end):
                at += sum(block.nbytes for block in blocks)
                yield blocks
        fd = f.fileno()
        while at < end:
            data = os.pread(fd, min(READ_BYTES, end - at), at)
            cut = data.rfind(b"\n") + 1
            if not cut:  # one line longer than a read, or a line still being written
                cut = _line_end(fd, at + len(data), end) - at
                if cut <= 0:
                    return
                decoded = decode_fd_range(fd, at, at + cut)
            else:
                whole = data[:cut] if cut < len(data) else data
                with gc_paused():
                    decoded = [decode_block(piece) for piece in cut_blocks(whole)]
            for block in decoded:
                at += block.nbytes
                yield [block]


def _line_end(fd: int, pos: int, end: int) -> int:
    """The offset just after the first newline at or after ``pos`` (0 when none before ``end``)."""
    while pos < end:
        window = os.pread(fd, min(READ_BYTES, end - pos), pos)
        if not window:
            return 0
        i = window.find(b"\n")
        if i >= 0:
            return pos + i + 1
        pos += len(window)
    return 0
