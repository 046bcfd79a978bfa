"""The run folder: its file names, the statuses a run goes through, the shapes of meta.json,
status.json, config.json and summary.json, and how those JSON files and logs.txt lines are written.

A run lives in ``<root>/<project>/<name>/runs/<run_id>/`` (see :mod:`runicorn.format.layout`).
``docs/format.md`` documents the same contract for people.
"""

from __future__ import annotations

import json
import math
import re
import time
from pathlib import Path
from typing import Any, Literal, TypedDict

import orjson

__all__ = [
    "new_meta",
    "FORMAT_VERSION",
    "META_FILE",
    "STATUS_FILE",
    "SUMMARY_FILE",
    "CONFIG_FILE",
    "EVENTS_FILE",
    "COLUMNS_FILE",
    "LOGS_FILE",
    "MEDIA_DIR",
    "GIT_DIFF_FILE",
    "TRACEBACK_FILE",
    "FILES_DIR",
    "ARTIFACTS_FILE",
    "RUN_TEXT_FILES",
    "REWRITTEN_FILES",
    "APPEND_ONLY_FILES",
    "RUN_MARKER_FILES",
    "TEMP_SUFFIX",
    "LOCK_SUFFIX",
    "RUN_LOCK_FILE",
    "NOT_COPIED_SUFFIXES",
    "is_copied_name",
    "Status",
    "RUNNING",
    "FINISHED",
    "FAILED",
    "INTERRUPTED",
    "CRASHED",
    "FINAL_STATUSES",
    "ALL_STATUSES",
    "HEARTBEAT_INTERVAL_S",
    "STALE_AFTER_S",
    "GitData",
    "GIT_MAX_UNTRACKED",
    "MetaData",
    "StatusData",
    "TAGS_KEY",
    "STATUS_KEY",
    "STARTED_AT_KEY",
    "ENDED_AT_KEY",
    "HEARTBEAT_KEY",
    "EXIT_CODE_KEY",
    "LAUNCHER",
    "TIMEOUT_REASON",
    "EARLY_STOP_REASON",
    "TIMEOUT_EXIT_CODE",
    "LaunchMetaData",
    "MetricDefinition",
    "METRIC_DEFINITIONS_KEY",
    "METRIC_GOALS",
    "METRIC_GOAL_KEY",
    "METRIC_STEP_KEY",
    "WandbMetaData",
    "WandbRunFields",
    "WANDB_FIELDS_KEY",
    "LaunchStatusData",
    "RUN_DIR_ENV",
    "RUN_ID_ENV",
    "EVENTS_FD_ENV",
    "EVENTS_FIFO_ENV",
    "read_json",
    "loads_json_object",
    "dumps_json_file",
    "has_non_finite",
    "console_line",
    "text_line",
    "strip_url_credentials",
]


FORMAT_VERSION = 1

# --- file names of a run folder ----------------------------------------------------------------
META_FILE = "meta.json"
STATUS_FILE = "status.json"
SUMMARY_FILE = "summary.json"
CONFIG_FILE = "config.json"
EVENTS_FILE = "events.jsonl"
# events.jsonl's blocks already decoded, written by the SDK beside it: binary frames laid out by
# runicorn.codec.frames. Only a speed-up: readers check each frame against events.jsonl.
COLUMNS_FILE = "events.columns"
LOGS_FILE = "logs.txt"
MEDIA_DIR = "media"
GIT_DIFF_FILE = "git_diff.patch"
TRACEBACK_FILE = "traceback.txt"
# Files a run saved with ``wandb.save`` (runicorn/wandb/save.py): copies of the user's files, by
# their path relative to the base the call named. Plain files only, never links; written once or
# replaced whole (temp file + rename).
FILES_DIR = "files"
# The artifacts a run logged and used (runicorn/artifacts/lineage.py): ArtifactLinks, replaced whole
# (temp file + rename) when the run logs or uses one; only runs that did have it.
ARTIFACTS_FILE = "artifacts.json"
# Text files a run may hold beside its records, shown as they are.
RUN_TEXT_FILES = (GIT_DIFF_FILE, TRACEBACK_FILE)
# Files that are rewritten whole (atomically) while a run lives; everything else is append-only
# (events, logs, columns) or written once (media, git diff, traceback).
REWRITTEN_FILES = (META_FILE, STATUS_FILE, SUMMARY_FILE, CONFIG_FILE)
APPEND_ONLY_FILES = (EVENTS_FILE, LOGS_FILE, COLUMNS_FILE)
# A folder holding one of these is a run (the PyPI package's rule).
RUN_MARKER_FILES = (META_FILE, STATUS_FILE)
# Temporary files the SDK writes before an atomic rename; readers and copiers skip them.
TEMP_SUFFIX = ".tmp"
# Empty lock files the PyPI package leaves beside its JSON files; copiers skip them.
LOCK_SUFFIX = ".lock"
# The lock a writing process holds (fcntl.flock) on this file in its run folder for the life of the
# run, so a second process cannot attach to the run at the same time. It holds the holder's
# "<pid>@<host>" as text. It ends in LOCK_SUFFIX: readers, the SSH mirror and archives skip it.
RUN_LOCK_FILE = "run" + LOCK_SUFFIX
# File name endings that readers skip and copiers (archive export, sync, the SSH mirror) never copy.
NOT_COPIED_SUFFIXES = (TEMP_SUFFIX, LOCK_SUFFIX)


