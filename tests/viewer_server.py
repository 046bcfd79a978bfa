"""A real viewer (``create_app`` on uvicorn, 127.0.0.1, ephemeral port) in a thread, for tests.

``live_viewer(storage_root, **create_app_kwargs) -> base_url`` starts one; every viewer a test
started is stopped when the test ends. A viewer that fails to start fails the test with the
server's own log and exception.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from runicorn.settings import resolve
from runicorn.viewer import create_app

START_TIMEOUT_S = 20.0
LiveViewer = Callable[..., str]


class ViewerThread:
    def __init__(self, storage_root: Path, **app_kwargs: Any) -> None:
        app_kwargs.setdefault("web_dist", Path(storage_root).parent / "no-web-dist")
        app_kwargs.setdefault("log_poll_interval_s", 0.1)
        self.app = create_app(resolve(storage=str(storage_root)), **app_kwargs)
        self.log = io.StringIO()
        self.handler = logging.StreamHandler(self.log)
        for name in ("uvicorn", "uvicorn.error", "runicorn.viewer"):
            logging.getLogger(name).addHandler(self.handler)
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            ws="websockets-sansio",
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="live-viewer", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                pytest.fail(
                    f"viewer did not start: {self.error!r}\n--- server log ---\n{self.log.getvalue()}"
                )
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"

    def _run(self) -> None:
        try:
            self.server.run()
        except BaseException as exc:  # noqa: BLE001 - reported by the fixture
            self.error = exc

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        for name in ("uvicorn", "uvicorn.error", "runicorn.viewer"):
            logging.getLogger(name).removeHandler(self.handler)


@pytest.fixture
def live_viewer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveViewer]:
    """``live_viewer(storage_root, token=None, ...) -> "http://127.0.0.1:PORT"``."""
    monkeypatch.setenv("RUNICORN_CONFIG_FILE", str(tmp_path / "no-user-config.json"))
    started: list[ViewerThread] = []

    def start(storage_root: Path, **app_kwargs: Any) -> str:
        viewer = ViewerThread(Path(storage_root), **app_kwargs)
        started.append(viewer)
        return viewer.base_url

    yield start
    for viewer in started:
        viewer.stop()
    errors = [v.log.getvalue() for v in started if "Traceback" in v.log.getvalue()]
    if errors:
        pytest.fail("the viewer logged an error:\n" + "\n".join(errors))
