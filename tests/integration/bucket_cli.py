"""Helpers of the object-store tests: the CLI as a real process, a folder's content by hash."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from runicorn import format as fmt

REPO = Path(__file__).parents[2]


def cli(
    *args: str, env: dict[str, str] | None = None, without: tuple[str, ...] = (), timeout: float = 50
) -> subprocess.CompletedProcess[str]:
    """``runicorn ARGS`` as a process; ``env`` added to this environment, ``without`` left out of it."""
    return subprocess.run(
        [sys.executable, "-m", "runicorn.cli", *args],
        cwd=REPO,
        env={k: v for k, v in {**os.environ, **(env or {})}.items() if k not in without},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def tree(root: Path) -> dict[str, str]:
    """relpath -> sha256 of every file a copy should carry (no locks, no temp files)."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith(fmt.NOT_COPIED_SUFFIXES)
    }


def stamps(folder: Path) -> dict[str, tuple[int, str]]:
    """What the server holds under ``folder``: key -> (mtime_ns, sha256)."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in folder.rglob("*")
        if p.is_file()
    }


def wait_for(condition: Callable[[], object], what: str, timeout_s: float = 5.0) -> object:
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {timeout_s} s")
        time.sleep(0.05)
