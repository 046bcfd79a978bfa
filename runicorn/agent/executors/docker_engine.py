"""The Docker executor: a job attempt in a new container of an image, or exec'd in a running
container (docs/agent.md#executors-docker).

In a new container, the image needs nothing of Runicorn: the attempt's ``runicorn run ... --
CMD`` runs on the host with ``--container-plan``: the recorder (console, exit code, timeout,
cancel, status, git) runs ``CMD`` in the plan's container through the engine's API
(runicorn/launch/container_command.py, docker_container.py). Exec'd in a running container, the
attempt is the ``runicorn run`` line run by the ``runicorn`` installed there (``runicorn_argv``).
The ``docker`` package (the ``[docker]`` extra) is imported only when an executor first talks to
the engine: Docker, or Podman's Docker-compatible service (``DOCKER_HOST``).

Stopping follows ``runicorn run``'s own rules: SIGTERM to the wrapper (it passes it on to the
command, or the container, and records the run ``interrupted``), a second SIGTERM after the grace
(the wrapper SIGKILLs the command and still closes the run), then SIGKILL to what is left.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shlex
import signal
import socket
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from runicorn.agent.executor import AttemptSpec, Handle, Poll
from runicorn.agent.executors.docker_container import (
    ATTEMPT_LABEL,
    JOB_LABEL,
    container_options,
    with_container_plan,
)
from runicorn.agent.executors.docker_rules import check_container, workdir_source
from runicorn.agent.executors.process import ProcessExecutor, attempt_files, recorder_file
from runicorn.agent.job_environment import forget_recorder_file, hand_to_recorder
from runicorn.agent.job_spec import JobSpec
from runicorn.agent.private_files import private_folder
from runicorn.errors import RunicornError
from runicorn.launch.container_command import events_fifo, write_plan
from runicorn.launch.process_group import group_alive, signal_group
from runicorn.launch.recorder_env import RECORDER_ENV

KIND = "docker"
DEFAULT_SOCKET = "unix:///var/run/docker.sock"
STATE_DIR = "/tmp"  # inside an exec'd container: where an attempt's pid and exit files go
_LAST_WORDS_S = 5.0  # after the second SIGTERM: how long the wrapper gets to close the run
_STEP_S = 0.1

# The exec'd attempt, inside the container: a shell that writes its own pid (.shell), starts
# `runicorn run` in the background and writes its pid (.pid), waits for it and writes its exit
# status (.exit); $1 is the prefix of those files.
_EXEC_SHELL = (
    'state=$1; shift; rm -f "$state.exit" "$state.pid"; echo "$$" > "$state.shell"; '
    '"$@" & pid=$!; echo "$pid" > "$state.pid"; wait "$pid"; code=$?; '
    'echo "$code" > "$state.exit.tmp"; mv "$state.exit.tmp" "$state.exit"'
)
# How an exec'd attempt is doing: "exit N", "running" (while its shell lives: it has yet to write
# the exit status), "starting" (no shell pid written yet) or "gone" (ended without an exit status).
_EXEC_STATE = (
    'state=$1; if [ -s "$state.exit" ]; then echo "exit $(cat "$state.exit")"; '
    'elif [ ! -s "$state.shell" ]; then echo starting; '
    'elif kill -0 "$(cat "$state.shell")" 2>/dev/null; then echo running; else echo gone; fi'
)
# Sends a signal to an exec'd attempt's `runicorn run`, waiting a little for its pid to be written.
_EXEC_SIGNAL = (
    'state=$1; for i in 1 2 3 4 5 6 7 8 9 10; do [ -s "$state.pid" ] && break; sleep 0.2; done; '
    'kill -"$2" "$(cat "$state.pid")" 2>/dev/null; true'
)


def container_argv(argv: Sequence[str], runicorn_argv: Sequence[str]) -> list[str]:
    """The spec's ``runicorn run ...`` line as the container runs it: whatever starts runicorn
    on the host (everything up to the word naming runicorn before ``run``: the host's Python and
    ``-m runicorn.cli``, or a path to its ``runicorn`` script) becomes ``runicorn_argv``, the
    command that starts the image's own runicorn."""
    for i in range(1, len(argv)):
        if argv[i] == "run" and os.path.basename(argv[i - 1]).split(".")[0] == "runicorn":
            return [*runicorn_argv, *argv[i:]]
    raise RunicornError(
        f"not a `runicorn run` command line: {shlex.join(argv)}",
        "the job service gives every executor a `runicorn run ... -- CMD` line",
    )


