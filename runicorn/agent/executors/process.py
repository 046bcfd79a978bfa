"""The local process executor: each attempt is ``runicorn run ... -- CMD`` in a process group of
its own (runicorn/launch/process_group.py), in the job's workdir.

A small ``sh`` is the group's leader: it runs the attempt's command line and, when it ends,
writes its exit status to ``<root>/.agent/attempts/<job>.<attempt>.exit``. So an agent restarted
after ``kill -9``, no longer the parent of the attempts it started, still learns how they ended.
The handle holds the pid, its start time from ``/proc`` (a pid reused by another process is not
mistaken for the attempt) and those files.
"""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.agent.executor import AttemptSpec, Handle, Poll
from runicorn.agent.job_environment import forget_recorder_file, hand_to_recorder
from runicorn.agent.private_files import open_private, private_folder
from runicorn.errors import ConfigError
from runicorn.launch.process_group import group_alive, start_in_new_group, terminate_group

# After the grace, `runicorn run` itself kills what is left of the command: give it this long more.
WRAPPER_MARGIN_S = 5.0
_RECORD_EXIT = (
    'exit_file=$1; shift; "$@"; code=$?; umask 077; '
    'echo $code > "$exit_file.tmp" && mv "$exit_file.tmp" "$exit_file"; exit $code'
)


def start_time(pid: int) -> int | None:
    """The start time of process ``pid`` (clock ticks after boot, /proc/PID/stat field 22), or
    None when there is no such process or it has ended (a zombie not yet reaped)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rfind(b")") + 2 :].split()
    return None if fields[0] in (b"Z", b"X") else int(fields[19])


def attempt_files(storage: str, job_id: str, attempt: int, make: bool = True) -> tuple[Path, Path]:
    """(log file, exit file) of one attempt; their folder is made (unless not ``make``), closed
    to other users."""
    folder = Path(storage) / fmt.AGENT_DIR / fmt.ATTEMPTS_DIR
    if make:
        private_folder(folder)
    return folder / f"{job_id}.{attempt}.log", folder / f"{job_id}.{attempt}.exit"


def recorder_file(log_file: Path) -> Path:
    """Where an attempt's recorder finds the agent's settings (job_environment.py)."""
    return log_file.with_suffix(".recorder-env")


def read_exit(path: str) -> int | None:
    """The exit status an attempt's wrapper wrote, or None while there is none (still running)."""
    try:
        return int(Path(path).read_text().strip())
    except (OSError, ValueError):
        return None


class ProcessExecutor:
    kind = "process"

    def __init__(self) -> None:
        self._children: dict[int, subprocess.Popen[bytes]] = {}  # the attempts this process started
        self._lock = threading.Lock()

    def start(self, spec: AttemptSpec) -> Handle:
        log_file, exit_file = attempt_files(spec.storage, spec.job_id, spec.attempt)
        exit_file.unlink(missing_ok=True)
        settings_file = recorder_file(log_file)
        env = {
            **spec.machine_env,
            **spec.recorder_start_env,
            **spec.env,
            **hand_to_recorder(settings_file, spec.recorder_settings, spec.recorder_start_env),
        }
        with open_private(log_file) as log:
            try:
                child = start_in_new_group(
                    ["/bin/sh", "-c", _RECORD_EXIT, "sh", str(exit_file), *spec.argv],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=spec.workdir,
                )
            except OSError as exc:
                forget_recorder_file(str(settings_file))
                raise ConfigError(
                    f"cannot start job {spec.job_id} in {spec.workdir}: {exc.strerror or exc}",
                    "check that the workdir exists and is readable",
                ) from exc
        with self._lock:
            self._children[child.pid] = child
        ref: dict[str, Any] = {
            "pid": child.pid,
            "start_time": start_time(child.pid),
            "exit_file": str(exit_file),
            "log_file": str(log_file),
            "recorder_file": str(settings_file),
        }
        return Handle(self.kind, ref)

    def poll(self, handle: Handle) -> Poll:
        pid = int(handle.ref["pid"])
        with self._lock:
            child = self._children.get(pid)
        if child is not None:
            code = child.poll()
            if code is None:
                return Poll("running")
            with self._lock:
                self._children.pop(pid, None)
            recorded = read_exit(handle.ref["exit_file"])
            return Poll("exited", recorded if recorded is not None else _shell_code(code))
        # an attempt started by an earlier agent on this root
        now_started = start_time(pid)
        if now_started is not None and now_started == handle.ref.get("start_time"):
            return Poll("running")
        if now_started is None and group_alive(pid):  # the leader is gone, the wrapper stops
            return Poll("running")
        recorded = read_exit(handle.ref["exit_file"])
        if recorded is not None:
            return Poll("exited", recorded)
        return Poll("lost", detail=f"process {pid} ended without recording its exit status")

    def cancel(self, handle: Handle, grace_s: float) -> None:
        pid = int(handle.ref["pid"])
        own = self._children.get(pid)
        if own is None and start_time(pid) not in (None, handle.ref.get("start_time")):
            return  # the pid is another process's now: the attempt is long gone
        terminate_group(pid, grace_s + WRAPPER_MARGIN_S, reap=own.poll if own else None)


def _shell_code(returncode: int) -> int:
    return 128 - returncode if returncode < 0 else returncode
