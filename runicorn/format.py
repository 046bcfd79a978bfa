"""The on-disk run format: Runicorn's contract with its users.

Every file name, JSON key and line encoding of a run directory is spelled here and nowhere
else. The SDK writes through this module; the store, viewer, SSH mirror and archive code read
through it. ``docs/format.md`` documents the same contract for people. One exception, named
here but laid out beside the decoding it stores: ``events.columns``, an optional copy of
``events.jsonl`` already decoded (runicorn/store/frames.py). It is never the record of truth:
readers check it against ``events.jsonl`` and can always do without it.

A run lives in ``<root>/<project>/<name>/runs/<run_id>/``. Runs written by the PyPI Runicorn
package 0.2 - 0.7 also live in ``<root>/runs/<run_id>/`` and ``<root>/runs/<path...>/<run_id>/``;
:func:`locate_run` understands all three layouts.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypedDict

import orjson

FORMAT_VERSION = 1

# --- file and folder names -------------------------------------------------------------------
RUNS_DIR = "runs"
META_FILE = "meta.json"
STATUS_FILE = "status.json"
SUMMARY_FILE = "summary.json"
CONFIG_FILE = "config.json"
EVENTS_FILE = "events.jsonl"
# events.jsonl's blocks already decoded, written by the SDK beside it: binary frames laid out by
# runicorn.store.frames. Only a speed-up: readers check each frame against events.jsonl.
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
# Where an import stages an archive inside the storage root before moving runs into place.
IMPORT_STAGING_DIR = ".importing"
# Where ``runicorn rm`` moves runs inside the storage root: ``<TRASH_DIR>/<entry>/`` holds the run
# folder (named by its id) and a TRASH_RECORD_FILE saying where it came from. Never scanned,
# exported or mirrored.
TRASH_DIR = ".trash"
TRASH_RECORD_FILE = "trashed.json"
# Where sweeps keep their state inside the storage root (see "sweeps" below). Never scanned for runs.
SWEEPS_DIR = ".sweeps"
# In the storage root: the artifact store (content-addressed blobs, versioned manifests; see the
# "artifact store" section below and docs/artifacts.md). Never scanned, exported or mirrored.
ARTIFACTS_DIR = ".artifacts"
# In the storage root: the job service's state (``runicorn agent``, see "job queue" below). Never
# scanned, exported or mirrored.
AGENT_DIR = ".agent"
# Folders the PyPI package keeps beside its runs that are never runs of their own, and ours.
IGNORED_DIR_NAMES = frozenset(
    {
        ".recycle",
        "archive",
        MEDIA_DIR,
        "__pycache__",
        IMPORT_STAGING_DIR,
        TRASH_DIR,
        SWEEPS_DIR,
        ARTIFACTS_DIR,
        AGENT_DIR,
    }
)
# Temporary files the SDK writes before an atomic rename; readers and copiers skip them.
TEMP_SUFFIX = ".tmp"
# Empty lock files the PyPI package leaves beside its JSON files; copiers skip them.
LOCK_SUFFIX = ".lock"
# The lock a writing process holds (fcntl.flock) on this file in its run folder for the life of the
# run, so a second process cannot attach to the run at the same time. It holds the holder's
# "<pid>@<host>" as text. It ends in LOCK_SUFFIX: readers, the SSH mirror and archives skip it.
RUN_LOCK_FILE = "run" + LOCK_SUFFIX
# File name endings that readers skip and copiers (SSH mirror, archive export) never copy.
NOT_COPIED_SUFFIXES = (TEMP_SUFFIX, LOCK_SUFFIX)
# In the storage root: the SSH mirrors to resume and which run folders each server owns (no secrets).
MIRRORS_FILE = "mirrors.json"

DEFAULT_PROJECT = "default"
DEFAULT_NAME = "default"

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

# --- event records ---------------------------------------------------------------------------
METRICS: Literal["metrics"] = "metrics"
IMAGE: Literal["image"] = "image"
SYSTEM: Literal["system"] = "system"
# One ``rn.alert`` call (added in format 1 without a version change: readers skip kinds they do
# not know, so older viewers simply do not show alerts).
ALERT: Literal["alert"] = "alert"
# Added with the W&B data types (runicorn/sdk/media_kinds.py); readers that predate them skip them.
HISTOGRAM: Literal["histogram"] = "histogram"
TABLE: Literal["table"] = "table"
AUDIO: Literal["audio"] = "audio"
VIDEO: Literal["video"] = "video"
HTML: Literal["html"] = "html"
# One ``rn.log_checkpoint`` call (added in format 1 without a version change; readers skip it).
CHECKPOINT: Literal["checkpoint"] = "checkpoint"
RECORD_KINDS = (METRICS, IMAGE, SYSTEM, ALERT, HISTOGRAM, TABLE, AUDIO, VIDEO, HTML, CHECKPOINT)
# Kinds whose record names a file under media/ (its ``path``), written before the record.
MEDIA_FILE_KINDS = (IMAGE, TABLE, AUDIO, VIDEO, HTML)
# Kinds the store reads apart from the metric columns (runicorn/store/media_records.py).
EXTRA_MEDIA_KINDS = (HISTOGRAM, TABLE, AUDIO, VIDEO, HTML)

# Reserved keys inside the ``data`` of a metrics record.
STEP_KEY = "global_step"
TIME_KEY = "time"
STAGE_KEY = "stage"
RESERVED_METRIC_KEYS = frozenset({STEP_KEY, TIME_KEY, STAGE_KEY})


class MetricsData(TypedDict, total=False):
    """``data`` of a ``metrics`` record: metric keys to numbers, plus the reserved keys."""

    global_step: int
    time: float
    stage: str


class ImageData(TypedDict, total=False):
    key: str
    path: str  # relative to the run directory, always under media/
    step: int
    caption: str | None


class HistogramData(TypedDict, total=False):
    """``data`` of a ``histogram`` record: ``len(edges) == len(counts) + 1``, edges ascending."""

    key: str
    step: int
    edges: list[float]
    counts: list[float]  # whole numbers from the SDK; TensorBoard's may be fractional
    dropped: int  # NaN and infinite values left out of the counts (present when > 0)


# A histogram record holds at most this many bins (its line stays a few KB).
MAX_HISTOGRAM_BINS = 512


class TableData(TypedDict, total=False):
    """``data`` of a ``table`` record; the rows are in the file at ``path``."""

    key: str
    step: int
    path: str  # media/..., a TABLE_SUFFIX file: {"columns": [...], "data": [[...], ...]}
    columns: list[str]
    rows: int  # rows in the file
    rows_dropped: int  # rows past MAX_TABLE_ROWS left out (present when > 0)


TABLE_SUFFIX = ".table.json"
TABLE_COLUMNS_KEY = "columns"
TABLE_DATA_KEY = "data"
MAX_TABLE_ROWS = 100_000
MAX_TABLE_COLUMNS = 1000


class MediaFileData(TypedDict, total=False):
    """``data`` of an ``audio``, ``video`` or ``html`` record."""

    key: str
    step: int
    path: str  # media/...
    caption: str | None
    sample_rate: int  # audio written from an array
    fps: float  # video written from an array


AUDIO_SUFFIXES = (".wav", ".mp3", ".ogg", ".flac")
VIDEO_SUFFIXES = (".mp4", ".webm", ".gif")
HTML_SUFFIX = ".html"


class SystemData(TypedDict, total=False):
    """``data`` of a ``system`` record: flat keys such as ``cpu/percent``, ``gpu0/util_percent``."""

    time: float


ALERT_LEVELS = ("info", "success", "warning", "error")
ALERT_TITLE_MAX_CHARS = 200
ALERT_TEXT_MAX_CHARS = 4000


class AlertData(TypedDict):
    """``data`` of an ``alert`` record: what ``rn.alert`` was given, at the run's current step."""

    title: str  # at most ALERT_TITLE_MAX_CHARS
    text: str  # at most ALERT_TEXT_MAX_CHARS
    level: str  # one of ALERT_LEVELS
    step: int  # the run's last logged step when the alert was raised (0 before any)


