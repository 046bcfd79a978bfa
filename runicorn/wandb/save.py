"""``wandb.save``: copies of the user's files kept in the run's ``files/`` folder (docs/wandb.md).

The glob is expanded when ``save`` is called (files made later are not picked up, as in W&B).
Each match keeps its path relative to ``base_path``; without one, a relative glob keeps its path
from the working directory and an absolute glob keeps its last folder
(``/data/run7/*.txt`` -> ``run7/<file>``). A path that would climb out (``..``) is refused with a
warning. Policies: ``now`` copies at once; ``live`` copies at once and again when the run finishes
if the file changed since (size or modification time); ``end`` copies when the run finishes.

Only the content of plain files is copied (a link in the source is read as the file it points
to); the run never gets a link, and a copy is written to a temporary file and renamed into
place, so a reader sees the old copy or the new one. Like every SDK call after ``init``, nothing
here raises into the training loop: problems are warnings.
"""

from __future__ import annotations

import glob
import logging
import os
import stat
import sys
import uuid
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.sdk.run_like import RunLike

log = logging.getLogger("runicorn")

POLICIES = ("live", "now", "end")
_CHUNK_BYTES = 1 << 20
_WILDCARDS = frozenset("*?[")


@dataclass
class _Saved:
    source: Path
    relpath: str  # inside files/, "/"-separated
    policy: str
    copied_as: tuple[int, int] | None = None  # (size, mtime_ns) of the source when last copied


@dataclass
class _RunFiles:
    """The files one run was asked to save, by their path in ``files/``."""

    run_dir: Path
    saved: dict[str, _Saved] = field(default_factory=dict)

    def at_finish(self) -> None:
        for item in self.saved.values():
            if item.policy == "end" or (item.policy == "live" and _signature(item.source) != item.copied_as):
                _copy_into_run(self.run_dir, item)


_per_run: weakref.WeakKeyDictionary[Any, _RunFiles] = weakref.WeakKeyDictionary()


def save(
    glob_str: str | os.PathLike[str] | None = None,
    base_path: str | os.PathLike[str] | None = None,
    policy: str = "live",
    glob: bool = True,  # noqa: A002 - W&B's argument name (False: the path is a file's own name)
) -> list[str]:
    """Save files matching ``glob_str`` into the current run's ``files/`` folder; the paths the
    copies have (or will have, for ``end``) in the run. Without a run: a warning and ``[]``."""
    import runicorn

    run = runicorn.__dict__.get("_current")
    if run is None or run.finished:
        log.warning("runicorn: wandb.save(%r) was called with no run started: nothing was saved", glob_str)
        return []
    return save_files(run, glob_str, base_path, policy, use_glob=glob)