def is_copied_name(name: str, in_user_files: bool = False) -> bool:
    """Whether a copy of a run (archive export, sync, the SSH mirror) carries a file or folder of
    the run named ``name``; one rule for every copier, applied to each part of a path.

    Left out: dot names (no name of this format starts with a dot; the temp files of atomic writes,
    ``.<name>.<random>.tmp``, do, as do other tools' hidden files and NFS's ``.nfs*`` leftovers), and
    names ending in NOT_COPIED_SUFFIXES (``run.lock`` of a live writer, the PyPI package's empty lock
    files, temp files). Everything a reader reads is carried. Below ``files/`` (``in_user_files``:
    the user's own files, ``wandb.save``) dot names are the user's (``.hydra/config.yaml``) and are
    carried; only the suffixes are left out there.
    """
    if name.endswith(NOT_COPIED_SUFFIXES):
        return False
    return in_user_files or not name.startswith(".")


# --- run statuses ----------------------------------------------------------------------------
Status = Literal["running", "finished", "failed", "interrupted", "crashed"]
RUNNING: Status = "running"
FINISHED: Status = "finished"
FAILED: Status = "failed"
INTERRUPTED: Status = "interrupted"
# Never written: a reader derives it for a run whose heartbeat went stale.
CRASHED: Status = "crashed"
FINAL_STATUSES = frozenset({FINISHED, FAILED, INTERRUPTED})
ALL_STATUSES = (RUNNING, FINISHED, FAILED, INTERRUPTED, CRASHED)

HEARTBEAT_INTERVAL_S = 10.0
# A running run whose heartbeat (or, for runs without one, last file write) is older than this
# is reported as crashed.
STALE_AFTER_S = 120.0


# --- meta / status / summary keys -------------------------------------------------------------
class GitData(TypedDict, total=False):
    commit: str
    branch: str | None
    dirty: bool
    remote: str | None  # credentials stripped
    untracked: list[str]  # files git does not track and does not ignore (at most GIT_MAX_UNTRACKED)


GIT_MAX_UNTRACKED = 1000


class MetaData(TypedDict, total=False):
    id: str
    project: str
    name: str
    path: str  # "project/name", as the PyPI package 0.6+ writes it
    created_at: float
    hostname: str
    pid: int
    user: str | None
    python: str
    platform: str
    argv: list[str]
    cwd: str
    tags: list[str]
    notes: str | None
    git: GitData | None
    format_version: int
    storage_dir: str


def new_meta(run_id: str, project: str, name: str, created_at: float) -> MetaData:
    """What every writer's meta.json starts with: the run's id, project, name and ``path``
    (``project/name``), when it was made, and the format version it is written in."""
    return MetaData(
        id=run_id,
        project=project,
        name=name,
        path=f"{project}/{name}",
        created_at=created_at,
        format_version=FORMAT_VERSION,
    )


class StatusData(TypedDict, total=False):
    status: str
    started_at: float
    ended_at: float
    heartbeat_at: float
    exit_reason: str
    error: str  # one line; the traceback is in TRACEBACK_FILE
    dropped: dict[str, int]  # values dropped by the SDK, per key
    lost_events: int  # events the SDK could not write (full disk etc.)
    exit_code: int  # the process's exit status when the run was ended by the process ending


TAGS_KEY = "tags"  # in meta.json
STATUS_KEY = "status"
STARTED_AT_KEY = "started_at"
ENDED_AT_KEY = "ended_at"
HEARTBEAT_KEY = "heartbeat_at"
EXIT_CODE_KEY = "exit_code"  # the exit status of the process (or wrapped command) that ended the run


# --- runs recorded by `runicorn run` (runicorn/launch) ------------------------------------------
# All additive: a reader that knows none of these still reads such a run.
LAUNCHER = "runicorn run"  # meta "launcher" of a run recorded by the command wrapper
EXIT_CODE_KEY = "exit_code"
TIMEOUT_REASON = "timeout"  # status "reason" of a command stopped by --timeout
EARLY_STOP_REASON = "early_terminate"  # status "reason" of a sweep trial stopped by its sweep's rule
TIMEOUT_EXIT_CODE = 124  # what `runicorn run` (like coreutils' timeout) exits with then


class LaunchMetaData(MetaData, total=False):
    """meta.json of a run recorded by ``runicorn run``: the command it ran."""

    command: list[str]  # the command's argv, as given after `runicorn run`
    launcher: str  # LAUNCHER


