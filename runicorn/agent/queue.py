"""The persistent job queue: an SQLite database (WAL) under the storage root (docs/agent.md#states).

A job's status changes only through the named :data:`TRANSITIONS`, one method of
:class:`JobQueue` each (:meth:`~JobQueue.start`, :meth:`~JobQueue.succeed`, ...). Each is one
``UPDATE`` guarded by the status it leaves (``... WHERE id = ? AND status = ?``), one statement
and so one transaction: when two actors try to move the same job (the scheduler starting it, a
client cancelling it), exactly one wins and the other learns it from the row count. The SQL of
each transition is here and nowhere else: its callers pass values, never SQL.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from runicorn import format as fmt
from runicorn.agent import queue_reads as job_reads
from runicorn.agent.job_spec import JobSpec
from runicorn.agent.private_files import create_private, private_folder, tighten
from runicorn.agent.queue_schema import JOBS_MIGRATIONS, JOBS_SCHEMA, JOBS_SCHEMA_VERSION
from runicorn.errors import ConfigError

BUSY_TIMEOUT_MS = 10_000
SQLITE_SIDE_FILES = (fmt.SQLITE_WAL_SUFFIX, "-shm", "-journal")  # SQLite's names beside the database

P, R = fmt.JOB_PENDING, fmt.JOB_RUNNING


@dataclass(frozen=True)
class Transition:
    leaves: tuple[str, ...]  # the statuses it moves a job from
    reaches: str
    also: str = ""  # what else it sets, over the row's own columns (``:name``: a value it is given)


TRANSITIONS: dict[str, Transition] = {
    "start": Transition(
        (P,), R, "attempts = attempts + 1, first_started_at = COALESCE(first_started_at, :started_at)"
    ),
    "succeed": Transition((R,), fmt.JOB_SUCCEEDED),
    "fail": Transition((R,), fmt.JOB_FAILED, "failures = failures + 1"),
    "cancel_running": Transition((R,), fmt.JOB_CANCELLED),
    # a failed attempt with retries left: back in the queue
    "retry": Transition((R,), P, "failures = failures + 1"),
    "cancel_pending": Transition((P,), fmt.JOB_CANCELLED),
    # `runicorn resume`: a new attempt of an ended job
    "resume": Transition(fmt.JOB_FINAL_STATUSES, P),
}
CANCELLED_ERROR = "cancelled"  # a cancelled job's error


@dataclass(frozen=True)
class AttemptEnd:
    """How an attempt ended, as its job keeps it: the exit code (None: it was lost, or killed
    before it gave one) and the executor's last word on it."""

    exit_code: int | None
    detail: str | None = None


@dataclass(frozen=True)
class QueuedJob:
    """What the scheduler needs of a job to start or watch it."""

    id: str
    project: str
    name: str
    run_id: str
    spec: JobSpec
    gpus_wanted: int
    attempts: int
    failures: int
    max_retries: int
    retry_delay_s: float
    not_before: float
    resume_from: str | None
    cancel_requested: bool
    gpu_ids: tuple[int, ...]
    handle: dict[str, Any] | None


_QUEUED_COLUMNS = (
    "id, project, name, run_id, spec, gpus_wanted, attempts, failures, max_retries, retry_delay_s, "
    "not_before, resume_from, cancel_requested, gpu_ids, handle"
)


def _queued(row: tuple[Any, ...]) -> QueuedJob:
    (job_id, project, name, run_id, spec, gpus, attempts, failures, retries, delay, not_before,
     resume_from, cancel, gpu_ids, handle) = row  # fmt: skip
    return QueuedJob(
        id=job_id,
        project=project,
        name=name,
        run_id=run_id,
        spec=JobSpec.from_json(orjson.loads(spec), project, name),
        gpus_wanted=gpus,
        attempts=attempts,
        failures=failures,
        max_retries=retries,
        retry_delay_s=delay,
        not_before=not_before,
        resume_from=resume_from,
        cancel_requested=bool(cancel),
        gpu_ids=tuple(orjson.loads(gpu_ids)) if gpu_ids else (),
        handle=orjson.loads(handle) if handle else None,
    )


def _attempt_fields(attempt: AttemptEnd | None) -> dict[str, Any]:
    return {} if attempt is None else {"exit_code": attempt.exit_code, "detail": attempt.detail}


def new_job_id() -> str:
    return secrets.token_hex(6)