def save_files(
    run: RunLike,
    glob_str: str | bytes | os.PathLike[str] | None,
    base_path: str | os.PathLike[str] | None = None,
    policy: str = "live",
    use_glob: bool = True,
) -> list[str]:
    """``wandb.save`` for the SDK run ``run`` (what ``run.save`` of runicorn.wandb calls).

    Raises ``ValueError`` as W&B does for a pattern whose first folder below the base is a
    wildcard, or that climbs above the base path."""
    run_dir = run.dir
    if run_dir is None:  # logging is off (RUNICORN_MODE=disabled, RANK > 0)
        return []
    if policy not in POLICIES:
        log.warning(
            "runicorn: wandb.save policy=%r is not one of %s: nothing was saved", policy, ", ".join(POLICIES)
        )
        return []
    if isinstance(glob_str, bytes):
        glob_str = glob_str.decode()
    if glob_str is None or not os.fspath(glob_str):
        log.warning("runicorn: wandb.save needs a path or glob: nothing was saved")
        return []
    text = os.fspath(glob_str)
    if text.startswith(("gs://", "s3://")):
        _tell(f"WARNING {text} is a cloud storage url, can't save file to W&B.")
        return []
    pattern = os.path.abspath(text)
    depth = None  # an absolute glob without a base keeps its last folder: the matches' last 2 parts
    if base_path is not None:
        base = os.path.abspath(os.fspath(base_path))
    elif os.path.isabs(text):
        parts = Path(pattern).parts
        base, depth = str(Path(pattern).parent.parent), len(parts) - 2
        if use_glob and len(parts) > 2 and _WILDCARDS & set(parts[-2]):
            raise ValueError(
                f"wandb.save({text!r}): the glob's last folder may not start with '*' without a base_path"
            )
    else:
        base = os.getcwd()
    rel_pattern = os.path.relpath(pattern, base)
    if base_path is not None and (rel_pattern == ".." or rel_pattern.startswith(".." + os.sep)):
        raise ValueError(f"wandb.save({text!r}): the glob may not walk above the base path {base}")
    rel_parts = Path(rel_pattern).parts
    if (
        use_glob
        and depth is None
        and len(rel_parts) > 1
        and rel_parts[0] != "**"
        and _WILDCARDS & set(rel_parts[0])
    ):
        raise ValueError(f"wandb.save({text!r}): a glob's first folder below {base} may not start with '*'")
    state = _per_run.get(run)
    if state is None:
        state = _per_run[run] = _RunFiles(Path(run_dir))
        run.on_finish(state.at_finish)
    if use_glob:
        matches = [m for m in sorted(glob.glob(pattern, recursive=True)) if os.path.isfile(m)]
        if not matches and os.path.isfile(pattern) and _WILDCARDS & set(text):
            _tell(
                f"WARNING No files matched {text!r} as a glob; the file of that name was not saved: "
                "pass glob=False to save it"
            )
    else:
        matches = [pattern] if os.path.isfile(pattern) else []
        if (
            not matches
            and _WILDCARDS & set(text)
            and not (state.run_dir / fmt.FILES_DIR / rel_pattern).exists()
        ):
            _tell(f"WARNING {text!r} is not a file; with glob=True it would be read as a glob")
    out = []
    for match in matches:
        rel = os.path.relpath(match, base if depth is None else str(Path(*Path(match).parts[:depth])))
        if os.path.isabs(rel) or rel == ".." or rel.startswith(".." + os.sep):
            log.warning(
                "runicorn: wandb.save: %s is not under base_path %s; it was not saved "
                "(pass a base_path above it)",
                match,
                base,
            )
            continue
        item = _Saved(Path(match), Path(rel).as_posix(), policy)
        state.saved[item.relpath] = item
        if policy in ("now", "live"):
            _copy_into_run(state.run_dir, item)
        out.append(str(state.run_dir / fmt.FILES_DIR / item.relpath))
    if len(out) > 1 or (out and use_glob and _WILDCARDS & set(text)):
        _tell(f"Copied {len(out)} files into the run's files folder; call wandb.save again to take new files")
    return out


def _tell(message: str) -> None:
    """A line for the user on stderr, as W&B prints them."""
    print(f"wandb: {message}", file=sys.stderr)


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def _copy_into_run(run_dir: Path, item: _Saved) -> None:
    """Copy the source's content to ``files/<relpath>`` of the run (temp file + rename); a
    warning when the source is not a plain file or the way there holds a link."""
    target = run_dir / fmt.FILES_DIR / item.relpath
    if target.exists() and os.path.samefile(target, item.source):  # already in the run's files
        item.copied_as = _signature(target)
        return
    try:
        _make_plain_dirs(run_dir, target.parent)
        tmp = target.parent / f".{target.name}.{uuid.uuid4().hex[:12]}{fmt.TEMP_SUFFIX}"
        try:
            with open(item.source, "rb") as src:
                st = os.fstat(src.fileno())
                if not stat.S_ISREG(st.st_mode):
                    raise OSError(f"{item.source} is not a plain file")
                with open(tmp, "xb") as dst:
                    while chunk := src.read(_CHUNK_BYTES):
                        dst.write(chunk)
            os.replace(tmp, target)
            item.copied_as = (st.st_size, st.st_mtime_ns)
        finally:
            tmp.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("runicorn: wandb.save could not copy %s into the run: %s", item.source, exc)


def _make_plain_dirs(run_dir: Path, folder: Path) -> None:
    """Create ``folder`` below ``run_dir``, refusing any part of the way that is a link."""
    current = run_dir
    for part in folder.relative_to(run_dir).parts:
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            current.mkdir(exist_ok=True)
            mode = os.lstat(current).st_mode
        if not stat.S_ISDIR(mode):
            raise OSError(f"{current} is not a plain folder (a link?); nothing is written through it")


__all__ = ["POLICIES", "save", "save_files"]
