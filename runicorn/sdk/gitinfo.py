"""What git says about the code a run was started from: commit, branch, dirty flag, remote URL
(credentials stripped) and the uncommitted diff. Every git call is bounded in time; no git, no
repository or a slow disk just means less information."""

from __future__ import annotations

import subprocess
from pathlib import Path

from runicorn.format import GIT_MAX_UNTRACKED, GitData, strip_url_credentials

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
    untracked = untracked_files(cwd)
    if untracked is not None:
        info["untracked"] = untracked
    return info, diff


def untracked_files(cwd: Path) -> list[str] | None:
    """Files git neither tracks nor ignores (the first GIT_MAX_UNTRACKED), or None without git."""
    out = _git(cwd, "ls-files", "--others", "--exclude-standard", "-z")
    return None if out is None else [p for p in out.split("\0") if p][:GIT_MAX_UNTRACKED]


def changed_files(cwd: Path) -> list[str] | None:
    """Tracked files with uncommitted changes (staged or not), or None outside a repository."""
    if _git(cwd, "rev-parse", "HEAD") is None:
        return None
    out = _git(cwd, "status", "--porcelain", "--untracked-files=no", "-z")
    if out is None:
        return None
    # -z entries: "XY path", a rename adds its old path as the next entry
    entries = out.split("\0")
    files, i = [], 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        if len(entry) > 3:
            files.append(entry[3:])
            if entry[0] in "RC":
                i += 1
    return files


def toplevel(cwd: Path) -> Path | None:
    """The top folder of the git work tree holding ``cwd``, or None."""
    out = _git(cwd, "rev-parse", "--show-toplevel")
    return Path(out.strip()) if out and out.strip() else None