# --- runs written through runicorn.wandb (docs/wandb.md) -----------------------------------------
# All additive: a reader that knows none of these still reads such a run.
class MetricDefinition(TypedDict, total=False):
    """One ``define_metric`` of a run, under meta.json ``metrics`` keyed by the metric's name
    (a key as logged, a dotted nested key ``a.b`` for ``a/b``, or a glob such as ``val/*``)."""

    step_metric: str  # the metric this one is drawn against by default (its x axis)
    summary: list[str]  # what summary.json keeps of it: min, max, mean, last, first, best, none, copy
    goal: str  # "minimize" | "maximize"
    hidden: bool  # not drawn by default
    step_sync: bool


METRIC_DEFINITIONS_KEY = "metrics"  # in meta.json: {name: MetricDefinition}
METRIC_GOAL_KEY = "goal"  # in a MetricDefinition: which way is better, one of METRIC_GOALS
METRIC_STEP_KEY = "step_metric"  # in a MetricDefinition: the metric it is drawn against
METRIC_GOALS = ("minimize", "maximize")


WANDB_FIELDS_KEY = "wandb"  # in meta.json: WandbRunFields


class WandbRunFields(TypedDict, total=False):
    """W&B's run fields that only W&B's tools read (meta.json's ``wandb``)."""

    pinned_keys: list[str]  # run.pin_config_keys(...): the config keys shown first
    preempting: bool  # run.mark_preempting() was called
    code_artifact: str  # run.log_code(): the artifact holding the source


class WandbMetaData(MetaData, total=False):
    """meta.json of a run written through ``runicorn.wandb``: W&B's run fields with no Runicorn twin."""

    metrics: dict[str, MetricDefinition]  # METRIC_DEFINITIONS_KEY
    group: str  # wandb.init(group=...)
    job_type: str  # wandb.init(job_type=...)
    display_name: str  # wandb.init(name=...) as given, when it could not name a folder as it is
    wandb: WandbRunFields  # WANDB_FIELDS_KEY


class LaunchStatusData(StatusData, total=False):
    """status.json of a run recorded by ``runicorn run``: how the command ended."""

    exit_code: int  # the command's exit status (128 + N when signal N ended it; 124 on timeout)
    signal: str  # the signal that ended the command, e.g. "SIGKILL"
    reason: (
        str  # why the wrapper ended it: TIMEOUT_REASON, EARLY_STOP_REASON, or "SIGINT"/"SIGTERM" it received
    )
    attempts: int  # attempts started so far (1 + retries used)


# The hand-off from `runicorn run` to a command that calls rn.init (runicorn/sdk/guest.py): the
# run folder to write into, its id, and the file descriptor of a pipe taking its event lines.
RUN_DIR_ENV = "RUNICORN_RUN_DIR"
RUN_ID_ENV = "RUNICORN_RUN_ID"
EVENTS_FD_ENV = "RUNICORN_EVENTS_FD"
# In a container (an agent's Docker job), a FIFO under the storage root stands for the pipe: its
# path instead of a file descriptor (runicorn/launch/container_command.py).
EVENTS_FIFO_ENV = "RUNICORN_EVENTS_FIFO"


# --- JSON files ------------------------------------------------------------------------------
def read_json(path: Path) -> dict[str, Any] | None:
    """A run's JSON file as a dict; None when missing, unreadable, broken or not an object."""
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return None
    return loads_json_object(raw)


def loads_json_object(raw: bytes) -> dict[str, Any] | None:
    """The bytes of a run's JSON file as a dict; None when broken or not an object."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        try:  # files written by Python's json may hold NaN / Infinity tokens
            value = json.loads(raw.decode("utf-8", errors="replace"))
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def dumps_json_file(value: dict[str, Any]) -> bytes:
    """Pretty JSON for meta/status/summary/config; NaN and infinities as bare tokens."""
    try:
        data = orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY)
        if b"null" not in data or not has_non_finite(value):
            return data + b"\n"
    except TypeError:
        pass
    return (json.dumps(value, indent=2, default=str, allow_nan=True) + "\n").encode()


def has_non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(has_non_finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_non_finite(v) for v in value)
    return False


# --- logs.txt --------------------------------------------------------------------------------
def console_line(text: str, now: float) -> str:
    """A captured console line as the PyPI package writes it: ``[HH:MM:SS] text``."""
    return f"[{time.strftime('%H:%M:%S', time.localtime(now))}] {text}\n"


def text_line(text: str, now: float) -> str:
    """A ``log_text`` line as the PyPI package writes it: ``HH:MM:SS | text``."""
    return f"{time.strftime('%H:%M:%S', time.localtime(now))} | {text}\n"


# --- git -------------------------------------------------------------------------------------
_URL_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")


def strip_url_credentials(url: str) -> str:
    """``https://user:token@host/x.git`` -> ``https://host/x.git``."""
    return _URL_CREDENTIALS.sub("", url)
