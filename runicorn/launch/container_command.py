"""A job's command in a new container, run for ``runicorn run`` on the host (an agent's Docker job,
docs/agent.md#executors-docker).

``runicorn run --container-plan PLAN -- CMD`` records the run on the host as for any command,
and starts this module on its pty in the command's place: ``python -m
runicorn.launch.container_command PLAN -- CMD``. It creates the container the plan describes
(written by the agent's Docker executor: image, mounts, user, labels, environment, GPUs) with
``CMD`` as its command, starts it, copies its output (the engine's logs, followed) to its own
stdout, which is the recorder's pty, waits for it through the engine's API and exits with the
container's exit status: a status of 128 + N (a signal ended the command) is told as that signal,
so that the recorder records it as it does for a local command. SIGTERM and SIGINT are passed on
to the container. Nothing of Runicorn is needed in the image.

A command that calls ``rn.init`` in the container logs into the recorder's run: the recorder's
pipe cannot cross into a container, so a FIFO beside the plan (under the storage root, which the
container sees at the same path) stands for it, and what arrives there is copied into the pipe
(``RUNICORN_EVENTS_FIFO``, runicorn/sdk/guest.py). Its SDK must then be installed in the image.

The container is removed when it has ended; one left behind (this process killed) is removed by
the agent when it learns the attempt ended.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

import orjson

from runicorn import format as fmt
from runicorn.settings import SETTINGS_TABLE

PLAN_BASE_URL = "base_url"  # the engine's socket
PLAN_OPTIONS = "options"  # keyword arguments of the docker package's ``containers.create``
PLAN_GPUS = "gpus"  # the host's GPU indices given to the container
ENGINE_ERROR_EXIT_CODE = 125  # as `docker run` exits when the engine refuses
_STEP_S = 0.1
_LOGS_DRAIN_S = 5.0
GRACE_ENV = next(s.env for s in SETTINGS_TABLE if s.name == "run_grace_s")


def write_plan(path: Path, base_url: str, options: dict[str, Any], gpus: list[int]) -> None:
    """The plan of one attempt's container, for the runner (0600: it holds the job's env)."""
    data = orjson.dumps({PLAN_BASE_URL: base_url, PLAN_OPTIONS: options, PLAN_GPUS: gpus})
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def events_fifo(plan: Path) -> Path:
    """Where the container's ``rn.init`` sends its lines (beside the plan)."""
    return plan.with_name(plan.name + ".events")