class CheckpointData(TypedDict):
    """``data`` of a ``checkpoint`` record: a model checkpoint the run saved (``rn.log_checkpoint``)."""

    path: str  # as the script gave it; absolute when it gave a relative path (resolved in its cwd)
    step: int  # the step given, else the run's last logged step (0 before any)


# The checkpoint a job resumes from (``runicorn agent``): read by ``rn.resume_checkpoint()``.
RESUME_FROM_ENV = "RUNICORN_RESUME_FROM"


class Event(TypedDict):
    ts: float
    type: str
    data: dict[str, Any]


# System metric keys (flat, so charts treat them like any metric).
SYSTEM_CPU_PERCENT = "cpu/percent"
SYSTEM_RAM_USED_BYTES = "ram/used_bytes"
SYSTEM_RAM_TOTAL_BYTES = "ram/total_bytes"
GPU_FIELDS = ("util_percent", "mem_used_bytes", "mem_total_bytes", "temp_c", "power_w")


def gpu_key(index: int, field: str) -> str:
    """The system-record key of one GPU field, e.g. ``gpu0/util_percent``."""
    return f"gpu{index}/{field}"


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


class WandbMetaData(MetaData, total=False):
    """meta.json of a run written through ``runicorn.wandb``: W&B's run fields with no Runicorn twin."""

    metrics: dict[str, MetricDefinition]  # METRIC_DEFINITIONS_KEY
    group: str  # wandb.init(group=...)
    job_type: str  # wandb.init(job_type=...)
    display_name: str  # wandb.init(name=...) as given, when it could not name a folder as it is


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
# Each line on that pipe starts with one of these bytes: the rest is an events.jsonl line, or a
# logs.txt line.
GUEST_EVENT_LINE = b"e"
GUEST_LOG_LINE = b"l"


