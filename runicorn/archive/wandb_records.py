"""The records of one W&B transaction log (a run's ``run-<id>.wandb`` file), read within bounds.

The layout, as W&B writes it (its Python ``sdk/internal/datastore.py`` and its Go core's
``pkg/leveldb`` package, both LevelDB's log format with a file header of W&B's own):

- The file starts with 7 bytes: ``:W&B``, the magic ``0xBEE1`` (little-endian u16) and the
  version byte ``0``.
- The file is cut into 32 KiB blocks counted from byte 0 (the header sits in the first block).
  A block holds chunks, each a 7-byte header (the CRC-32 of the chunk's type byte and payload,
  zlib's IEEE polynomial, little-endian u32; the payload's length, u16; its type, u8) and the
  payload. A chunk never crosses a block: fewer than 7 bytes left at a block's end are zeros.
- A record is one ``FULL`` chunk, or a ``FIRST`` chunk, any ``MIDDLE`` chunks and a ``LAST``.
  Its bytes are one protocol buffer ``Record`` (see :mod:`runicorn.archive.wandb_wire`).

A transaction log is not trusted:

- a header that is not W&B's, or a version other than 0: :class:`ArchiveError`;
- a record growing past ``max_record_bytes``, or more than ``max_records`` records:
  :class:`ArchiveError` naming the file and the byte, before more is held in memory;
- the file ending inside a chunk or a record (the writer was killed): reading stops there;
  :attr:`WandbLog.damage` says where, and the records before it stand;
- a chunk failing its CRC, or that cannot be where it is (longer than its block, an unknown
  type, a middle with no first): the rest of its block is skipped and reading resumes at the next
  record starting in a later block, as W&B's own reader recovers; :attr:`WandbLog.damage` lists
  each skipped stretch. A block of zeros (space a writer reserved) is skipped the same way,
  silently.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from runicorn.errors import ArchiveError

WANDB_LOG_SUFFIX = ".wandb"
FILE_HEADER = b":W&B" + struct.pack("<HB", 0xBEE1, 0)  # ident, magic, version
BLOCK_BYTES = 32 * 1024
CHUNK_HEADER_BYTES = 7
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4
MAX_RECORD_BYTES = 64 * 1024 * 1024
MAX_RECORDS = 200_000_000
_CHUNK_HEADER = struct.Struct("<IHB")
_ZERO_HEADER = bytes(CHUNK_HEADER_BYTES)
# The CRC of each chunk type byte alone: a chunk's CRC continues from it over the payload.
_TYPE_CRC = [zlib.crc32(bytes([t])) for t in range(256)]
_HINT = (
    "the file is damaged or was not written by W&B; "
    "nothing of this run was imported, runs listed before it were"
)


@dataclass(frozen=True)
class Damage:
    """Bytes ``start .. end`` of a transaction log that held no readable record: ``cut`` when the
    file ends there (a writer stopped mid-write), else a damaged stretch that was skipped."""

    start: int
    end: int
    cut: bool


class WandbLog:
    """Iterate :meth:`records` for ``(offset, data)`` of each whole record, in order."""

    def __init__(
        self, path: Path, max_record_bytes: int = MAX_RECORD_BYTES, max_records: int = MAX_RECORDS
    ) -> None:
        self.path = Path(path)
        self.max_record_bytes = max_record_bytes
        self.max_records = max_records
        self.damage: list[Damage] = []
        self.size = 0

    def _refuse(self, offset: int, what: str) -> ArchiveError:
        return ArchiveError(f"cannot import {self.path}: {what} at byte {offset}", _HINT)

    def records(self) -> Iterator[tuple[int, bytes]]:
        with open(self.path, "rb") as f:
            header = f.read(len(FILE_HEADER))
            if header[:4] != FILE_HEADER[:4] or header[4:6] != FILE_HEADER[4:6]:
                raise ArchiveError(
                    f"cannot import {self.path}: not a W&B transaction log (it does not start "
                    "with ':W&B' and W&B's magic number)",
                    "pass a W&B run folder (offline-run-*) or the folder holding them",
                )
            if header != FILE_HEADER:
                raise ArchiveError(
                    f"cannot import {self.path}: W&B transaction log version {header[6]}, "
                    "this reader knows version 0",
                    "sync or read the run with the W&B version that wrote it",
                )
            yield from self._records(f, header)

    def _records(self, f: BinaryIO, header: bytes) -> Iterator[tuple[int, bytes]]:
        read, crc32 = f.read, zlib.crc32
        block = header + read(BLOCK_BYTES - len(header))
        block_start, pos = 0, len(header)
        parts: list[bytes] = []  # the chunks of the record being put together
        held, record_start, count = 0, -1, 0
        skipping_from = -1  # where a damaged stretch began, while it is skipped
        while True:
            n = len(block)
            if pos + CHUNK_HEADER_BYTES > n:
                if n == BLOCK_BYTES:  # padding: the next chunk is in the next block
                    block_start, block, pos = block_start + n, read(BLOCK_BYTES), 0
                    continue
                self.size = end_of_file = block_start + n
                if skipping_from >= 0:
                    self.damage.append(Damage(skipping_from, end_of_file, cut=False))
                elif parts or pos < n:  # a record or a chunk header cut short
                    self.damage.append(
                        Damage(record_start if parts else block_start + pos, end_of_file, True)
                    )
                return
            chunk_at = block_start + pos
            checksum, length, kind = _CHUNK_HEADER.unpack_from(block, pos)
            end = pos + CHUNK_HEADER_BYTES + length
            if n < end <= BLOCK_BYTES and n < BLOCK_BYTES and FULL <= kind <= LAST:
                self.size = end_of_file = block_start + n  # the file ends inside this chunk
                start = skipping_from if skipping_from >= 0 else record_start if parts else chunk_at
                self.damage.append(Damage(start, end_of_file, cut=skipping_from < 0))
                return
            payload = block[pos + CHUNK_HEADER_BYTES : end]
            if end > n or not FULL <= kind <= LAST or crc32(payload, _TYPE_CRC[kind]) != checksum:
                zeroed = block[pos : pos + CHUNK_HEADER_BYTES] == _ZERO_HEADER
                if skipping_from < 0 and (parts or not zeroed):
                    skipping_from = record_start if parts else chunk_at
                parts, held = [], 0
                pos = n  # the rest of this block is not read
                continue
            pos = end if end + CHUNK_HEADER_BYTES <= BLOCK_BYTES else BLOCK_BYTES
            if kind >= MIDDLE and not parts:  # the end of a record whose start was lost
                if skipping_from < 0:
                    skipping_from = chunk_at
                continue
            if kind <= FIRST:
                if parts:  # a record left unfinished by a writer that started again
                    if skipping_from < 0:
                        skipping_from = record_start
                    parts, held = [], 0
                if skipping_from >= 0:
                    self.damage.append(Damage(skipping_from, chunk_at, cut=False))
                    skipping_from = -1
                record_start = chunk_at
            if kind == FULL:
                data = payload
            else:
                held += length
                if held > self.max_record_bytes:
                    raise self._refuse(record_start, self._too_long())
                parts.append(payload)
                if kind != LAST:
                    continue
                data, parts, held = b"".join(parts), [], 0
            if len(data) > self.max_record_bytes:
                raise self._refuse(record_start, self._too_long())
            count += 1
            if count > self.max_records:
                raise self._refuse(
                    record_start, f"more than the {self.max_records} records a log may hold here"
                )
            yield record_start, data

    def _too_long(self) -> str:
        return f"a record longer than the {self.max_record_bytes} bytes one may hold here"
