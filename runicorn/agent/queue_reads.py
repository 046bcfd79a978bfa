"""The job queue of ``runicorn agent``, read side: jobs, projects and counts from its SQLite
database (docs/agent.md#api), for the agent's own answers and the viewer's Jobs page.

Pure queries over a connection the caller opens: the agent passes its own (read-write), the
viewer one opened by :func:`open_read_only` (``mode=ro``: the viewer never writes the queue).
Plain ``sqlite3`` and the format only, so the viewer imports it without the agent's service.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import orjson

from runicorn import format as fmt
from runicorn.errors import BadArgument

MAX_PAGE = 1000
_COLUMNS = (
    "id, status, project, name, run_id, spec, gpus_wanted, gpu_ids, attempts, failures, max_retries, "
    "resume_from, cancel_requested, container_id, exit_code, error, created_at, first_started_at, "
    "started_at, ended_at, detail, waiting_for"
)
# The columns later schema versions added: a queue not yet opened by an agent of that version
# reads NULL for them (the viewer never migrates it).
_LATER_COLUMNS = ("detail", "waiting_for")
# A job the agent handed to its executor (running) that an outside scheduler holds back shows
# pending, with what it waits for.
_SHOWN_PENDING = "(status = 'pending' OR (status = 'running' AND waiting_for IS NOT NULL))"
_SHOWN_RUNNING = "(status = 'running' AND waiting_for IS NULL)"


def jobs_db_path(root: Path) -> Path:
    return Path(root) / fmt.AGENT_DIR / fmt.JOBS_DB_FILE


def open_read_only(db_path: Path) -> sqlite3.Connection | None:
    """A read-only connection to the queue, or None when no agent ever ran on this root. Open
    one per read and close it after: it never creates or changes a file.

    While an agent runs (or after one was killed), ``jobs.db-wal`` exists beside the database and
    holds the latest commits: the connection is an ordinary WAL reader (``mode=ro``), which shares
    the agent's ``-shm`` index. Once the last agent connection closed, SQLite folded the WAL into
    ``jobs.db`` and removed it: the connection is then ``mode=ro&immutable=1``, which reads the
    database file alone. (A plain ``mode=ro`` open of a WAL database with no ``-wal`` beside it
    creates ``-wal`` and ``-shm`` files and leaves them there, and fails where the viewer may not
    write the folder.) An agent that starts during such a read is seen by the next one.
    """
    if not db_path.is_file():
        return None
    wal = db_path.with_name(db_path.name + fmt.SQLITE_WAL_SUFFIX)
    for flags in ("mode=ro",) if wal.exists() else ("mode=ro&immutable=1", "mode=ro"):
        try:
            conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?{flags}", uri=True, check_same_thread=False)
        except sqlite3.Error:
            continue
        try:
            conn.execute("PRAGMA query_only = 1")
            conn.execute("SELECT 1 FROM jobs LIMIT 1")
        except sqlite3.Error:  # not a queue yet, or an agent changed the file under an immutable read
            conn.close()
            continue
        return conn
    return None


def _json(text: str | None, default: Any) -> Any:
    if not text:
        return default
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return default


def executor_of(spec: dict[str, Any]) -> str:
    """The executor a job runs on: the one it was submitted for (a job queued before jobs named
    one: docker with an image or container, else process)."""
    named = spec.get("executor")
    if isinstance(named, str) and named:
        return named
    return "docker" if spec.get("image") or spec.get("container") else "process"


def _columns(conn: sqlite3.Connection) -> str:
    names = {row[1] for row in conn.execute("PRAGMA table_info(jobs)")}
    columns = _COLUMNS
    for column in _LATER_COLUMNS:
        if column not in names:
            columns = columns.replace(f", {column}", f", NULL AS {column}")
    return columns


def _has_waiting_for(conn: sqlite3.Connection) -> bool:
    return any(row[1] == "waiting_for" for row in conn.execute("PRAGMA table_info(jobs)"))


def job_from_row(row: tuple[Any, ...]) -> dict[str, Any]:
    """One job as the API shows it (docs/agent.md#jobs)."""
    (
        job_id, status, project, name, run_id, spec_text, gpus_wanted, gpu_ids, attempts, failures,
        max_retries, resume_from, cancel_requested, container_id, exit_code, error, created_at,
        first_started_at, started_at, ended_at, detail, waiting_for,
    ) = row  # fmt: skip
    spec = _json(spec_text, {})
    wait = (first_started_at - created_at) if first_started_at is not None else None
    return {
        "id": job_id,
        "status": fmt.JOB_PENDING if status == fmt.JOB_RUNNING and waiting_for else status,
        "waiting_for": waiting_for,
        "project": project,
        "name": name,
        "run_id": run_id,
        "run_link": f"/runs/{run_id}",
        "command": spec.get("command"),
        "shell": bool(spec.get("shell", False)),
        "tags": spec.get("tags", []),
        "workdir": spec.get("workdir"),
        "gpus": gpus_wanted,
        "gpu_ids": _json(gpu_ids, []),
        "image": spec.get("image"),
        "container": spec.get("container"),
        "container_id": container_id,
        "executor": executor_of(spec),
        "detail": detail,
        "timeout": spec.get("timeout"),
        "requires": spec.get("requires", []),
        "max_retries": max_retries,
        "attempts": attempts,
        "failures": failures,
        "resume_from": resume_from,
        "cancel_requested": bool(cancel_requested),
        "exit_code": exit_code,
        "error": error,
        "created_at": created_at,
        "started_at": started_at,
        "ended_at": ended_at,
        "queue_wait_s": wait,
    }


def list_jobs(
    conn: sqlite3.Connection,
    status: str | None = None,
    project: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """``{"jobs": [...newest first], "total": N}`` for the filters; BadArgument on a bad one."""
    if status is not None and status not in fmt.JOB_STATUSES:
        raise BadArgument(f"status {status!r} is not one of {', '.join(fmt.JOB_STATUSES)}")
    if not 0 <= limit <= MAX_PAGE or offset < 0:
        raise BadArgument(f"limit must be 0 to {MAX_PAGE} and offset not negative")
    where, args = [], []
    if status is not None:
        shown = {fmt.JOB_PENDING: _SHOWN_PENDING, fmt.JOB_RUNNING: _SHOWN_RUNNING}
        if status in shown and _has_waiting_for(conn):
            where.append(shown[status])
        else:
            where.append("status = ?")
            args.append(status)
    if project is not None:
        where.append("project = ?")
        args.append(project)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    total = conn.execute(f"SELECT COUNT(*) FROM jobs{clause}", args).fetchone()[0]
    rows = conn.execute(
        f"SELECT {_columns(conn)} FROM jobs{clause} ORDER BY seq DESC LIMIT ? OFFSET ?",
        [*args, limit, offset],
    ).fetchall()
    return {"jobs": [job_from_row(r) for r in rows], "total": total}


def get_job(conn: sqlite3.Connection, job_id: str) -> dict[str, Any] | None:
    row = conn.execute(f"SELECT {_columns(conn)} FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return job_from_row(row) if row else None


def job_stats(conn: sqlite3.Connection) -> dict[str, Any]:
    """Counts per status, the success rate of finished jobs and the mean wait in the queue."""
    counts = dict.fromkeys(fmt.JOB_STATUSES, 0)
    held = "waiting_for IS NOT NULL" if _has_waiting_for(conn) else "0"
    shown = f"CASE WHEN status = 'running' AND {held} THEN 'pending' ELSE status END"
    for status, n in conn.execute(f"SELECT {shown} AS shown, COUNT(*) FROM jobs GROUP BY shown"):
        counts[status] = n
    done = counts[fmt.JOB_SUCCEEDED] + counts[fmt.JOB_FAILED]
    wait = conn.execute(
        "SELECT AVG(first_started_at - created_at) FROM jobs WHERE first_started_at IS NOT NULL"
    ).fetchone()[0]
    return {
        "counts": counts,
        "total": sum(counts.values()),
        "success_rate": counts[fmt.JOB_SUCCEEDED] / done if done else None,
        "mean_queue_wait_s": wait,
    }


def job_projects(conn: sqlite3.Connection) -> list[str]:
    """The projects that have jobs, by name."""
    return [project for (project,) in conn.execute("SELECT DISTINCT project FROM jobs ORDER BY project")]


def job_stats_empty() -> dict[str, Any]:
    """:func:`job_stats` of an empty queue."""
    return {
        "counts": dict.fromkeys(fmt.JOB_STATUSES, 0),
        "total": 0,
        "success_rate": None,
        "mean_queue_wait_s": None,
    }


def project_from_row(row: tuple[Any, ...]) -> dict[str, Any]:
    project_id, name, spec_text, created_at = row
    return {"id": project_id, "name": name, **_json(spec_text, {}), "created_at": created_at}


def list_projects(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT id, name, spec, created_at FROM projects ORDER BY seq").fetchall()
    return [project_from_row(r) for r in rows]


def get_project(conn: sqlite3.Connection, id_or_name: str) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT id, name, spec, created_at FROM projects WHERE id = ? OR name = ?", (id_or_name, id_or_name)
    ).fetchone()
    return project_from_row(row) if row else None
