"""The Slurm executor: each attempt is one batch job, ``sbatch`` of a generated script that runs
``runicorn run ... -- CMD`` on a compute node (docs/agent.md#slurm).

Plain ``sbatch`` / ``scontrol show job`` / ``scancel``, no pickling: the attempt is already a
command line. The script and the attempt's log and exit file live under the storage root, which
must be on the cluster's shared filesystem. The handle holds the Slurm job id and those files;
slurmctld is asked at most every ``poll_interval_s`` per job.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from runicorn.agent.executor import AttemptSpec, Handle, Poll
from runicorn.agent.executors.process import WRAPPER_MARGIN_S, attempt_files, read_exit, recorder_file
from runicorn.agent.executors.slurm_job import (
    RUNNING,
    SlurmJob,
    batch_script,
    parse_scontrol,
    parse_submitted,
    poll_of,
    sbatch_argv,
    sbatch_env,
)
from runicorn.agent.job_environment import forget_recorder_file, hand_to_recorder
from runicorn.agent.private_files import open_private
from runicorn.errors import ConfigError

COMMAND_TIMEOUT_S = 60.0
UNKNOWN_JOB = "Invalid job id"


class SlurmExecutor:
    kind = "slurm"
    outside_queue = True  # Slurm owns the nodes: the agent picks no GPU and counts no slot

    def __init__(
        self, partition: str | None = None, account: str | None = None, poll_interval_s: float = 2.0
    ) -> None:
        self.partition = partition
        self.account = account
        self.poll_interval_s = poll_interval_s
        self._seen: dict[str, tuple[float, Poll]] = {}  # slurm job id: (when, what) last asked
        self._lock = threading.Lock()

    @staticmethod
    def installed() -> bool:
        return shutil.which("sbatch") is not None

    def _slurm(self, argv: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                argv, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S, check=False, env=env
            )
        except FileNotFoundError as exc:
            raise ConfigError(
                f"{argv[0]} not found on this machine",
                "run the agent on a Slurm login node (the slurm client installed, SLURM_CONF set)",
            ) from exc
        except subprocess.TimeoutExpired as exc:
            raise ConfigError(
                f"{argv[0]} did not answer in {COMMAND_TIMEOUT_S:.0f} s", "check that slurmctld is up (sinfo)"
            ) from exc

    def start(self, spec: AttemptSpec) -> Handle:
        log_file, exit_file = attempt_files(spec.storage, spec.job_id, spec.attempt)
        script = log_file.with_suffix(".sbatch")
        settings = recorder_file(log_file)
        exit_file.unlink(missing_ok=True)
        script.unlink(missing_ok=True)
        with open_private(script) as f:
            f.write(batch_script(spec, exit_file, settings).encode())
        script.chmod(0o700)
        hand_to_recorder(settings, spec.recorder_settings, spec.recorder_start_env)
        try:
            slurm_id = self._submit(spec, script, log_file)
        except BaseException:
            forget_recorder_file(str(settings))
            raise
        ref: dict[str, Any] = {
            "slurm_job_id": slurm_id,
            "exit_file": str(exit_file),
            "log_file": str(log_file),
            "recorder_file": str(settings),  # kept for a requeue; the agent deletes it at the end
        }
        return Handle(self.kind, ref)

    def _submit(self, spec: AttemptSpec, script: Path, log_file: Path) -> str:
        argv = sbatch_argv(spec, script, log_file, self.partition, self.account)
        done = self._slurm(argv, env=sbatch_env(spec, os.environ))
        if done.returncode != 0:
            raise ConfigError(
                f"sbatch refused job {spec.job_id}: {done.stderr.strip() or done.stdout.strip()}",
                "check the partition, account and GPU count against the cluster (sinfo, sacctmgr)",
            )
        try:
            return parse_submitted(done.stdout)
        except ValueError as exc:
            raise ConfigError(str(exc), "check the sbatch on PATH") from exc

    def poll(self, handle: Handle) -> Poll:
        slurm_id = str(handle.ref["slurm_job_id"])
        now = time.monotonic()
        with self._lock:
            seen = self._seen.get(slurm_id)
        if seen is not None and now - seen[0] < self.poll_interval_s:
            return seen[1]
        poll = self._ask(slurm_id, handle.ref["exit_file"])
        with self._lock:
            if poll.state in ("pending", "running"):
                self._seen[slurm_id] = (now, poll)
            else:
                self._seen.pop(slurm_id, None)
        return poll

    def _ask(self, slurm_id: str, exit_file: str) -> Poll:
        try:
            done = self._slurm(["scontrol", "show", "job", "-o", slurm_id])
        except ConfigError as err:  # slurmctld unreachable: the job is not known to be gone
            return Poll("pending", detail=f"slurm job {slurm_id}: {err.message}")
        if done.returncode != 0:
            if UNKNOWN_JOB not in done.stderr:
                return Poll("pending", detail=f"slurm job {slurm_id}: {done.stderr.strip()}")
            return poll_of(None, read_exit(exit_file), slurm_id)  # past MinJobAge
        return poll_of(parse_scontrol(done.stdout), read_exit(exit_file), slurm_id)

    def cancel(self, handle: Handle, grace_s: float) -> None:
        """Pending: ``scancel``. Running: SIGTERM to the batch script and its children (which
        forwards it to ``runicorn run``), then after the grace ``scancel`` (Slurm's own SIGTERM,
        then SIGKILL after its KillWait)."""
        slurm_id = str(handle.ref["slurm_job_id"])
        job = self._job(slurm_id)
        if job is None:
            return
        if job.state in RUNNING:
            self._slurm(["scancel", "--signal=TERM", "--full", slurm_id])
            deadline = time.monotonic() + grace_s + WRAPPER_MARGIN_S
            while time.monotonic() < deadline:
                job = self._job(slurm_id)
                if job is None or job.state not in RUNNING:
                    return
                time.sleep(0.2)
        self._slurm(["scancel", slurm_id])
        with self._lock:
            self._seen.pop(slurm_id, None)

    def _job(self, slurm_id: str) -> SlurmJob | None:
        done = self._slurm(["scontrol", "show", "job", "-o", slurm_id])
        return parse_scontrol(done.stdout) if done.returncode == 0 else None
