"""The job service's files (``runicorn agent``): where its queue and attempt files live, a job's
statuses and the environment an attempt is started with. The queue's tables are the agent's own
(runicorn/agent/queue_schema.py); the viewer reads them read-only.
"""

from __future__ import annotations

import re

from runicorn.format.run import LOCK_SUFFIX

__all__ = [
    "JOBS_DB_FILE",
    "SQLITE_WAL_SUFFIX",
    "AGENT_LOCK_FILE",
    "ATTEMPTS_DIR",
    "JOB_ID_PATTERN",
    "JOB_PENDING",
    "JOB_RUNNING",
    "JOB_SUCCEEDED",
    "JOB_FAILED",
    "JOB_CANCELLED",
    "JOB_STATUSES",
    "JOB_FINAL_STATUSES",
    "AGENT_JOB_ENV",
    "RESUME_FROM_ENV",
]


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

# The checkpoint a job resumes from (``runicorn agent``): read by ``rn.resume_checkpoint()``.
RESUME_FROM_ENV = "RUNICORN_RESUME_FROM"