class JobQueue:
    """The queue database of one storage root; thread-safe (one connection per thread)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.path = job_reads.jobs_db_path(self.root)
        private_folder(self.path.parent)
        # 0600 before SQLite opens it: SQLite gives its -wal and -shm files the database file's
        # mode; ones left from before with a looser mode are tightened
        create_private(self.path)
        for suffix in SQLITE_SIDE_FILES:
            tighten(self.path.with_name(self.path.name + suffix))
        self._local = threading.local()
        conn = self.conn()
        conn.execute("PRAGMA journal_mode = WAL")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > JOBS_SCHEMA_VERSION:
            raise ConfigError(
                f"{self.path} was written by a newer Runicorn (queue version {version})",
                "upgrade runicorn on this machine (pip install -U runicorn)",
            )
        fresh = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'jobs'").fetchone() is None
        conn.executescript(JOBS_SCHEMA)
        if not fresh:
            for step in range(max(version, 1) + 1, JOBS_SCHEMA_VERSION + 1):
                conn.executescript(
                    f"BEGIN IMMEDIATE; {JOBS_MIGRATIONS[step]}; PRAGMA user_version = {step}; COMMIT;"
                )
        conn.execute(f"PRAGMA user_version = {JOBS_SCHEMA_VERSION}")

    def conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA synchronous = NORMAL")
            self._local.conn = conn
        return conn

    # --- writes ----------------------------------------------------------------------------
    def submit(
        self, spec: JobSpec, max_retries: int, resume_from: str | None, now: float | None = None
    ) -> str:
        """Record a new pending job; returns its id."""
        job_id = new_job_id()
        self.conn().execute(
            "INSERT INTO jobs (id, status, project, name, run_id, spec, gpus_wanted, max_retries, "
            "retry_delay_s, resume_from, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                job_id,
                P,
                spec.project,
                spec.name,
                fmt.new_run_id(),
                orjson.dumps(spec.to_json()).decode(),
                spec.gpus_wanted,
                max_retries,
                spec.retry_delay,
                resume_from,
                time.time() if now is None else now,
            ),
        )
        return job_id

    def _move(self, transition: str, job_id: str, **fields: Any) -> bool:
        """Apply a named transition, setting ``fields`` too; False when the job was not in a
        status the transition leaves (another actor won, or it never was)."""
        move = TRANSITIONS[transition]
        sets = ["status = :reaches", *(f"{column} = :{column}" for column in fields)]
        sets += [] if "waiting_for" in fields else ["waiting_for = NULL"]  # a new status, a new wait
        sets += [move.also] if move.also else []
        leaves = {f"leaves{i}": status for i, status in enumerate(move.leaves)}
        marks = ", ".join(f":{name}" for name in leaves)
        cursor = self.conn().execute(
            f"UPDATE jobs SET {', '.join(sets)} WHERE id = :id AND status IN ({marks})",
            {"reaches": move.reaches, **fields, "id": job_id, **leaves},
        )
        return cursor.rowcount == 1

    def start(self, job_id: str, gpu_ids: tuple[int, ...], now: float) -> bool:
        """pending → running, for one more attempt on ``gpu_ids``."""
        return self._move(
            "start",
            job_id,
            gpu_ids=orjson.dumps(list(gpu_ids)).decode(),
            started_at=now,
            ended_at=None,
            exit_code=None,
            error=None,
            handle=None,
            container_id=None,
            detail=None,
        )

    def succeed(self, job_id: str, now: float, attempt: AttemptEnd) -> bool:
        """running → succeeded: its attempt exited 0."""
        return self._move("succeed", job_id, exit_code=attempt.exit_code, ended_at=now, detail=attempt.detail)

    def fail(self, job_id: str, error: str, now: float, attempt: AttemptEnd | None = None) -> bool:
        """running → failed, one more failure: its attempt failed with no retry left, or none
        could start (``attempt`` None)."""
        return self._move("fail", job_id, error=error, ended_at=now, **_attempt_fields(attempt))

    def retry(self, job_id: str, error: str, now: float, attempt: AttemptEnd, not_before: float) -> bool:
        """running → pending, one more failure: its attempt failed and a retry is left, to start
        at ``not_before`` at the earliest."""
        return self._move(
            "retry", job_id, error=error, ended_at=now, not_before=not_before, **_attempt_fields(attempt)
        )

    def cancel_running(self, job_id: str, now: float, attempt: AttemptEnd | None = None) -> bool:
        """running → cancelled: its attempt ended after a cancel (or it had none to stop)."""
        return self._move(
            "cancel_running", job_id, error=CANCELLED_ERROR, ended_at=now, **_attempt_fields(attempt)
        )

    def cancel_pending(self, job_id: str, now: float) -> bool:
        """pending → cancelled: it never starts."""
        return self._move("cancel_pending", job_id, error=CANCELLED_ERROR, ended_at=now)

    def resume(self, job_id: str, checkpoint: str) -> bool:
        """succeeded | failed | cancelled → pending: a new attempt, from ``checkpoint``, with its
        failures forgotten."""
        return self._move(
            "resume",
            job_id,
            resume_from=checkpoint,
            failures=0,
            cancel_requested=0,
            not_before=0,
            exit_code=None,
            error=None,
            ended_at=None,
        )

    def set_handle(self, job_id: str, handle: dict[str, Any], container_id: str | None) -> bool:
        """Where the running attempt is (not a status change: only while it runs)."""
        cursor = self.conn().execute(
            "UPDATE jobs SET handle = ?, container_id = ? WHERE id = ? AND status = ?",
            (orjson.dumps(handle).decode(), container_id, job_id, R),
        )
        return cursor.rowcount == 1

    def set_detail(self, job_id: str, detail: str | None, waiting_for: str | None = None) -> None:
        """The executor's word on the running attempt (where it runs) and, while an outside
        scheduler holds it back, what it waits for (Slurm's pending reason): then the job shows
        ``pending`` (its status stays running: the attempt is the executor's now)."""
        self.conn().execute(
            "UPDATE jobs SET detail = ?, waiting_for = ? WHERE id = ? AND status = ?",
            (detail, waiting_for, job_id, R),
        )

    def set_waiting_for(self, job_id: str, waiting_for: str | None) -> None:
        """What a pending job waits for before the agent starts it (its ``requires`` paths)."""
        self.conn().execute(
            "UPDATE jobs SET waiting_for = ? WHERE id = ? AND status = ?", (waiting_for, job_id, P)
        )

    def count_restarts(self, job_id: str, restarts: int) -> None:
        """An outside scheduler requeued the running attempt: one more attempt each, no failure."""
        self.conn().execute(
            "UPDATE jobs SET attempts = attempts + ? WHERE id = ? AND status = ?", (restarts, job_id, R)
        )

    def request_cancel(self, job_id: str) -> bool:
        """Mark a running job to be stopped (its status changes when its attempt has ended)."""
        cursor = self.conn().execute(
            "UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND status = ?", (job_id, R)
        )
        return cursor.rowcount == 1

    def create_project(self, name: str, spec: dict[str, Any], now: float | None = None) -> str:
        project_id = new_job_id()
        try:
            self.conn().execute(
                "INSERT INTO projects (id, name, spec, created_at) VALUES (?, ?, ?, ?)",
                (project_id, name, orjson.dumps(spec).decode(), time.time() if now is None else now),
            )
        except sqlite3.IntegrityError as exc:
            raise ConfigError(
                f"a project named {name!r} already exists", "pick another name, or submit runs to that one"
            ) from exc
        return project_id

    # --- reads -----------------------------------------------------------------------------
    def queued(self, status: str) -> list[QueuedJob]:
        """The jobs in ``status`` (pending: oldest first, the order they start in)."""
        rows = (
            self.conn()
            .execute(f"SELECT {_QUEUED_COLUMNS} FROM jobs WHERE status = ? ORDER BY seq", (status,))
            .fetchall()
        )
        return [_queued(r) for r in rows]

    def one(self, job_id: str) -> QueuedJob | None:
        row = self.conn().execute(f"SELECT {_QUEUED_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _queued(row) if row else None

    def job(self, job_id: str) -> dict[str, Any] | None:
        return job_reads.get_job(self.conn(), job_id)

    def list_jobs(self, **filters: Any) -> dict[str, Any]:
        return job_reads.list_jobs(self.conn(), **filters)

    def stats(self) -> dict[str, Any]:
        return job_reads.job_stats(self.conn())

    def project(self, id_or_name: str) -> dict[str, Any] | None:
        return job_reads.get_project(self.conn(), id_or_name)

    def projects(self) -> list[dict[str, Any]]:
        return job_reads.list_projects(self.conn())

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