# --- job queue (runicorn/agent) ---------------------------------------------------------------
# ``runicorn agent`` keeps its queue in ``<root>/<AGENT_DIR>/<JOBS_DB_FILE>``, an SQLite database in
# WAL mode (the viewer opens it read-only), and holds ``<AGENT_LOCK_FILE>`` locked (flock) for its
# life, with its "<pid>@<host>" inside, so that one agent at a time serves a root. Each attempt's
# own output (the wrapper's messages; the command's console is in the run's logs.txt) goes to
# ``<ATTEMPTS_DIR>/<job>.<attempt>.log`` and its exit status, written when it ends, to
# ``<job>.<attempt>.exit``: an agent restarted after ``kill -9`` learns there how an attempt
# it did not see end went.
JOBS_DB_FILE = "jobs.db"
SQLITE_WAL_SUFFIX = "-wal"  # beside JOBS_DB_FILE while an agent has it open (SQLite's name)
AGENT_LOCK_FILE = "agent" + LOCK_SUFFIX
ATTEMPTS_DIR = "attempts"
JOB_ID_PATTERN = re.compile(r"^[0-9a-f]{12}\Z")

JOB_PENDING = "pending"
JOB_RUNNING = "running"
JOB_SUCCEEDED = "succeeded"
JOB_FAILED = "failed"
JOB_CANCELLED = "cancelled"
JOB_STATUSES = (JOB_PENDING, JOB_RUNNING, JOB_SUCCEEDED, JOB_FAILED, JOB_CANCELLED)
JOB_FINAL_STATUSES = (JOB_SUCCEEDED, JOB_FAILED, JOB_CANCELLED)
# Set in every attempt's environment, so that a process on a GPU can be told to be one of ours.
AGENT_JOB_ENV = "RUNICORN_AGENT_JOB"

JOBS_SCHEMA_VERSION = 2  # PRAGMA user_version of the database
# Times are Unix seconds; JSON columns hold JSON text. ``spec`` is the job as submitted (since
# version 2 with ``executor``: process, docker or slurm). ``detail`` (version 2) is the executor's
# last word on the attempt: Slurm's pending reason, the node it runs on.
JOBS_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    run_id TEXT NOT NULL,
    spec TEXT NOT NULL,
    gpus_wanted INTEGER NOT NULL DEFAULT 0,
    gpu_ids TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    max_retries INTEGER NOT NULL DEFAULT 0,
    retry_delay_s REAL NOT NULL DEFAULT 0,
    not_before REAL NOT NULL DEFAULT 0,
    resume_from TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    handle TEXT,
    container_id TEXT,
    exit_code INTEGER,
    error TEXT,
    created_at REAL NOT NULL,
    first_started_at REAL,
    started_at REAL,
    ended_at REAL,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, seq);
