"""Pure pieces of ``runicorn viewer``: which token it requires, the printed URL, the bind error."""

from __future__ import annotations

import asyncio
import concurrent.futures
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from runicorn.errors import ConfigError
from runicorn.gate.listen import bind, is_loopback
from runicorn.viewer.server import viewer_token, viewer_url


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_hosts_are_known(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "my-box.lan"])
def test_other_hosts_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_the_viewer_uses_the_owners_token_file_unless_told_otherwise() -> None:
    made = viewer_token("127.0.0.1", None, no_token=False)
    assert made and viewer_token("0.0.0.0", None, no_token=False) == made  # the same file, every start
    assert viewer_token("127.0.0.1", "long-enough-token", no_token=False) == "long-enough-token"
    assert viewer_token("127.0.0.1", None, no_token=True) is None


@pytest.mark.parametrize(
    ("host", "given", "no_token", "error"),
    [
        ("0.0.0.0", None, True, "--no-token serves loopback only"),
        ("127.0.0.1", "long-enough-token", True, "--no-token and --token"),
        ("127.0.0.1", "short", False, "--token is too short"),
        ("127.0.0.1", "has spaces in it", False, "--token is too short or holds spaces"),
    ],
)
def test_token_choices_that_cannot_work_are_refused(
    host: str, given: str | None, no_token: bool, error: str
) -> None:
    with pytest.raises(ConfigError) as err:
        viewer_token(host, given, no_token)
    assert error in err.value.message and err.value.hint


def test_printed_url_carries_the_token_quoted() -> None:
    assert viewer_url("127.0.0.1", 8000, None) == "http://127.0.0.1:8000/"
    assert viewer_url("::1", 9, "a/b") == "http://[::1]:9/?token=a/b"
    assert viewer_url("0.0.0.0", 1, "t").startswith(f"http://{socket.gethostname()}:1/?token=")


def test_binding_a_busy_port_names_the_address() -> None:
    taken = bind("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError) as err:
            bind("127.0.0.1", port)
        assert f"127.0.0.1:{port}" in err.value.message and "--port" in (err.value.hint or "")
    finally:
        taken.close()


def test_replies_on_a_kept_alive_connection_are_sent_at_once() -> None:
    """The event loop turns Nagle's algorithm off only on sockets it knows to be TCP; with it on,
    the body of each reply on a kept-alive connection waited for the client's delayed ACK of
    the headers (about 40 ms a request)."""

    async def nodelay_of_an_accepted_connection() -> int:
        sock = bind("127.0.0.1", 0)
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Accept(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                conn = transport.get_extra_info("socket")
                accepted.set_result(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Accept, sock=sock)
        async with server:
            _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
            result = await accepted
            writer.close()
            await writer.wait_closed()
        return result

    # in a thread of its own: the browser tests' driver keeps an event loop running in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        assert pool.submit(lambda: asyncio.run(nodelay_of_an_accepted_connection())).result() != 0


def test_the_viewer_starts_without_loading_the_ssh_library(tmp_path: Path) -> None:
    """paramiko is a large share of the viewer's start: it loads when SSH is used, not before."""
    code = (
        "import sys; from fastapi.testclient import TestClient; from runicorn.settings import resolve;"
        "from runicorn.viewer.app import create_app;"
        f"app = create_app(resolve(storage={str(tmp_path)!r}));"
        # entering the client runs the lifespan, where mirrors from the mirror file would resume
        "c = TestClient(app, base_url='http://127.0.0.1'); c.__enter__();"
        "assert c.get('/api/ssh/mirror/list').json() == {'mirrors': []};"
        "print('paramiko' in sys.modules)"
    )
    cmd = [sys.executable, "-W", "ignore", "-c", code]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
