"""The Slurm executor's mapping (docs/agent.md#slurm): a job's options to ``sbatch``, and
``scontrol show job -o`` (lines as Slurm 22.05 prints them) to the attempt's state."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from runicorn.agent.executor import AttemptSpec
from runicorn.agent.executors.slurm_job import batch_script, parse_scontrol, poll_of, sbatch_argv, sbatch_env

RUNNING_LINE = (
    "JobId=7 JobName=runicorn-0123456789ab UserId=root(0) GroupId=root(0) MCS_label=N/A "
    "Priority=4294901759 Nice=0 Account=(null) QOS=(null) JobState=RUNNING Reason=None "
    "Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 RunTime=00:00:01 "
    "TimeLimit=00:03:00 Partition=debug AllocNode:Sid=localhost:4371 NodeList=vm BatchHost=vm "
    "Comment=runicorn job 0123456789ab attempt 1 NumNodes=1 NumCPUs=1"
)


def line(**fields: str) -> str:
    out = RUNNING_LINE
    for key, value in fields.items():
        head, rest = out.split(f" {key}=", 1)
        out = f"{head} {key}={value} {rest.split(' ', 1)[1]}"
    return out


def spec(gpus: int = 0, timeout_s: float | None = None) -> AttemptSpec:
    return AttemptSpec(
        job_id="0123456789ab",
        attempt=1,
        argv=["python", "-m", "runicorn.cli", "run", "--", "echo", "it's"],
        workdir="/data/exp",
        env={"CUDA_HOME": "/opt/cuda 12", "RUNICORN_AGENT_JOB": "0123456789ab"},
        storage="/shared/runs",
        extra={"gpus": gpus, "timeout_s": timeout_s},
    )


def test_gpus_become_gres_only_when_asked_for() -> None:
    args = sbatch_argv(spec(gpus=2), Path("s.sh"), Path("l.log"), "gpu", "lab")
    assert {"--gres=gpu:2", "--partition=gpu", "--account=lab", "--chdir=/data/exp"} <= set(args)
    plain = sbatch_argv(spec(), Path("s.sh"), Path("l.log"), None, None)
    assert not [a for a in plain if a.startswith(("--gres", "--partition", "--account", "--time"))]
    assert plain[-1] == "s.sh"


def test_timeout_becomes_whole_minutes_plus_a_margin() -> None:
    assert "--time=2" in sbatch_argv(spec(timeout_s=1), Path("s"), Path("l"), None, None)
    assert "--time=3" in sbatch_argv(spec(timeout_s=61), Path("s"), Path("l"), None, None)
    assert "--time=61" in sbatch_argv(spec(timeout_s=3600), Path("s"), Path("l"), None, None)


def test_batch_script_quotes_the_command_and_environment() -> None:
    attempts = Path("/shared/runs/.agent/attempts")
    script = batch_script(spec(), attempts / "x.1.exit", attempts / "x.1.recorder-env")
    assert "export CUDA_HOME='/opt/cuda 12'\n" in script
    assert (
        "RUNICORN_RECORDER_ENV=\"$recorder_file.$$\" python -m runicorn.cli run -- echo 'it'\"'\"'s' &\n"
        in script
    )


def test_batch_script_refuses_a_name_that_is_not_a_variable() -> None:
    hostile = dataclasses.replace(spec(), env={"A=1; touch /tmp/x; B": "1"})
    with pytest.raises(ValueError, match="not environment variable names"):
        batch_script(hostile, Path("x.1.exit"), Path("x.1.recorder-env"))


def test_sbatch_passes_on_only_a_clean_environment() -> None:
    clean = dataclasses.replace(spec(), machine_env={"PATH": "/usr/bin", "HOME": "/home/ada"})
    agent_env = {"PATH": "/usr/bin", "AWS_SECRET_ACCESS_KEY": "k", "SLURM_CONF": "/etc/s.conf"}
    assert "--export=ALL" in sbatch_argv(clean, Path("s"), Path("l"), None, None)
    assert sbatch_env(clean, agent_env) == {
        "PATH": "/usr/bin",
        "HOME": "/home/ada",
        "SLURM_CONF": "/etc/s.conf",
    }


def test_states_read_back_from_slurm() -> None:
    running = poll_of(parse_scontrol(RUNNING_LINE), None, "7")
    assert (running.state, running.detail) == ("running", "slurm job 7 running on vm")
    waiting = poll_of(parse_scontrol(line(JobState="PENDING", Reason="Resources")), None, "7")
    assert (waiting.state, waiting.detail) == ("pending", "slurm job 7 pending: Resources")
    done = poll_of(parse_scontrol(line(JobState="COMPLETED")), 0, "7")
    assert (done.state, done.exit_code) == ("exited", 0)


def test_slurm_time_limit_is_exit_124() -> None:
    job = parse_scontrol(line(JobState="TIMEOUT", ExitCode="0:15"))
    assert (poll_of(job, 143, "7").state, poll_of(job, 143, "7").exit_code) == ("exited", 124)


def test_preemption_with_requeue_is_pending_again_and_counts_a_restart() -> None:
    preempted = poll_of(parse_scontrol(line(JobState="PREEMPTED", Restarts="1")), 143, "7")
    assert (preempted.state, preempted.restarts) == ("pending", 1)
    requeued = poll_of(parse_scontrol(line(JobState="PENDING", Reason="BeginTime", Restarts="2")), None, "7")
    assert (requeued.state, requeued.restarts, requeued.detail) == (
        "pending",
        2,
        "slurm job 7 pending: BeginTime, requeued 2x",
    )
    final = poll_of(parse_scontrol(line(JobState="PREEMPTED", Requeue="0")), None, "7")
    assert final.state == "exited"


def test_exit_status_without_a_recorded_one_comes_from_slurm() -> None:
    killed = poll_of(parse_scontrol(line(JobState="FAILED", ExitCode="0:9")), None, "7")
    assert killed.exit_code == 137
    failed = poll_of(parse_scontrol(line(JobState="FAILED", ExitCode="3:0")), None, "7")
    assert failed.exit_code == 3


def test_a_job_slurm_forgot_is_read_from_its_exit_file_or_lost() -> None:
    assert (poll_of(None, 3, "7").state, poll_of(None, 3, "7").exit_code) == ("exited", 3)
    assert poll_of(None, None, "7").state == "lost"