def exec_state_prefix(spec: AttemptSpec) -> str:
    """Where, inside the container, an exec'd attempt writes its pid and exit status."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{spec.job_id}-{spec.attempt}")
    return f"{STATE_DIR}/runicorn-attempt-{safe}"


class DockerExecutor:
    """Runs attempts with a container engine. ``base_url``: the engine's socket (default: ``DOCKER_HOST``,
    else the default Docker socket); ``runicorn_argv``: how a running container that jobs are exec'd in
    starts its runicorn; ``user``: ``uid:gid`` the job runs as (default: ours, so that files written into
    the storage root are ours); ``volumes``: more ``HOST:CONTAINER[:ro]`` mounts for new containers
    (datasets, caches); ``allowed_workdirs``: the folders a job's workdir may lie in to be mounted into a
    new container (default: our home; the storage root always); ``allowed_containers``: the running
    containers (names or ids) jobs may be exec'd in, besides those labelled ``runicorn.agent=<our uid>``;
    ``network``: the network of new containers (the engine's default when None; ``host`` reaches services
    on this machine's loopback)."""

    kind = KIND

    def __init__(
        self,
        base_url: str | None = None,
        runicorn_argv: Sequence[str] = ("runicorn",),
        user: str | None = None,
        volumes: Sequence[str] = (),
        allowed_workdirs: Sequence[str] = (),
        allowed_containers: Sequence[str] = (),
        network: str | None = None,
    ) -> None:
        self.base_url = base_url
        self.runicorn_argv = tuple(runicorn_argv)
        self.user = user or f"{os.getuid()}:{os.getgid()}"
        self.volumes = tuple(volumes)
        self.allowed_workdirs = tuple(str(p) for p in allowed_workdirs) or (os.path.expanduser("~"),)
        self.allowed_containers = frozenset(allowed_containers)
        self.network = network
        self._client: Any = None
        self._processes = ProcessExecutor()  # the recorders of attempts in new containers

    # -- what may run -----------------------------------------------------------------------------

    def admit(self, job: JobSpec, storage: str) -> None:
        """Refuses (RunicornError, a 400 at submit) a job whose workdir would be mounted into a
        new container from outside the allowed folders, or that would exec in a container the
        owner did not allow."""
        if job.image and job.workdir:
            self._workdir_source(job.workdir, storage)
        if job.container:
            name = job.container
            if name not in self.allowed_containers:
                self._check_container(self._engine(lambda c: self._get_container(c, name)), name)

    def _workdir_source(self, workdir: str, storage: str) -> str:
        return workdir_source(workdir, self.allowed_workdirs, storage)

    def _check_container(self, container: Any, asked: str) -> None:
        labels = (container.attrs.get("Config") or {}).get("Labels") or {}
        check_container({container.id, container.name, asked}, labels, asked, self.allowed_containers)

    @staticmethod
    def _get_container(client: Any, name: str) -> Any:
        import docker.errors

        try:
            return client.containers.get(name)
        except docker.errors.NotFound:
            raise RunicornError(
                f"no container named {name}",
                "start it first (docker ps lists the running ones), or run the job in an image",
            ) from None

    # -- the protocol ---------------------------------------------------------------------------

    def start(self, spec: AttemptSpec) -> Handle:
        if bool(spec.image) == bool(spec.container):
            raise RunicornError(
                f"job {spec.job_id}: give a docker job either an image or a container",
                "image: run in a new container of it; container: exec in that running container",
            )
        return self._start_exec(spec) if spec.container else self._start_container(spec)

    def poll(self, handle: Handle) -> Poll:
        if "pid" in handle.ref:  # the recorder runs here; the container is its command
            return self._poll_recorder(handle)
        return self._poll_exec(handle) if handle.ref.get("exec") else self._poll_container(handle)

    def cancel(self, handle: Handle, grace_s: float) -> None:
        if "pid" in handle.ref:
            self._cancel_recorder(handle, grace_s)
        elif handle.ref.get("exec"):
            self._cancel_exec(handle, grace_s)
        else:
            self._cancel_container(handle, grace_s)

    def find(self, job_id: str, attempt: int) -> Handle | None:
        """The handle of an attempt's container, found by its labels (an agent restarted before it
        stored the handle); None when there is none."""
        found = self._engine(
            lambda c: c.containers.list(
                all=True, filters={"label": [f"{JOB_LABEL}={job_id}", f"{ATTEMPT_LABEL}={attempt}"]}
            )
        )
        return Handle(KIND, {"container": found[0].name}) if found else None

    def close(self) -> None:
        """Closes the connection to the engine (a later call opens a new one)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- a new container ------------------------------------------------------------------------

    def _start_container(self, spec: AttemptSpec) -> Handle:
        """``runicorn run --container-plan PLAN -- CMD`` here, as the process executor runs it: the
        recorder runs CMD in the plan's container through the engine."""
        import docker.errors

        source = self._workdir_source(spec.workdir, spec.storage) if spec.workdir else None
        options = container_options(spec, self.user, self.volumes, source)
        if self.network:
            options["network_mode"] = self.network

        def check_image(client: Any) -> None:
            try:
                client.images.get(spec.image)
            except docker.errors.ImageNotFound:
                raise RunicornError(
                    f"image {spec.image} not found locally",
                    f"pull or build it first (docker pull {spec.image}); the job service never pulls images",
                ) from None

        self._engine(check_image, f"cannot start a container of {spec.image}")
        log_file, _ = attempt_files(spec.storage, spec.job_id, spec.attempt)
        plan = log_file.with_suffix(".container")
        write_plan(plan, self.engine_url, options, list(spec.gpus))
        try:
            argv = with_container_plan(spec.argv, plan)
            handle = self._processes.start(dataclasses.replace(spec, argv=argv))
        except BaseException:
            plan.unlink(missing_ok=True)
            raise
        return Handle(KIND, {**handle.ref, "container": options["name"], "plan": str(plan)})

    def _poll_recorder(self, handle: Handle) -> Poll:
        if group_alive(int(handle.ref["pid"])):  # the recorder, until it has closed the run
            return Poll("running")
        if (poll := self._processes.poll(handle)).state != "running":
            self._clean_up(handle)
        return poll

    def _cancel_recorder(self, handle: Handle, grace_s: float) -> None:
        pid = int(handle.ref["pid"])

        def running() -> bool:
            self._processes.poll(handle)  # reaps our own child
            return group_alive(pid)

        self._stop(lambda name: signal_group(pid, getattr(signal, name)), running, grace_s)
        self._clean_up(handle)

    def _clean_up(self, handle: Handle) -> None:
        """Once the recorder ended: its plan, FIFO and container if left (the recorder killed)."""
        import docker.errors

        plan = Path(handle.ref["plan"])
        plan.unlink(missing_ok=True)
        events_fifo(plan).unlink(missing_ok=True)

        def remove(client: Any) -> None:
            try:
                client.containers.get(handle.ref["container"]).remove(force=True)
            except docker.errors.NotFound:
                pass

        try:
            self._engine(remove)
        except RunicornError:
            pass  # an engine not answering keeps the container: `docker ps -a --filter label=runicorn.job`

    def _poll_container(self, handle: Handle) -> Poll:
        container = self._container(handle)
        if container is None:
            return Poll("lost", detail=f"container {_short(handle)} is gone")
        state = container.attrs.get("State", {})
        if state.get("Status") in ("created", "running", "restarting", "paused"):
            return Poll("running")
        code = int(state.get("ExitCode", -1))
        detail = _last_lines(container) if code else None
        self._engine(lambda c: container.remove(force=True))  # its exit is told now; the run keeps the rest
        return Poll("exited", exit_code=code, detail=detail)

    def _cancel_container(self, handle: Handle, grace_s: float) -> None:
        container = self._container(handle)
        if container is None:
            return

        def running() -> bool:
            found = self._container(handle)
            return found is not None and found.attrs.get("State", {}).get("Running", False)

        def send(signal_name: str) -> None:
            import docker.errors

            def kill(client: Any) -> None:
                try:
                    container.kill(signal=signal_name)
                except docker.errors.APIError:  # it has just ended, or is gone
                    pass

            self._engine(kill)

        self._stop(send, running, grace_s)

    def _container(self, handle: Handle) -> Any:
        """The attempt's container with fresh state, or None when it is gone."""
        import docker.errors

        def get(client: Any) -> Any:
            try:
                return client.containers.get(handle.ref["container"])
            except docker.errors.NotFound:
                return None
            except docker.errors.APIError as exc:  # Podman answers 500 for one being removed
                if "no such container" in str(exc).lower():
                    return None
                raise

        return self._engine(get)

    # -- exec in a running container ------------------------------------------------------------

    def _start_exec(self, spec: AttemptSpec) -> Handle:
        spec, handoff = self._recorder_handoff(spec)
        state = exec_state_prefix(spec)
        command = [
            "sh",
            "-c",
            _EXEC_SHELL,
            "runicorn-attempt",
            state,
            *container_argv(spec.argv, self.runicorn_argv),
        ]

        def start(client: Any) -> tuple[str, str]:
            container = self._get_container(client, str(spec.container))
            self._check_container(container, str(spec.container))
            if container.status != "running":
                raise RunicornError(
                    f"container {spec.container} is not running ({container.status})",
                    f"start it first: docker start {spec.container}",
                )
            self._hand_over(spec, handoff)
            created = client.api.exec_create(
                container.id, command, environment=dict(spec.env), workdir=spec.workdir, user=self.user
            )
            client.api.exec_start(created["Id"], detach=True)
            return container.id, created["Id"]

        try:
            container_id, exec_id = self._engine(start, f"cannot exec in container {spec.container}")
        except BaseException:
            forget_recorder_file(str(handoff))
            raise
        ref = {"container": container_id, "exec": exec_id, "state": state, "user": self.user}
        return Handle(KIND, {**ref, "recorder_file": str(handoff)})

    @staticmethod
    def _recorder_handoff(spec: AttemptSpec) -> tuple[AttemptSpec, Path]:
        """The spec with the recorder's file named in its env, and that file: under the storage
        root, which the container sees at the same path. The container's own environment (which
        the engine shows to whoever may inspect it) holds none of the agent's settings."""
        log_file, _ = attempt_files(spec.storage, spec.job_id, spec.attempt, make=False)
        path = recorder_file(log_file)
        return dataclasses.replace(spec, env={**spec.env, RECORDER_ENV: str(path)}), path

    @staticmethod
    def _hand_over(spec: AttemptSpec, path: Path) -> None:
        """Writes the recorder's file, once the attempt is about to start."""
        private_folder(path.parent)
        hand_to_recorder(path, spec.recorder_settings)

    def _poll_exec(self, handle: Handle) -> Poll:
        container = self._container(handle)
        if container is None or container.status != "running":
            why = "is gone" if container is None else f"stopped ({container.status})"
            return Poll("lost", detail=f"container {_short(handle)} {why}, and the job with it")
        said = self._in_container(container, handle, _EXEC_STATE).strip()
        if said.startswith("exit "):
            return Poll("exited", exit_code=int(said.split()[1]))
        if said == "running":
            return Poll("running")
        if said == "starting":  # the shell wrote no pid: ask the engine how the exec is doing
            inspected = self._exec_inspect(handle)
            if inspected is None:
                return Poll("lost", detail=f"the job never started in container {_short(handle)}")
            if inspected.get("Running"):
                return Poll("running")
            code = int(inspected.get("ExitCode") or 127)
            return Poll("exited", exit_code=code, detail="the job never started")
        return Poll(
            "lost", detail=f"the job's process in container {_short(handle)} ended without an exit status"
        )

    def _exec_inspect(self, handle: Handle) -> dict[str, Any] | None:
        import docker.errors

        def inspect(client: Any) -> dict[str, Any] | None:
            try:
                return dict(client.api.exec_inspect(handle.ref["exec"]))
            except docker.errors.NotFound:
                return None

        result: dict[str, Any] | None = self._engine(inspect)
        return result

    def _cancel_exec(self, handle: Handle, grace_s: float) -> None:
        container = self._container(handle)
        if container is None or container.status != "running":
            return
        self._stop(
            lambda signal_name: self._in_container(
                container, handle, _EXEC_SIGNAL, signal_name.removeprefix("SIG")
            ),
            lambda: self._poll_exec(handle).state == "running",
            grace_s,
        )

    def _in_container(self, container: Any, handle: Handle, script: str, *args: str) -> str:
        result = self._engine(
            lambda c: container.exec_run(
                ["sh", "-c", script, "runicorn-attempt", handle.ref["state"], *args],
                user=handle.ref.get("user", ""),
            )
        )
        return bytes(result.output or b"").decode(errors="replace")

    # -- shared ---------------------------------------------------------------------------------

    def _stop(self, send: Callable[[str], object], running: Callable[[], bool], grace_s: float) -> None:
        """SIGTERM; after ``grace_s`` a second SIGTERM (the wrapper then SIGKILLs the command's
        group and closes the run); SIGKILL to the wrapper when it has not ended soon after."""
        send("SIGTERM")
        for signal_name, wait_s in (("SIGTERM", grace_s), ("SIGKILL", _LAST_WORDS_S)):
            deadline = time.monotonic() + wait_s
            while time.monotonic() < deadline:
                if not running():
                    return
                time.sleep(_STEP_S)
            send(signal_name)

    def _engine(self, call: Callable[[Any], Any], doing: str = "cannot talk to the container engine") -> Any:
        """``call(client)``, with the engine's failures turned into RunicornErrors."""
        import docker.errors
        import requests.exceptions

        try:
            if self._client is None:
                import docker

                _check_socket(self.engine_url)
                self._client = (
                    docker.DockerClient(base_url=self.base_url) if self.base_url else docker.from_env()
                )
            return call(self._client)
        except docker.errors.APIError as exc:  # the engine answered: no
            raise RunicornError(f"{doing}: {_reason(exc)}", "see the container engine's message") from None
        except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
            self.close()
            raise _unreachable(self.engine_url, _reason(exc)) from None

    @property
    def engine_url(self) -> str:
        return self.base_url or os.environ.get("DOCKER_HOST") or DEFAULT_SOCKET


def _unreachable(url: str, reason: str) -> RunicornError:
    return RunicornError(
        f"cannot reach the container engine at {url}: {reason}",
        f"start Docker (or `podman system service`), or point DOCKER_HOST at its socket ({DEFAULT_SOCKET})",
    )


def _check_socket(url: str) -> None:
    """Connects to a unix socket once before the docker package does (it would leave the socket
    of a refused connection open); raises when nothing answers there."""
    if not url.startswith("unix://"):
        return
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(url.removeprefix("unix://"))
        except OSError as exc:
            raise _unreachable(url, exc.strerror or str(exc)) from None


def _reason(exc: Exception) -> str:
    explanation = getattr(exc, "explanation", None)
    text = str(explanation or exc).strip()
    return text.splitlines()[-1] if text else type(exc).__name__


def _short(handle: Handle) -> str:
    return str(handle.ref.get("container", "?"))[:12]


def _last_lines(container: Any, n: int = 5) -> str | None:
    """The end of a container's own output: says why an attempt failed before its run existed
    (``runicorn: not found``)."""
    try:
        tail = container.logs(tail=n).decode(errors="replace").strip()
    except Exception:
        return None
    return tail or None