CREATE INDEX IF NOT EXISTS jobs_project ON jobs (project, seq);
CREATE TABLE IF NOT EXISTS projects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    spec TEXT NOT NULL,
    created_at REAL NOT NULL
);
"""
# What brings a queue written at version N - 1 up to N (additive only).
JOBS_MIGRATIONS = {2: "ALTER TABLE jobs ADD COLUMN detail TEXT"}


# --- sweeps (runicorn/sweep) -------------------------------------------------------------------
# A sweep lives in ``<root>/<SWEEPS_DIR>/<sweep_id>/``: SWEEP_FILE (its configuration), one
# ``<SWEEP_TRIALS_DIR>/<index>.json`` per trial handed out, and SWEEP_LOCK_FILE, locked (flock)
# while a trial is handed out so that several processes on one machine never take the same one.
# Its trials are ordinary runs, tagged with the sweep id. Readers of runs never look inside.
SWEEP_FILE = "sweep.json"
SWEEP_TRIALS_DIR = "trials"
SWEEP_LOCK_FILE = "sweep" + LOCK_SUFFIX
SWEEP_ID_PATTERN = re.compile(r"^[a-z0-9]{8}\Z")
# What a trial's command is started with (``runicorn sweep run``), read by ``wandb.init``.
SWEEP_ID_ENV = "RUNICORN_SWEEP_ID"
SWEEP_TRIAL_ENV = "RUNICORN_SWEEP_TRIAL"  # the trial's index
SWEEP_PARAMS_ENV = "RUNICORN_SWEEP_PARAMS"  # the trial's parameters, a JSON object
WANDB_SWEEP_ID_ENV = "WANDB_SWEEP_ID"  # also set, for programs that look for W&B's name
TRIAL_RUNNING = "running"
TRIAL_FINISHED = "finished"
TRIAL_FAILED = "failed"
TRIAL_STOPPED = "stopped"  # ended early by the sweep's early_terminate rule (added within format 1)
TRIAL_STATUSES = (TRIAL_RUNNING, TRIAL_FINISHED, TRIAL_FAILED, TRIAL_STOPPED)


class SweepData(TypedDict, total=False):
    """SWEEP_FILE."""

    id: str
    project: str
    created_at: float
    seed: int  # the random and bayes searches draw from it: the same seed, the same trials
    config: dict[str, Any]  # the sweep configuration as given (W&B's shape; docs/sweeps.md)


class TrialData(TypedDict, total=False):
    """``<SWEEP_TRIALS_DIR>/<index>.json``: one trial."""

    index: int  # 0, 1, 2 ... in the order handed out; the file is named ``%05d.json``
    params: dict[str, Any]
    status: str  # TRIAL_STATUSES
    started_at: float
    ended_at: float
    run_id: str | None
    run_path: str | None  # the run folder, relative to the storage root, "/"-separated
    metric: float | None  # the sweep's metric read from the run at its end


def trial_file_name(index: int) -> str:
    return f"{index:05d}.json"


# --- runs imported from TensorBoard event files (runicorn/archive/tensorboard_import.py) ---------
TENSORBOARD_SOURCE = "tensorboard"  # ImportSource "kind" of such a run


class SourceFile(TypedDict):
    path: str  # relative to the TensorBoard log directory, "/"-separated
    size: int


class ImportSource(TypedDict):
    """meta.json "source" of an imported run: what it was made from, so a second import of the
    same files finds it."""

    kind: str  # TENSORBOARD_SOURCE
    run_dir: str  # the run directory relative to the log directory ("." for the log directory)
    files: list[SourceFile]  # in the order they were read
    digest: str  # sha256 over the files' paths and sizes


class ImportedMetaData(MetaData, total=False):
    source: ImportSource


def import_source_digest(meta: dict[str, Any] | None) -> str | None:
    """The ``source`` digest of an imported run's meta.json; None for a run not imported."""
    source = meta.get("source") if meta else None
    digest = source.get("digest") if isinstance(source, dict) else None
    return digest if isinstance(digest, str) else None


def import_source_run_dir(meta: dict[str, Any] | None) -> str | None:
    """The ``source`` run directory of an imported run's meta.json; None for a run not imported."""
    source = meta.get("source") if meta else None
    run_dir = source.get("run_dir") if isinstance(source, dict) else None
    return run_dir if isinstance(run_dir, str) else None


