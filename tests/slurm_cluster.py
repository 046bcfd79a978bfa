"""A real single-node Slurm (munged, slurmctld, slurmd from Debian's ``slurm-wlm`` and ``munge``)
started once per test session, for the Slurm executor's tests.

Everything lives under a temporary folder: the munge key, socket, pid and log files, a
``slurm.conf`` on free ports with its own state and spool folders, and ``SLURM_CONF`` pointing
at it (set for the session, so ``sbatch``/``squeue`` and the agent find this cluster). The
daemons run as root; without root or the packages the tests are skipped with the reason.
Stopped by pid at the end; a failure to start shows the daemons' logs.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

START_TIMEOUT_S = 30.0
MEMORY_MARGIN_MB = 512
DAEMONS = ("munged", "slurmctld", "slurmd")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _memory_mb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return max(256, int(line.split()[1]) // 1024 - MEMORY_MARGIN_MB)
    return 1024


def missing_reason() -> str | None:
    """Why a real Slurm cannot start here, or None."""
    if os.geteuid() != 0:
        return "a real Slurm needs root to start munged, slurmctld and slurmd (make test as root)"
    missing = [d for d in (*DAEMONS, "sbatch", "squeue", "sinfo") if shutil.which(d) is None]
    if missing:
        return f"{', '.join(missing)} not installed (scripts/test_setup.sh installs slurm-wlm munge as root)"
    return None


@dataclass
class SlurmCluster:
    dir: Path
    conf: Path
    node: str
    cpus: int
    env: dict[str, str]

    def run(self, *argv: str) -> str:
        """A Slurm client command against this cluster; its stdout."""
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=30, check=False)
        assert done.returncode == 0, f"{' '.join(argv)}: {done.stderr}"
        return done.stdout

    def squeue(self) -> list[dict[str, str]]:
        """The jobs slurmctld holds: id, name, state, reason."""
        out = self.run("squeue", "--noheader", "--states=all", "--format=%i|%j|%T|%r")
        rows = [line.split("|") for line in out.splitlines() if line.strip()]
        return [{"id": r[0], "name": r[1], "state": r[2], "reason": r[3]} for r in rows]

    def logs(self) -> str:
        parts = []
        for name in ("munged.log", "slurmctld.log", "slurmd.log"):
            path = self.dir / name
            text = path.read_text(errors="replace")[-4000:] if path.exists() else "(none)"
            parts.append(f"--- {name} ---\n{text}")
        return "\n".join(parts)


def _write_config(base: Path) -> SlurmCluster:
    node = socket.gethostname().split(".")[0]
    cpus = os.cpu_count() or 1
    for sub in ("state", "spool", "munge"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    os.chmod(base / "munge", 0o700)
    key = base / "munge" / "munge.key"
    key.write_bytes(os.urandom(1024))
    os.chmod(key, 0o400)
    conf = base / "slurm.conf"
    conf.write_text(
        "\n".join(
            [
                "ClusterName=runicorntest",
                f"SlurmctldHost={node}",
                "SlurmUser=root",
                "SlurmdUser=root",
                "AuthType=auth/munge",
                "CredType=cred/munge",
                f"AuthInfo=socket={base / 'munge' / 'munge.socket'}",
                f"StateSaveLocation={base / 'state'}",
                f"SlurmdSpoolDir={base / 'spool'}",
                f"SlurmctldPidFile={base / 'slurmctld.pid'}",
                f"SlurmdPidFile={base / 'slurmd.pid'}",
                f"SlurmctldLogFile={base / 'slurmctld.log'}",
                f"SlurmdLogFile={base / 'slurmd.log'}",
                "ProctrackType=proctrack/linuxproc",
                "TaskPlugin=task/none",
                "MpiDefault=none",
                "SchedulerType=sched/backfill",
                "SelectType=select/cons_tres",
                "SelectTypeParameters=CR_Core",
                "ReturnToService=2",
                "KillWait=5",
                f"SlurmctldPort={free_port()}",
                f"SlurmdPort={free_port()}",
                f"NodeName={node} CPUs={cpus} RealMemory={_memory_mb()} State=UNKNOWN",
                f"PartitionName=debug Nodes={node} Default=YES MaxTime=INFINITE State=UP",
                "",
            ]
        )
    )
    env = {**os.environ, "SLURM_CONF": str(conf)}
    return SlurmCluster(base, conf, node, cpus, env)


def _read_pid(pid_file: Path) -> int:
    """The pid a daemon wrote, once it has (the file may exist a moment before it is filled)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        text = pid_file.read_text().strip() if pid_file.exists() else ""
        if text.isdigit():
            return int(text)
        time.sleep(0.05)
    raise RuntimeError(f"{pid_file} holds no pid after 10 s")


def _start(cluster: SlurmCluster, pids: list[int]) -> None:
    """Start munged, slurmctld and slurmd, adding each one's pid to ``pids`` as it starts (so
    that a failure half-way still stops the ones started)."""
    base = cluster.dir
    munge = base / "munge"
    subprocess.run(
        [
            "munged",
            "--force",
            f"--socket={munge / 'munge.socket'}",
            f"--pid-file={munge / 'munged.pid'}",
            f"--log-file={base / 'munged.log'}",
            f"--key-file={munge / 'munge.key'}",
            f"--seed-file={munge / 'munged.seed'}",
        ],
        env=cluster.env,
        check=True,
        capture_output=True,
    )
    pids.append(_read_pid(munge / "munged.pid"))
    for daemon in ("slurmctld", "slurmd"):
        subprocess.run([daemon], env=cluster.env, check=True, capture_output=True)
        pids.append(_read_pid(base / f"{daemon}.pid"))


def _wait_idle(cluster: SlurmCluster) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    state = ""
    while time.monotonic() < deadline:
        done = subprocess.run(
            ["sinfo", "--noheader", "--format=%T"],
            env=cluster.env,
            capture_output=True,
            text=True,
            check=False,
        )
        state = done.stdout.strip() or done.stderr.strip()
        if done.returncode == 0 and state == "idle":
            return
        time.sleep(0.2)
    raise RuntimeError(f"the Slurm node is not idle after {START_TIMEOUT_S:.0f} s (sinfo: {state!r})")


def _stop(pids: list[int]) -> None:
    for pid in reversed(pids):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlurmCluster]:
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    cluster = _write_config(tmp_path_factory.mktemp("slurm"))
    pids: list[int] = []
    old_conf = os.environ.get("SLURM_CONF")
    try:
        try:
            _start(cluster, pids)
            _wait_idle(cluster)
        except (OSError, RuntimeError, ValueError, subprocess.CalledProcessError) as exc:
            pytest.fail(f"the Slurm cluster did not start: {exc}\n{cluster.logs()}")
        os.environ["SLURM_CONF"] = str(cluster.conf)
        yield cluster
    finally:
        if old_conf is None:
            os.environ.pop("SLURM_CONF", None)
        else:
            os.environ["SLURM_CONF"] = old_conf
        _stop(pids)
