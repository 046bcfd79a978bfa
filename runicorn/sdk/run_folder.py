"""A run's folder: made (or found again, to resume) under the storage root, and its meta.json.

``make_run_dir`` draws a fresh run id (or takes the one given, to resume); ``write_meta`` records
where and how the run started (host, user, argv, Python, git). Both run once, in ``rn.init``.
"""

from __future__ import annotations

import getpass
import os
import platform
import socket
import sys
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.errors import ConfigError, StorageError
from runicorn.files import write_json_atomic
from runicorn.sdk.gitinfo import git_info
from runicorn.sdk.values import clean_text


def refuse_id_of_another_run(root: Path, project: str, name: str, run_id: str) -> None:
    """A ``run_id=`` that names a run of another project/name is refused, not duplicated."""
    own = fmt.run_dir(root, project, name, run_id)
    for path in fmt.run_dirs_with_id(root, run_id):
        if path != own and fmt.is_run_dir(path):
            where = path.relative_to(root).as_posix()
            raise ConfigError(
                f"run_id={run_id!r} is already the id of the run {where} under {root}",
                "pass that run's project= and name= to resume it, or another run_id (None: a fresh run)",
            )


def make_run_dir(root: Path, project: str, name: str, run_id: str | None) -> tuple[str, Path, bool]:
    """(the run id, its folder, whether it existed: a resumed run); raises StorageError."""
    if run_id is not None:
        path = fmt.run_dir(root, project, name, run_id)
        resumed = path.is_dir()
        _mkdir(path, exist_ok=True)
        return run_id, path, resumed
    for _ in range(100):
        new_id = fmt.new_run_id()
        path = fmt.run_dir(root, project, name, new_id)
        try:
            _mkdir(path, exist_ok=False)
            return new_id, path, False
        except FileExistsError:
            continue
    raise StorageError(
        f"could not create a unique run folder under {path.parent}",
        "check the storage root for thousands of runs started in the same second",
    )


def last_step(run_dir: Path, tail_bytes: int = 1 << 16) -> int:
    """The step of the last metrics record in a run's events (0 when none is near the end): where
    a resumed run goes on from."""
    try:
        with open(run_dir / fmt.EVENTS_FILE, "rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - tail_bytes))
            lines, _ = fmt.split_complete_lines(f.read())
    except OSError:
        return 0
    for line in reversed(lines):
        record = fmt.decode_event(line)
        if record is not None and record.get("type") == fmt.METRICS:
            step = record["data"].get(fmt.STEP_KEY)
            if isinstance(step, int):
                return step
    return 0


def _mkdir(path: Path, exist_ok: bool) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(exist_ok=exist_ok)
    except OSError as exc:
        if isinstance(exc, FileExistsError) and not exist_ok and path.parent.is_dir():
            raise  # the fresh id is taken: the caller draws another
        raise StorageError(
            f"cannot create the run folder {path}: {exc.strerror or exc}",
            "pass storage= or set RUNICORN_DIR to a writable folder",
        ) from exc


def write_meta(
    run_dir: Path,
    run_id: str,
    project: str,
    name: str,
    root: Path,
    created: float,
    tags: Any,
    notes: str | None,
) -> None:
    """Write meta.json (and git_diff.patch when the work tree has changes); raises OSError."""
    cwd = Path.cwd()
    git, diff = git_info(cwd)
    if diff:
        (run_dir / fmt.GIT_DIFF_FILE).write_bytes(diff)
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        user = None
    meta = fmt.new_meta(run_id, project, name, created)
    meta.update(
        fmt.MetaData(
            hostname=socket.gethostname(),
            pid=os.getpid(),
            user=user,
            python=sys.version.split()[0],
            platform=platform.platform(),
            argv=list(sys.argv),
            cwd=str(cwd),
            tags=[clean_text(str(t)) for t in tags] if isinstance(tags, list) else [],
            notes=clean_text(notes) if isinstance(notes, str) else notes,
            git=git,
            storage_dir=str(root),
        )
    )
    write_json_atomic(run_dir / fmt.META_FILE, dict(meta))