# --- run ids ---------------------------------------------------------------------------------
RUN_ID_PATTERN = re.compile(r"^\d{8}_\d{6}_[0-9a-f]{6}\Z")
# What any run id (ours, the PyPI package's, a user's own) may contain: no separators, no dots
# at the start, so an id can never name a path outside its folder.
SAFE_ID_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}\Z")


_issued_ids: tuple[str, set[str]] = ("", set())  # the second of the last id, the ids given in it
_issued_lock = threading.Lock()


def new_run_id(now: float | None = None) -> str:
    """``YYYYMMDD_HHMMSS_`` in local time plus 6 hex characters of a uuid4.

    Never the same id twice in one process (6 hex characters alone collide now and then when
    thousands of ids are drawn in one second); ids from other processes can still meet, which
    the SDK handles when it creates the run folder.
    """
    global _issued_ids
    stamp = time.strftime("%Y%m%d_%H%M%S", time.localtime(time.time() if now is None else now))
    with _issued_lock:
        if _issued_ids[0] != stamp:
            _issued_ids = (stamp, set())
        issued = _issued_ids[1]
        while True:
            run_id = f"{stamp}_{uuid.uuid4().hex[:6]}"
            if run_id not in issued:
                issued.add(run_id)
                return run_id


def is_safe_id(value: str) -> bool:
    """True when ``value`` can name a run, project or experiment folder without escaping it."""
    return bool(SAFE_ID_PATTERN.fullmatch(value)) and value not in (".", "..")


def is_safe_place(project: str, name: str) -> bool:
    """True when ``project`` and ``name`` (whose ``/`` separates nested experiment folders) can
    name folders under a storage root without escaping it."""
    return is_safe_id(project) and all(is_safe_id(part) for part in name.split("/"))


def run_dir(root: Path, project: str, name: str, run_id: str) -> Path:
    """Where the SDK puts a run: ``<root>/<project>/<name>/runs/<run_id>``."""
    return Path(root) / project / name / RUNS_DIR / run_id


# --- layouts ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunLocation:
    """Where a run folder sits under a storage root, and which project/name that means."""

    path: Path
    project: str
    name: str
    run_id: str
    layout: Literal["project_name", "legacy_flat", "legacy_path"]


def is_run_dir(path: Path) -> bool:
    return any((path / marker).is_file() for marker in RUN_MARKER_FILES)


def locate_run(root: Path, path: Path) -> RunLocation | None:
    """Interpret a run folder ``path`` below ``root`` by its position, in any known layout.

    - ``<project>/<name>/runs/<id>``  (ours, and the PyPI package 0.2 - 0.5)
    - ``runs/<id>``                   (the PyPI package, oldest)
    - ``runs/<seg>/.../<id>``         (the PyPI package 0.6 - 0.7: project = first segment,
                                       name = the other segments joined by ``/``)
    """
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return None
    if len(parts) < 2 or any(p in IGNORED_DIR_NAMES for p in parts):
        return None
    run_id = parts[-1]
    if len(parts) == 4 and parts[2] == RUNS_DIR and parts[0] != RUNS_DIR:
        return RunLocation(path, parts[0], parts[1], run_id, "project_name")
    if parts[0] != RUNS_DIR:
        return None
    if len(parts) == 2:
        return RunLocation(path, DEFAULT_PROJECT, DEFAULT_NAME, run_id, "legacy_flat")
    segments = parts[1:-1]
    name = "/".join(segments[1:]) if len(segments) > 1 else DEFAULT_NAME
    return RunLocation(path, segments[0], name, run_id, "legacy_path")


def run_dirs_with_id(root: Path, run_id: str) -> list[Path]:
    """Every run folder named ``run_id`` under ``root``, in the layouts :func:`locate_run` knows
    (a few globs: ``<project>/<name>/runs/<id>``, ``runs/<id>``, ``runs/.../<id>``)."""
    root = Path(root)
    found = set(root.glob(f"*/*/{RUNS_DIR}/{run_id}"))
    if (root / RUNS_DIR).is_dir():
        found.update(root.glob(f"{RUNS_DIR}/**/{run_id}"))
    return sorted(p for p in found if locate_run(root, p) is not None and p.is_dir())


