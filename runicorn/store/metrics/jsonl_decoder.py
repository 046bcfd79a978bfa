"""The cold read of a long stretch of ``events.jsonl``: :class:`JsonlDecoder`.

Used by :class:`~runicorn.store.metrics.series.RunSeries` for an unread stretch of at least
:data:`MIN_BYTES` that ``events.columns`` did not cover. It yields, in file order:

1. the blocks the :class:`~runicorn.store.metrics.decoded_cache.DecodedCache` holds from where
   the reader stands (each checked against the bytes it stands for);
2. then the rest, in pieces of about :data:`PIECE_BYTES` cut at newlines, decoded by the
   :class:`~runicorn.store.metrics.native_reader.NativeReader` (Arrow, on every core; a piece it
   cannot match exactly is decoded by the codec), handed to the cache to keep when they follow
   on from what it holds.

Bytes after the last newline before ``end`` (a line still being written) are left unread. With
no ``pyarrow`` installed only the cache is used, and the caller decodes the rest as before.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import BinaryIO

from runicorn.codec.blocks import Block
from runicorn.store.metrics.decoded_cache import DecodedCache
from runicorn.store.metrics.native_reader import ARROW_BLOCK_BYTES, native_reader

MIN_BYTES = 4 * 1024 * 1024  # smaller stretches (a live run's appends) are decoded by the codec
PIECE_BYTES = 32 * 1024 * 1024


class JsonlDecoder:
    """Cache first, then the native reader. Thread-safe (keeps no state between reads)."""

    def __init__(
        self,
        cache: DecodedCache | None = None,
        min_bytes: int = MIN_BYTES,
        piece_bytes: int = PIECE_BYTES,
        arrow_block_bytes: int = ARROW_BLOCK_BYTES,
    ) -> None:
        self.cache = cache
        self.min_bytes = min_bytes
        self.piece_bytes = piece_bytes
        self.arrow_block_bytes = arrow_block_bytes  # a line longer than this is decoded by the codec
        self.native_pieces = 0  # pieces the native reader decoded, in all (for tests and diagnostics)
        self.fallback_pieces = 0  # pieces it left to the codec
        self.cached_blocks = 0  # blocks taken from the cache

    def blocks(self, f: BinaryIO, start: int, end: int) -> Iterator[Block]:
        """Blocks of whole lines of ``f`` from ``start`` towards ``end``, in order."""
        at = start
        if self.cache is not None:
            for block in self.cache.blocks(f, at, end):
                self.cached_blocks += 1
                at += block.nbytes
                yield block
        if end - at < self.min_bytes:
            return
        reader = native_reader(self.arrow_block_bytes)
        if reader is None:
            return
        keep = self.cache is not None and self.cache.end_of(f) == at
        kept: list[tuple[int, Block]] = []
        fd = f.fileno()
        try:
            while at < end:
                data = _whole_lines(fd, at, end, self.piece_bytes)
                if not len(data):
                    break
                for block in reader.decode(data):
                    if keep:
                        kept.append((at, block))
                    at += block.nbytes
                    yield block
        finally:
            self.native_pieces += reader.native_pieces
            self.fallback_pieces += reader.fallback_pieces
            if kept and self.cache is not None:
                self.cache.add(f, kept)


def _whole_lines(fd: int, start: int, end: int, piece_bytes: int) -> memoryview:
    """About ``piece_bytes`` from ``start`` up to just after a newline (more when one line is
    longer), read into one buffer without a copy; empty when no newline comes before ``end``."""
    size = min(piece_bytes, end - start)
    while True:
        buffer = bytearray(size)
        got = os.preadv(fd, [buffer], start)
        cut = buffer.rfind(b"\n", 0, got) + 1
        if cut or got < size or start + size >= end:
            return memoryview(buffer)[:cut]
        size = min(size * 2, end - start)
