"""A plain TCP listener on loopback that records whether anything connected to it: the stand-in
for a server the viewer must not reach unless asked (an SSH host named by a hostile page, a mirror
in the mirror file).

``connection_recorder() -> ConnectionRecorder`` starts one; it is closed when the test ends.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest


class ConnectionRecorder:
    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        self.connected = threading.Event()
        self.count = 0
        self.thread = threading.Thread(target=self._accept, name="connection-recorder", daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed
            self.count += 1
            self.connected.set()
            conn.close()

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self.sock.close()
        self.thread.join(5)


@pytest.fixture
def connection_recorder() -> Iterator[Callable[[], ConnectionRecorder]]:
    started: list[ConnectionRecorder] = []

    def start() -> ConnectionRecorder:
        started.append(ConnectionRecorder())
        return started[-1]

    yield start
    for recorder in started:
        recorder.close()
