"""The job queue's tables: the SQLite schema of ``jobs.db`` and the steps that bring an older
queue up to date. Only the agent creates or migrates them; the viewer reads the tables as they are."""

from __future__ import annotations

JOBS_SCHEMA_VERSION = 3  # PRAGMA user_version of the database
# Times are Unix seconds; JSON columns hold JSON text. ``spec`` is the job as submitted (since
# version 2 with ``executor``: process, docker or slurm). ``detail`` (version 2) is the executor's
# last word on the attempt: Slurm's pending reason, the node it runs on. ``waiting_for`` (version
# 3): what a job waits for before its command runs (Slurm's reason while Slurm holds its attempt
# pending, the ``requires`` paths not there yet); NULL once it runs or has ended.
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
    detail TEXT,
    waiting_for TEXT
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
JOBS_MIGRATIONS = {
    2: "ALTER TABLE jobs ADD COLUMN detail TEXT",
    3: "ALTER TABLE jobs ADD COLUMN waiting_for TEXT",
}
