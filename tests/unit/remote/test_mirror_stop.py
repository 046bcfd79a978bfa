"""Stopping a mirror at any moment, as Ctrl-C in `runicorn mirror` does."""

from __future__ import annotations

import threading
from pathlib import Path

from runicorn.remote.connect import Credentials, parse_target
from runicorn.remote.mirror import Mirror


def test_stop_while_the_mirror_thread_is_not_started_yet_is_clean(tmp_path: Path) -> None:
    # Ctrl-C can land between the thread's creation and its start: stop() must not raise.
    mirror = Mirror(parse_target("someone@127.0.0.1:/runs"), Credentials(), tmp_path)
    mirror._thread = threading.Thread(target=mirror.run)  # created, never started
    mirror.stop(timeout_s=0.1)
    assert mirror.stats.stopped