def project_name_from_meta(meta: dict[str, Any]) -> tuple[str, str] | None:
    """Project and name a run's ``meta.json`` records: ours (``project``/``name``) or the PyPI
    package 0.6+ (``path`` = ``"project/seg/..."``). None when it records neither."""
    project, name = meta.get("project"), meta.get("name")
    if isinstance(project, str) and project and isinstance(name, str) and name:
        return project, name
    path = meta.get("path")
    if isinstance(path, str) and path.strip("/"):
        segments = [s for s in path.strip("/").split("/") if s]
        return segments[0], "/".join(segments[1:]) or DEFAULT_NAME
    return None


# --- the trash ------------------------------------------------------------------------------
class TrashRecord(TypedDict):
    """``TRASH_RECORD_FILE`` of one trash entry."""

    run_id: str
    relpath: str  # the run folder's place under the storage root, "/"-separated
    trashed_at: float


TRASH_ENTRY_SEPARATOR = "__"


def trash_entry_name(run_id: str, now: float) -> str:
    """``<run_id>__YYYYMMDD_HHMMSS_<microseconds>`` (local time): one trash entry's folder name."""
    stamp = time.strftime("%Y%m%d_%H%M%S", time.localtime(now))
    return f"{run_id}{TRASH_ENTRY_SEPARATOR}{stamp}_{int(now % 1 * 1e6):06d}"


# --- export archives -------------------------------------------------------------------------
# The manifest ``runicorn export`` writes at the top of every archive.
MANIFEST_FILE = "runicorn-manifest.json"
MANIFEST_VERSION = 1


class ManifestFile(TypedDict):
    path: str  # relative to the run folder, "/"-separated
    size: int
    sha256: str


class ManifestRun(TypedDict):
    id: str
    project: str
    name: str
    path: str  # the run folder relative to the archive top, "/"-separated
    files: list[ManifestFile]


class Manifest(TypedDict):
    manifest_version: int
    format_version: int
    created_at: float
    runs: list[ManifestRun]


# --- runs in an object store (runicorn/sync, docs/sync.md) ------------------------------------
# A bucket holds each run under ``<prefix>/<run path>/`` (the run path as under a storage root,
# e.g. ``demo/exp1/runs/<id>``): an object store cannot append, so
#   segments/<file>.<n>   sealed pieces of an append-only file (whole lines, whole frames for
#                         events.columns), numbered from 0, uploaded once and never rewritten
#   objects/<relpath>     every other file of the run as a whole object (meta/status/... JSON,
#                         media, git diff), replaced whole when it changes
#   manifest.json         BucketManifest, written last: a reader trusts nothing it does not list
BUCKET_FORMAT_VERSION = 1
BUCKET_MANIFEST_FILE = "manifest.json"
BUCKET_SEGMENTS_DIR = "segments"
BUCKET_OBJECTS_DIR = "objects"
# The keys of BucketManifest and its parts, for code that reads them by name.
BUCKET_VERSION_KEY = "format_version"
BUCKET_INLINE_KEY = "inline"
# A JSON file of REWRITTEN_FILES up to this size is also carried inside the manifest (additive).
BUCKET_INLINE_MAX_BYTES = 64 * 1024


def bucket_segment_name(file: str, n: int) -> str:
    """``segments/<file>.<n>``, relative to the run's prefix."""
    return f"{BUCKET_SEGMENTS_DIR}/{file}.{n}"


def bucket_object_name(relpath: str) -> str:
    """``objects/<relpath>``, relative to the run's prefix."""
    return f"{BUCKET_OBJECTS_DIR}/{relpath}"


class BucketSegment(TypedDict):
    """One sealed segment: bytes ``offset .. offset + size`` of its append-only file."""

    n: int
    offset: int
    size: int
    sha256: str


class _BucketObjectFields(TypedDict):
    size: int
    sha256: str
    mtime: float


class BucketObject(_BucketObjectFields, total=False):
    """One whole file: its size and sha256, and its mtime (seconds) in the run it came from.
    ``inline``: for a JSON file of REWRITTEN_FILES of at most BUCKET_INLINE_MAX_BYTES, its text
    (UTF-8) as well, so that one read of the manifest gives a reader the run's JSON files; the
    object is uploaded all the same, and a reader without the copy (or one whose sha256 does not
    match) reads the object."""

    inline: str