class FifoRelay:
    """Copies what arrives in a FIFO into the recorder's pipe until :meth:`close`. The FIFO is
    held open for reading and writing, so it never reads as ended while no writer has it open."""

    def __init__(self, fifo: Path, target_fd: int) -> None:
        self.fifo = fifo
        fifo.unlink(missing_ok=True)
        os.mkfifo(fifo, 0o600)
        self._fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
        self._target_fd = target_fd
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="runicorn-fifo-relay", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._fd], [], [], _STEP_S)
            if ready:
                self._copy()

    def _copy(self) -> None:
        while True:
            try:
                chunk = os.read(self._fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                return
            if not chunk:
                return
            view = memoryview(chunk)
            try:
                while view:
                    view = view[os.write(self._target_fd, view) :]
            except OSError:  # the recorder is gone: nothing to keep the lines for
                return

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._copy()  # what came last
        os.close(self._fd)
        self.fifo.unlink(missing_ok=True)


class _Signals:
    """SIGTERM and SIGINT received, to be passed on to the container by the main loop; the
    container is killed ``grace_s`` after the first (a command deaf to it, or a command that is
    its container's first process, which ignores what it has no handler for), a little before
    the recorder would kill this process and leave the container to the agent."""

    def __init__(self, grace_s: float) -> None:
        self.pending: list[int] = []
        self.kill_at: float | None = None
        self._grace_s = grace_s
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.pending.append(signum)
        if self.kill_at is None:
            self.kill_at = time.monotonic() + max(0.5, self._grace_s - 0.5)

    def due(self) -> list[str]:
        """The signals to send the container now, by name."""
        names = [signal.Signals(self.pending.pop(0)).name for _ in range(len(self.pending))]
        if self.kill_at is not None and time.monotonic() >= self.kill_at:
            self.kill_at = float("inf")
            names.append("SIGKILL")
        return names


def run_container(plan_path: Path, command: list[str]) -> int:
    """Creates, starts and waits for the plan's container running ``command``; its exit status."""
    import docker
    import docker.errors
    import requests.exceptions

    plan = orjson.loads(plan_path.read_bytes())
    env = dict(plan[PLAN_OPTIONS].get("environment") or {})
    relay = _guest_relay(plan_path, env)
    options = create_options(plan, command, env)
    signals = _Signals(_grace_s())
    base_url = plan[PLAN_BASE_URL]
    clients: list[Any] = []
    container: Any = None
    try:
        clients = [docker.DockerClient(base_url=base_url) for _ in range(3)]  # one per thread
        container = clients[0].containers.create(**options)
        container.start()
        waiter = _Waiter(clients[1].containers.get(container.id))
        logs = threading.Thread(target=_copy_logs, args=(clients[2], container.id), daemon=True)
        logs.start()
        while not waiter.done.wait(_STEP_S):
            for name in signals.due():
                _kill(container, name)
        logs.join(_LOGS_DRAIN_S)
        code = waiter.code
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        explanation = getattr(exc, "explanation", None) or str(exc)
        _say(f"error: cannot run the container of {options.get('image')}: {explanation}")
        _say(f"hint: check the container engine at {base_url} (docker ps, docker logs)")
        code = ENGINE_ERROR_EXIT_CODE
    finally:
        if container is not None:
            try:
                container.remove(force=True)
            except Exception:  # noqa: BLE001 - the agent removes what is left
                pass
        for client in clients:
            client.close()
        if relay is not None:
            relay.close()
    return code


def create_options(plan: dict[str, Any], command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """The keyword arguments of ``containers.create``: the plan's, with the command, its
    environment and the plan's GPUs requested by id."""
    options: dict[str, Any] = {**plan[PLAN_OPTIONS], "command": command, "environment": env}
    if plan.get(PLAN_GPUS):
        from docker.types import DeviceRequest

        ids = [str(i) for i in plan[PLAN_GPUS]]
        options["device_requests"] = [DeviceRequest(device_ids=ids, capabilities=[["gpu"]])]
    return options


class _Waiter:
    """``container.wait()`` in a thread: the main thread keeps passing signals on."""

    def __init__(self, container: Any) -> None:
        self.code = ENGINE_ERROR_EXIT_CODE
        self.done = threading.Event()
        self._container = container
        threading.Thread(target=self._wait, name="runicorn-container-wait", daemon=True).start()

    def _wait(self) -> None:
        try:
            self.code = int(self._container.wait().get("StatusCode", ENGINE_ERROR_EXIT_CODE))
        except Exception as exc:  # noqa: BLE001 - told as the engine's failure
            _say(f"error: lost the container while waiting for it: {exc}")
        finally:
            self.done.set()


def _copy_logs(client: Any, container_id: str) -> None:
    """The container's output (a terminal's: one stream), followed, as the engine sends it. The
    docker package's own ``logs(stream=True)`` hands a terminal's output over one character at
    a time, so the response is read here as it arrives."""
    api, out = client.api, sys.stdout.buffer
    params = {"follow": 1, "stdout": 1, "stderr": 1}
    try:
        response = api._get(api._url("/containers/{0}/logs", container_id), params=params, stream=True)
        api._raise_for_status(response)
        for chunk in response.iter_content(chunk_size=None):
            out.write(chunk)
            out.flush()
    except Exception:  # noqa: BLE001 - the container went away mid-stream
        pass


def _kill(container: Any, signal_name: str) -> None:
    try:
        container.kill(signal=signal_name)
    except Exception:  # noqa: BLE001 - it has just ended
        pass


def _guest_relay(plan_path: Path, env: dict[str, str]) -> FifoRelay | None:
    """The guest hand-off through a FIFO, when the recorder gave us its pipe."""
    fd_text = os.environ.get(fmt.EVENTS_FD_ENV)
    run_dir, run_id = os.environ.get(fmt.RUN_DIR_ENV), os.environ.get(fmt.RUN_ID_ENV)
    if not (fd_text and fd_text.isdigit() and run_dir and run_id):
        return None
    relay = FifoRelay(events_fifo(plan_path), int(fd_text))
    env.update({fmt.RUN_DIR_ENV: run_dir, fmt.RUN_ID_ENV: run_id, fmt.EVENTS_FIFO_ENV: str(relay.fifo)})
    return relay


def _grace_s() -> float:
    """The recorder's grace between SIGTERM and SIGKILL (``run_grace_s``), from its environment."""
    try:
        return float(os.environ.get(GRACE_ENV, "10"))
    except ValueError:
        return 10.0


def _say(text: str) -> None:
    print(f"runicorn run: {text}", file=sys.stderr, flush=True)


def _exit_as(code: int) -> int:
    """Ends this process as the container's command ended: by the same signal (128 + N), so that
    the recorder records the signal, else with its status."""
    if 128 < code < 128 + signal.NSIG and code - 128 in (signal.SIGTERM, signal.SIGINT, signal.SIGKILL):
        signum = code - 128
        signal.signal(signum, signal.SIG_DFL)
        sys.stdout.flush()
        os.kill(os.getpid(), signum)
        time.sleep(1)  # the signal arrives first
    return code


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        _say("error: usage: python -m runicorn.launch.container_command PLAN -- CMD [ARGS...]")
        return 2
    return _exit_as(run_container(Path(argv[0]), argv[2:]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
