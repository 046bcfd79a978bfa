"""The CRC-32 of frames and of the events bytes they stand for: :func:`crc32`.

It is zlib's CRC-32 (the gzip polynomial), computed by ISA-L when the ``isal`` package is
installed (several times faster than zlib on current CPUs: a reader checks every byte of the
frames and events lines it takes, 1.9 GB for a chart of one key over 1,500 wide runs), else by
zlib. Both give the same value (a test compares them).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

__all__ = ["crc32", "FAST"]

_Crc = Callable[[bytes | bytearray | memoryview, int], int]  # (data, starting value)

_crc32: _Crc
try:  # an optional speed-up: the same checksum
    from isal.isal_zlib import crc32 as _crc32
except ImportError:  # pragma: no cover - depends on the install
    _crc32 = zlib.crc32

FAST = _crc32 is not zlib.crc32  # whether ISA-L computes it


def crc32(data: bytes | bytearray | memoryview, value: int = 0) -> int:
    """zlib's ``crc32(data, value)``."""
    return _crc32(data, value)