class BucketManifest(TypedDict):
    format_version: int  # BUCKET_FORMAT_VERSION; a newer one is refused by name, never misread
    path: str  # the run folder under its storage root, "/"-separated
    run_id: str
    synced_at: float
    segments: dict[str, list[BucketSegment]]  # APPEND_ONLY_FILES name -> its segments, in order
    objects: dict[str, BucketObject]  # relpath -> the whole file


# ``<prefix>/.runs-index.json.gz``: gzip-compressed JSON of BucketIndex, copies of the manifests of
# the prefix's ended runs, so a reader gets many runs from one request (added within bucket format 1).
# A hint, never the truth: a reader uses a copy only when the listing shows that run's manifest with
# the copy's ``etag``, and reads the manifest otherwise. The name starts with "." so that no run
# path (a project folder is never a dot folder) can clash with it.
BUCKET_INDEX_FILE = ".runs-index.json.gz"
BUCKET_INDEX_VERSION = 1
BUCKET_INDEX_MAX_BYTES = 256 * 1024 * 1024  # decompressed; a reader refuses a larger index


class BucketIndexEntry(TypedDict):
    etag: str  # the MD5 (hex) of the manifest.json bytes copied: the ETag a listing shows for them
    manifest: BucketManifest


class BucketIndex(TypedDict):
    format_version: int  # BUCKET_INDEX_VERSION; a reader that knows an older one ignores the index
    written_at: float
    runs: dict[str, BucketIndexEntry]  # run path -> the copy of its manifest


# --- the artifact store --------------------------------------------------------------------
# ``<root>/.artifacts/`` holds:
#   blobs/<sha256[:2]>/<sha256>          a file's bytes, stored once whatever name or run it came from
#   names/<name>/versions/v<N>.json       one version: ArtifactVersionData, written once
#   names/<name>/aliases.json             {"latest": "v3", "best": "v1"}: ArtifactAliasesData, rewritten
#   names/<name>/versions.lock            held (fcntl.flock) while a version is numbered or aliases move
# ``<name>`` is a safe id (:func:`is_safe_id`); versions are numbered from 0 per name; a version's
# ``digest`` is the sha256 of its manifest's canonical form (:func:`artifact_digest`), so identical
# content logged under one name is one version, whichever run logs it.
ARTIFACT_BLOBS_DIR = "blobs"
ARTIFACT_NAMES_DIR = "names"
ARTIFACT_VERSIONS_DIR = "versions"
ARTIFACT_ALIASES_FILE = "aliases.json"
ARTIFACT_LOCK_FILE = "versions" + LOCK_SUFFIX
ARTIFACT_VERSION_PATTERN = re.compile(r"^v(0|[1-9][0-9]{0,8})\Z")
LATEST_ALIAS = "latest"


class ArtifactEntryData(TypedDict, total=False):
    """One file of an artifact's manifest. A stored file has ``sha256`` (its blob) and ``size``; a
    reference has ``ref`` (a path or URL kept as it is) and, for a local file, ``sha256`` and ``size``
    as they were when it was logged."""

    path: str  # inside the artifact, "/"-separated, no "." or ".." parts
    sha256: str
    size: int
    ref: str


class ArtifactVersionData(TypedDict, total=False):
    name: str
    type: str
    version: str  # "v0", "v1", ...
    digest: str  # sha256 of the canonical manifest
    description: str | None
    metadata: dict[str, Any]
    created_at: float
    created_by: str | None  # the run folder (relative to the storage root) that first logged it
    entries: list[ArtifactEntryData]


ArtifactAliasesData = dict[str, str]  # alias -> version


class ArtifactLinkData(TypedDict, total=False):
    """One line of a run's ``artifacts.json``: a version the run logged or used."""

    name: str
    version: str
    digest: str
    type: str
    aliases: list[str]  # the aliases the run gave (logged) or asked for (used)
    at: float


class ArtifactLinks(TypedDict):
    logged: list[ArtifactLinkData]
    used: list[ArtifactLinkData]


LOGGED_KEY = "logged"
USED_KEY = "used"


