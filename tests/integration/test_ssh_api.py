"""``/api/ssh/*`` through a real uvicorn server and a real sshd (docs/remote.md#api)."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from runicorn import format as fmt
from runicorn.settings import resolve
from runicorn.viewer import create_app

sys.path.insert(0, str(Path(__file__).parent))
from remote_run import RemoteRun, lines, wait_for  # noqa: E402
from sshd_server import SSHD, SshServer  # noqa: E402

pytestmark = [
    pytest.mark.ssh,
    pytest.mark.skipif(not os.path.exists(SSHD), reason=f"OpenSSH server not installed ({SSHD} missing)"),
]

PASSPHRASE = "correct horse 42"


class Viewer:
    """The real viewer app (``create_app``) on uvicorn, 127.0.0.1 and an ephemeral port."""

    def __init__(self, storage: Path, resume_mirrors: bool = False) -> None:
        self.app = create_app(resolve(storage=str(storage)), resume_mirrors=resume_mirrors)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        wait_for(lambda: self.server.started or not self.thread.is_alive(), what="uvicorn to start")
        assert self.server.started, "uvicorn did not start"
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)

    def close(self) -> None:
        self.http.close()
        self.server.should_exit = True  # the lifespan stops the mirrors
        self.thread.join(30)


@pytest.fixture
def viewer_factory(ssh_env: dict[str, Path]) -> Iterator[list[Viewer]]:
    started: list[Viewer] = []
    yield started
    for v in started:
        v.close()


def test_api_connect_browse_mirror_stop_and_resume(
    sshd: SshServer,
    ssh_env: dict[str, Path],
    viewer_factory: list[Viewer],
) -> None:
    (ssh_env["home"] / ".ssh" / "known_hosts").unlink()
    run = RemoteRun(ssh_env["remote"])
    run.log(6)
    viewer = Viewer(ssh_env["local"])
    viewer_factory.append(viewer)
    key_text = sshd.protected_key.read_text()
    body = {
        "host": "127.0.0.1",
        "port": sshd.port,
        "user": sshd.user,
        "key_text": key_text,
        "passphrase": PASSPHRASE,
    }

    first = viewer.http.post("/api/ssh/connect", json=body).json()
    assert first["session"] is None and first["host_key"] == "unknown"
    fingerprint = first["fingerprint"]
    wrong = viewer.http.post("/api/ssh/connect", json=body | {"trust": True, "fingerprint": "SHA256:nope"})
    assert wrong.status_code == 409 and wrong.json()["status"] == 409 and "error" in wrong.json()
    ok = viewer.http.post("/api/ssh/connect", json=body | {"trust": True, "fingerprint": fingerprint}).json()
    session = ok["session"]
    assert session

    listing = viewer.http.get("/api/ssh/listdir", params={"session": session, "path": str(run.dir)}).json()
    assert listing["is_run"] and fmt.EVENTS_FILE in {e["name"] for e in listing["entries"]}
    missing = viewer.http.get("/api/ssh/listdir", params={"session": "nope", "path": "/"})
    assert missing.status_code == 404 and missing.json()["status"] == 404
    assert (
        viewer.http.get("/api/ssh/listdir", params={"session": session, "path": "/no/such"}).status_code
        == 400
    )

    started = viewer.http.post(
        "/api/ssh/mirror/start", json={"session": session, "path": str(ssh_env["remote"]), "interval_s": 0.2}
    )
    mirror_id = started.json()["id"]
    events = fmt.run_dir(ssh_env["local"], "proj", "exp", run.id) / fmt.EVENTS_FILE
    wait_for(lambda: len(lines(events)) == 6, what="mirror started through the API")
    run.log(2)
    wait_for(lambda: len(lines(events)) == 8, what="mirror to keep up")
    mirrors = viewer.http.get("/api/ssh/mirror/list").json()["mirrors"]
    assert [m["id"] for m in mirrors] == [mirror_id]
    m = mirrors[0]
    assert m["alive"] and m["runs"] == 1 and m["files"] >= 3 and m["bytes"] > 0 and m["last_error"] is None

    # no secret lands on disk: not in the storage root, not in the config folder
    secrets_ = [PASSPHRASE.encode(), key_text.splitlines()[1].encode()]
    for folder in (ssh_env["local"], ssh_env["cfg"]):
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert not any(s in data for s in secrets_), path

    # a viewer restart: the mirror comes back, waiting for the key it cannot keep
    viewer.close()
    viewer_factory.remove(viewer)
    again = Viewer(ssh_env["local"], resume_mirrors=True)  # runicorn viewer --resume-mirrors
    viewer_factory.append(again)
    waiting = again.http.get("/api/ssh/mirror/list").json()["mirrors"]
    assert [(w["id"], w["waiting_for_credentials"], w["alive"]) for w in waiting] == [
        (mirror_id, True, False)
    ]
    session = again.http.post("/api/ssh/connect", json=body).json()["session"]  # host key is known now
    again.http.post(
        "/api/ssh/mirror/start", json={"session": session, "path": str(ssh_env["remote"]), "interval_s": 0.2}
    )
    run.log(3)
    wait_for(lambda: len(lines(events)) == 11, what="taken-over mirror to copy new lines")
    assert lines(events) == (run.dir / fmt.EVENTS_FILE).read_bytes().splitlines()

    stopped = again.http.post("/api/ssh/mirror/stop", json={"id": mirror_id})
    assert stopped.status_code == 200
    assert again.http.get("/api/ssh/mirror/list").json()["mirrors"] == []
    assert again.http.post("/api/ssh/mirror/stop", json={"id": mirror_id}).status_code == 404
    run.log(1)
    time.sleep(0.5)
    assert len(lines(events)) == 11  # stopped means stopped


def test_api_resumes_key_path_mirror_after_restart(
    sshd: SshServer,
    ssh_env: dict[str, Path],
    viewer_factory: list[Viewer],
) -> None:
    run = RemoteRun(ssh_env["remote"])
    run.log(2)
    viewer = Viewer(ssh_env["local"])
    viewer_factory.append(viewer)
    body = {"host": "127.0.0.1", "port": sshd.port, "user": sshd.user, "key_path": str(sshd.client_key)}
    session = viewer.http.post("/api/ssh/connect", json=body).json()["session"]
    viewer.http.post(
        "/api/ssh/mirror/start", json={"session": session, "path": str(run.dir), "interval_s": 0.2}
    )
    events = fmt.run_dir(ssh_env["local"], "proj", "exp", run.id) / fmt.EVENTS_FILE
    wait_for(lambda: len(lines(events)) == 2, what="first copy")
    viewer.close()
    viewer_factory.remove(viewer)
    run.log(3)
    again = Viewer(ssh_env["local"], resume_mirrors=True)  # runicorn viewer --resume-mirrors
    viewer_factory.append(again)
    wait_for(lambda: len(lines(events)) == 5, what="resumed mirror after a viewer restart")

    def listed() -> list[dict[str, object]]:
        return list(again.http.get("/api/ssh/mirror/list").json()["mirrors"])

    # the lines land during the first cycle; the mirror reports alive once that cycle is complete
    wait_for(lambda: listed()[0]["last_sync"] is not None, what="the first cycle to complete")
    (m,) = listed()
    assert m["alive"] and not m["waiting_for_credentials"] and m["kind"] == "run"
