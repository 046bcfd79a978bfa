"""The agent's environment for a job's recorder (``runicorn run``), handed over in a file that the
job's command never sees (docs/agent.md#job-environment).

A job's command starts with a clean environment. The recorder that wraps it needs more for its
own work: the settings of the storage, of syncing and of notifications, and the credentials that
go with them (an object store's keys, an SMTP password). The agent writes those into a file only
its user can read (:func:`write_recorder_env`, 0600) and names the file in
``RUNICORN_RECORDER_ENV``. ``runicorn run`` takes that variable out of its environment, reads the
file and deletes it (:func:`take_recorder_env`), adds what the file holds to its own environment
(what it was started with wins: a job's own ``RUNICORN_SYNC_URL``, its GPUs), and starts the
command with the environment it was started with, less the recorder's own start-up variables
(``PYTHONPATH`` that found the agent's Runicorn): the command inherits none of the file.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path

import orjson

RECORDER_ENV = "RUNICORN_RECORDER_ENV"  # names the file; set by the agent only
_ENV_KEY = "env"  # the variables for the recorder
_RECORDER_ONLY_KEY = "recorder_only"  # names the recorder was started with, not passed on


def write_recorder_env(path: Path, env: Mapping[str, str], recorder_only: Iterable[str] = ()) -> None:
    """Writes the file (a new one, 0600 whatever the umask): ``env`` for the recorder itself,
    ``recorder_only`` the names of its start-up environment that the command does not get."""
    data = orjson.dumps({_ENV_KEY: dict(env), _RECORDER_ONLY_KEY: sorted(set(recorder_only))})
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


@dataclass(frozen=True)
class CommandEnv:
    """What :func:`take_recorder_env` found: the environment the command starts with, and a
    problem with the file to report (None: there was none, or it was read)."""

    env: dict[str, str]
    problem: str | None = None


def take_recorder_env(environ: MutableMapping[str, str] | None = None) -> CommandEnv | None:
    """Takes the file ``RUNICORN_RECORDER_ENV`` names (read, then deleted) into ``environ`` (by
    default this process's), under what is set there already; None when no file is named (a
    ``runicorn run`` started by hand: the command inherits the environment as it is)."""
    environ = os.environ if environ is None else environ
    path = environ.pop(RECORDER_ENV, None)
    if path is None:
        return None
    started = dict(environ)
    try:
        env, recorder_only = _read_and_delete(Path(path))
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return CommandEnv(started, f"cannot read the agent's settings from {path}: {reason}")
    for name, value in env.items():
        if name not in started:
            environ[name] = value
    return CommandEnv({k: v for k, v in started.items() if k not in recorder_only})


def _read_and_delete(path: Path) -> tuple[dict[str, str], set[str]]:
    """The file's variables and recorder-only names. Only a regular file of ours that no one
    else may read or write is taken (no link is followed)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
            raise ValueError("not a file of this user's that only this user may read (0600)")
        with os.fdopen(os.dup(fd), "rb") as f:
            data = orjson.loads(f.read())
    finally:
        os.close(fd)
    path.unlink(missing_ok=True)
    env = data.get(_ENV_KEY) if isinstance(data, dict) else None
    names = data.get(_RECORDER_ONLY_KEY) if isinstance(data, dict) else None
    if not isinstance(env, dict) or not isinstance(names, list):
        raise ValueError("not an environment written by the agent")
    return {str(k): str(v) for k, v in env.items()}, {str(n) for n in names}