def artifact_digest(entries: list[ArtifactEntryData]) -> str:
    """The sha256 naming an artifact's content: its entries sorted by path, each as
    ``path``, ``sha256``, ``size`` and ``ref`` (missing ones empty), one JSON array per line."""
    h = hashlib.sha256()
    for entry in sorted(entries, key=lambda e: e["path"]):
        row = [entry["path"], entry.get("sha256", ""), entry.get("size", -1), entry.get("ref", "")]
        h.update(json.dumps(row, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n")
    return h.hexdigest()


def is_safe_artifact_path(path: str) -> bool:
    """True when ``path`` can name a file inside an artifact: relative, "/"-separated, no empty,
    ``.`` or ``..`` part, no backslash or NUL."""
    if not path or path.startswith("/") or "\\" in path or "\x00" in path:
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def artifact_blob_relpath(sha256: str) -> str:
    """``blobs/<sha256[:2]>/<sha256>`` inside the artifact store."""
    return f"{ARTIFACT_BLOBS_DIR}/{sha256[:2]}/{sha256}"


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


# --- event lines -----------------------------------------------------------------------------
_dumps = orjson.dumps


def encode_event(kind: str, data: dict[str, Any], ts: float) -> bytes:
    """One ``events.jsonl`` line, newline included.

    orjson would write NaN and infinities as ``null``; those lines take Python's ``json`` so the
    bare tokens ``NaN``/``Infinity``/``-Infinity`` survive, as the PyPI package writes them.
    """
    # ``+ b"\n"`` rather than OPT_APPEND_NEWLINE: orjson >= 3.12 returns bytes that keep a ~4 KiB
    # buffer, and a queue of such lines holds 25 times their size; the copy is right-sized.
    line = _dumps({"ts": ts, "type": kind, "data": data}) + b"\n"
    if b"null" in line and has_non_finite(data):
        record = {"ts": ts, "type": kind, "data": data}
        line = json.dumps(record, allow_nan=True, separators=(",", ":")).encode() + b"\n"
    return line


def decode_event(line: bytes) -> dict[str, Any] | None:
    """One events line back into a record; None for a malformed line (caller counts it)."""
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        try:
            value = json.loads(line.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None
    if not isinstance(value, dict) or not isinstance(value.get("data"), dict):
        return None
    return value


def split_complete_lines(chunk: bytes) -> tuple[list[bytes], int]:
    """Complete lines of ``chunk`` and how many bytes they span (a trailing partial line is left)."""
    end = chunk.rfind(b"\n")
    if end < 0:
        return [], 0
    return [line for line in chunk[:end].split(b"\n") if line.strip()], end + 1


def metric_items(record: dict[str, Any]) -> dict[str, float]:
    """The numeric metrics of a metrics/system record's data, reserved keys left out."""
    out: dict[str, float] = {}
    for key, value in record["data"].items():
        if key in RESERVED_METRIC_KEYS or isinstance(value, bool):
            continue
        if isinstance(value, (int, float)):
            out[key] = value
    return out


# --- logs.txt --------------------------------------------------------------------------------
def console_line(text: str, now: float) -> str:
    """A captured console line as the PyPI package writes it: ``[HH:MM:SS] text``."""
    return f"[{time.strftime('%H:%M:%S', time.localtime(now))}] {text}\n"


def text_line(text: str, now: float) -> str:
    """A ``log_text`` line as the PyPI package writes it: ``HH:MM:SS | text``."""
    return f"{time.strftime('%H:%M:%S', time.localtime(now))} | {text}\n"


# --- media -----------------------------------------------------------------------------------
_MEDIA_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]+")


def media_relpath(key: str, now: float, suffix: str = ".png") -> str:
    """``media/<unix ms>_<6 hex>_<key><suffix>``, relative to the run folder, safe for any key."""
    safe_key = _MEDIA_KEY_UNSAFE.sub("_", key).strip("._")[:80] or "image"
    return f"{MEDIA_DIR}/{int(now * 1000)}_{uuid.uuid4().hex[:6]}_{safe_key}{suffix}"


# --- git -------------------------------------------------------------------------------------
_URL_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")


def strip_url_credentials(url: str) -> str:
    """``https://user:token@host/x.git`` -> ``https://host/x.git``."""
    return _URL_CREDENTIALS.sub("", url)
