"""What git says about the code a run was started from: commit, branch, dirty flag, remote URL
(credentials stripped) and the uncommitted diff. Every git call is bounded in time; no git, no
repository or a slow disk just means less information."""

from __future__ import annotations

import subprocess
from pathlib import Path

from runicorn.format import GitData, strip_url_credentials

MAX_DIFF_BYTES = 5 * 1024 * 1024


def _git(cwd: Path, *args: str, timeout_s: float = 3.0) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            timeout=timeout_s,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace")


def git_info(cwd: Path) -> tuple[GitData | None, bytes]:
    """(git fields for meta.json, or None outside a repository; the uncommitted diff)."""
    commit = _git(cwd, "rev-parse", "HEAD")
    if commit is None:
        return None, b""
    status = _git(cwd, "status", "--porcelain", "--untracked-files=no") or ""
    dirty = bool(status.strip())
    diff = b""
    if dirty:
        text = _git(cwd, "diff", "HEAD", timeout_s=5.0) or ""
        diff = text.encode("utf-8")[:MAX_DIFF_BYTES]
    remote = _git(cwd, "remote", "get-url", "origin")
    info = GitData(
        commit=commit.strip(),
        branch=(_git(cwd, "rev-parse", "--abbrev-ref", "HEAD") or "").strip() or None,
        dirty=dirty,
        remote=strip_url_credentials(remote.strip()) if remote else None,
    )
    return info, diff
