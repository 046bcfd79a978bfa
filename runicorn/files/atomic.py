"""Atomic writes: a file replaced whole through a temp file beside it and a rename, so that a reader
sees the old file or the new one, never a torn one. The temp file is named
``.<name>.<random><TEMP_SUFFIX>``, which readers and copiers skip (:data:`runicorn.format.TEMP_SUFFIX`)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from runicorn.format import TEMP_SUFFIX, dumps_json_file


def write_json_atomic(path: Path, value: dict[str, Any]) -> None:
    """Replace ``path`` with ``value`` as pretty JSON via temp file + rename: never torn."""
    write_bytes_atomic(Path(path), dumps_json_file(value))


def write_bytes_atomic(path: Path, data: bytes, mtime: float | None = None, private: bool = False) -> None:
    """Replace ``path`` with ``data`` via a temp file (``.<name>.<random>.tmp`` beside it, which
    readers skip) and a rename: a reader sees the old file or the new one, never a torn one.
    ``mtime``, when given, is set on the file before it takes the name. The file gets the
    permissions of any new file (0o666 less the umask), as the append-only files do; ``private``
    makes it 0600 whatever the umask, from its creation on (a file holding secrets)."""
    while True:
        tmp = os.path.join(path.parent, f".{path.name}.{uuid.uuid4().hex[:12]}{TEMP_SUFFIX}")
        try:
            mode = 0o600 if private else 0o666
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
            break
        except FileExistsError:
            continue
    try:
        if private and hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if mtime is not None:
            os.utime(tmp, (mtime, mtime))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
