"""What the sync reads of local files: their size (0 when missing) and their sha256, streamed."""

from __future__ import annotations

import hashlib
from pathlib import Path

HASH_CHUNK = 1024 * 1024


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(HASH_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()
