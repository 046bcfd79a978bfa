"""The one lock helper: a second holder is refused by the first one's name, a waiting one gets
its turn, and a lock let go with its file removed is taken on a new file."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from runicorn.file_lock import FileLock, LockTaken, is_held


def test_a_second_holder_is_refused_naming_the_first(tmp_path: Path) -> None:
    first, second = FileLock(tmp_path / "x.lock"), FileLock(tmp_path / "x.lock")
    assert first.try_acquire() and is_held(tmp_path / "x.lock")
    with pytest.raises(LockTaken) as taken:
        second.try_acquire()
    assert taken.value.holder == f"{os.getpid()}@{socket.gethostname()}"
    first.release(remove=True)
    assert not (tmp_path / "x.lock").exists() and not is_held(tmp_path / "x.lock")
    assert second.try_acquire()
    second.release()


def test_a_waiting_holder_gets_its_turn(tmp_path: Path) -> None:
    lock = FileLock(tmp_path / "x.lock")
    order: list[str] = []

    def wait_turn() -> None:
        with lock.held():
            order.append("second")

    with lock.held():
        waiter = threading.Thread(target=wait_turn)
        waiter.start()
        waiter.join(0.2)
        order.append("first")
        assert waiter.is_alive()  # still waiting while the first holds it
    waiter.join(10)
    assert order == ["first", "second"]
