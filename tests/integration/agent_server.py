"""A real job agent (``Agent`` + ``create_agent_app`` on uvicorn, 127.0.0.1, ephemeral port) in a
thread, for tests, and :func:`wait_for`, which polls its API until a condition holds.

``live_agent(root, nvml=..., token=None, cors=(), sock=None, **scheduler_options) -> LiveAgent``
starts one (``sock``: a socket bound before, when the test must know the address first); every
agent a test started is stopped when the test ends (running attempts are stopped too).

Like ``runicorn agent``, it requires the owner's token: ``token``, else the one in the test's
own user config folder (``agent.token`` beside ``RUNICORN_CONFIG_FILE``, made as the agent makes
it), so a ``runicorn`` CLI started with the same ``RUNICORN_CONFIG_FILE`` finds it by itself.
``agent.token`` is it; ``agent.http`` sends it on every request.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from runicorn.agent.app import create_agent_app
from runicorn.agent.executor import Handle
from runicorn.agent.scheduler import SchedulerOptions
from runicorn.agent.service import Agent, AgentOptions
from runicorn.gate.owner_token import agent_token_path, owner_token

START_TIMEOUT_S = 20.0


def wait_for(check: Callable[[], Any], timeout_s: float = 30.0, what: str = "condition") -> Any:
    """Poll ``check`` until it returns something truthy; fail the test after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}; last: {last!r}")


class LiveAgent:
    def __init__(
        self,
        root: Path,
        nvml: Any,
        token: str | None,
        cors: tuple[str, ...],
        executors: dict[str, Any] | None = None,
        sock: socket.socket | None = None,
        agent_options: dict[str, Any] | None = None,
        **sched: Any,
    ) -> None:
        sched.setdefault("poll_interval_s", 0.05)
        sched.setdefault("grace_s", 2.0)
        options = AgentOptions(
            gpus="auto" if nvml is not None else "none",
            scheduler=SchedulerOptions(**sched),
            **(agent_options or {}),
        )
        self.stopped = False
        self.token = token or owner_token(agent_token_path())
        self.agent = Agent.open(root, options, nvml=nvml, executors=executors)
        self.app = create_agent_app(self.agent, token=self.token, cors_origins=cors)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="warning")
        self.server = uvicorn.Server(config)
        self.error: BaseException | None = None
        self.sock = sock  # a socket bound before, when the test must know the address first
        self.thread = threading.Thread(target=self._run, name="live-agent", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"agent did not start: {self.error!r}")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.auth = {"Authorization": f"Bearer {self.token}"}
        self.http = httpx.Client(base_url=self.url, timeout=30, headers=self.auth)

    def _run(self) -> None:
        try:
            self.server.run(sockets=[self.sock] if self.sock is not None else None)
        except BaseException as exc:  # noqa: BLE001 - reported by the fixture
            self.error = exc

    def submit(self, **job: Any) -> dict[str, Any]:
        answer = self.http.post("/api/jobs", json=job)
        assert answer.status_code == 201, answer.text
        return answer.json()

    def job(self, job_id: str) -> dict[str, Any]:
        return self.http.get(f"/api/jobs/{job_id}").json()

    def wait_status(self, job_id: str, *statuses: str, timeout_s: float = 30.0) -> dict[str, Any]:
        return wait_for(
            lambda: (j := self.job(job_id))["status"] in statuses and j,
            timeout_s,
            f"job {job_id} to be {' or '.join(statuses)}",
        )

    def stop(self, leave_running: bool = False) -> None:
        """Stop the service; its attempts too, unless ``leave_running`` (as Ctrl-C leaves them,
        for the next agent to re-attach)."""
        if self.stopped:
            return
        self.stopped = True
        self.server.should_exit = True
        self.thread.join(10)
        scheduler = self.agent.scheduler
        for active in [] if leave_running else list(scheduler.active.values()):  # leave no process behind
            active.executor.cancel(Handle(active.handle.kind, active.handle.ref), 1.0)
            active.executor.poll(active.handle)
        if hasattr(self, "http"):
            self.http.close()
        self.agent.close()


@pytest.fixture
def live_agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., LiveAgent]]:
    monkeypatch.setenv("RUNICORN_CONFIG_FILE", str(tmp_path / "no-user-config.json"))
    monkeypatch.setenv("RUNICORN_SYSTEM_INTERVAL_S", "60")
    started: list[LiveAgent] = []

    def start(
        root: Path,
        nvml: Any = None,
        token: str | None = None,
        cors: tuple[str, ...] = (),
        executors: dict[str, Any] | None = None,
        sock: socket.socket | None = None,
        agent_options: dict[str, Any] | None = None,
        **sched: Any,
    ) -> LiveAgent:
        agent = LiveAgent(Path(root), nvml, token, cors, executors, sock, agent_options, **sched)
        started.append(agent)
        return agent

    yield start
    for agent in started:
        agent.stop()
