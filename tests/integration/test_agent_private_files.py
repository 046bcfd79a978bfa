"""The job queue and the agent's other files are its owner's alone on a shared machine
(docs/agent.md#service): ``.agent`` is 0700, ``jobs.db`` and SQLite's ``-wal`` and ``-shm``
beside it are 0600 whatever the umask, also when an existing queue was looser; another local
user (tests/other_user.py) cannot read them."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from other_user import OtherUser, expose_folders

from runicorn import format as fmt

SIDE_FILES = ("", "-wal", "-shm")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """Files made meanwhile get every permission bit their maker asks for (umask 000)."""
    before = os.umask(0)
    try:
        yield
    finally:
        os.umask(before)


def test_the_queue_is_0600_under_umask_000_and_another_user_cannot_read_it(
    live_agent, other_user: OtherUser, tmp_path: Path, open_umask: None
) -> None:
    store = tmp_path / "store"
    store.mkdir(mode=0o777)
    agent = live_agent(store)
    job = agent.submit(command=["sh", "-c", "echo secret-output"], workdir=str(tmp_path))
    agent.wait_status(job["id"], "succeeded")

    db = store / fmt.AGENT_DIR / fmt.JOBS_DB_FILE
    files = [db.with_name(db.name + suffix) for suffix in SIDE_FILES]
    attempts = sorted((store / fmt.AGENT_DIR / fmt.ATTEMPTS_DIR).iterdir())
    assert attempts, "the attempt left its log"
    expose_folders(attempts[0])  # every folder above enterable: only the files' own modes decide
    os.chmod(store / fmt.AGENT_DIR, 0o711)
    os.chmod(store / fmt.AGENT_DIR / fmt.ATTEMPTS_DIR, 0o711)

    assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
    assert {f.name: mode(f) for f in attempts} == {f.name: 0o600 for f in attempts}
    for path in [*files, *attempts]:
        assert not other_user.can_read(path), path
        assert not other_user.can_write(path), path


def test_the_agents_folders_are_closed_to_other_users(
    live_agent, other_user: OtherUser, tmp_path: Path, open_umask: None
) -> None:
    store = tmp_path / "store"
    agent = live_agent(store)
    agent.submit(command=["true"], workdir=str(tmp_path))
    attempts = store / fmt.AGENT_DIR / fmt.ATTEMPTS_DIR
    agent.wait_status(agent.http.get("/api/jobs").json()["jobs"][0]["id"], "succeeded")
    expose_folders(store / fmt.AGENT_DIR)  # the folders above it

    assert (mode(store / fmt.AGENT_DIR), mode(attempts)) == (0o700, 0o700)
    listing = other_user.python_code("import os, sys; os.listdir(sys.argv[1])", str(store / fmt.AGENT_DIR))
    assert listing.returncode != 0 and "Permission denied" in listing.stderr


def test_a_looser_queue_from_before_is_tightened_when_the_agent_opens_it(
    live_agent, tmp_path: Path, open_umask: None
) -> None:
    store = tmp_path / "store"
    first = live_agent(store)
    first.submit(command=["true"], workdir=str(tmp_path))
    db = store / fmt.AGENT_DIR / fmt.JOBS_DB_FILE
    files = [db.with_name(db.name + suffix) for suffix in SIDE_FILES]
    keeper = sqlite3.connect(db)  # holds the WAL files open past the agent's end
    keeper.execute("SELECT count(*) FROM jobs").fetchone()
    try:
        first.stop()
        os.chmod(store / fmt.AGENT_DIR, 0o777)
        for path in files:
            os.chmod(path, 0o666)

        live_agent(store)

        assert mode(store / fmt.AGENT_DIR) == 0o700
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        keeper.close()
