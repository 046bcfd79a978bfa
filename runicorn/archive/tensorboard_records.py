"""The records of one TensorBoard event file (TFRecord framing), read within bounds.

A record is its length (8 bytes, little-endian), the masked CRC-32C of those 8 bytes, the data, and
the masked CRC-32C of the data. An event file is not trusted: its length header is checked against
its CRC, against :data:`MAX_RECORD_BYTES` and against what is left of the file *before* anything
is read, so no length asks for more memory than the file holds or the bound allows.

- A length beyond the bound is refused: :class:`ArchiveError` naming the file and the byte.
- A record cut short (the writer stopped mid-write: the length runs past the end of the file) or
  one failing a CRC check ends what can be read of the file; :attr:`RecordFile.read_bytes` says
  how far the whole records went (the reader reports the rest as damage).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from pathlib import Path

from runicorn.errors import ArchiveError

MAX_RECORD_BYTES = 128 * 1024 * 1024
_HEADER = struct.Struct("<QI")  # length, its masked CRC
_CRC = struct.Struct("<I")

Crc = Callable[[bytes], int]  # masked CRC-32C, as TensorFlow writes it


class RecordFile:
    """Iterate :meth:`records` for ``(offset, data)`` of each whole record, in order."""

    def __init__(self, path: Path, masked_crc: Crc, max_record_bytes: int = MAX_RECORD_BYTES) -> None:
        self.path = Path(path)
        self._crc = masked_crc
        self.max_record_bytes = max_record_bytes
        self.read_bytes = 0  # the end of the last whole record read

    def records(self) -> Iterator[tuple[int, bytes]]:
        with open(self.path, "rb") as f:
            size = f.seek(0, 2)
            f.seek(0)
            offset = 0
            while offset + _HEADER.size <= size:
                header = f.read(_HEADER.size)
                if len(header) < _HEADER.size:
                    return  # the file shrank meanwhile: what was read stands
                length, length_crc = _HEADER.unpack(header)
                if self._crc(header[:8]) != length_crc:
                    return  # damaged from here on
                if length > self.max_record_bytes:
                    raise ArchiveError(
                        f"cannot import {self.path}: the record at byte {offset} says it holds {length} "
                        f"bytes, more than the {self.max_record_bytes} an event record may hold here",
                        "the file is damaged or was not written by TensorBoard; nothing of this run was "
                        "imported, runs listed before it were",
                    )
                end = offset + _HEADER.size + length + _CRC.size
                if end > size:
                    return  # cut short: the writer stopped mid-record
                data = f.read(length)
                tail = f.read(_CRC.size)
                if len(data) < length or len(tail) < _CRC.size or self._crc(data) != _CRC.unpack(tail)[0]:
                    return
                yield offset, data
                offset = self.read_bytes = end
