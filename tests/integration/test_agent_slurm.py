"""``runicorn agent`` handing jobs to a REAL single-node Slurm (tests/slurm_cluster.py): each
attempt is an ``sbatch`` job running ``runicorn run`` on the node (docs/agent.md#slurm)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from agent_server import wait_for
from bucket_cli import cli
from s3_server import S3Server
from slurm_cluster import SlurmCluster

from runicorn import format as fmt

pytestmark = pytest.mark.slurm

SLURM = {"executor": "slurm", "slurm_poll_interval_s": 0.2}
WAIT_FOR_RELEASE = "while [ ! -e release ]; do sleep 0.1; done"


def slurm_jobs_of(cluster: SlurmCluster, job_id: str) -> list[dict[str, str]]:
    """The Slurm jobs (attempts) slurmctld holds for one agent job."""
    return [j for j in cluster.squeue() if j["name"] == f"runicorn-{job_id}"]


def fill_the_node(cluster: SlurmCluster, work: Path) -> str:
    """A job of someone else using every CPU of the node, so that the next one waits."""
    out = cluster.run(
        "sbatch", "--parsable", f"--cpus-per-task={cluster.cpus}", f"--chdir={work}", "--output=/dev/null",
        "--job-name=someone-else", "--wrap", "sleep 300",
    )  # fmt: skip
    slurm_id = out.strip().split(";")[0]
    wait_for(
        lambda: any(j["id"] == slurm_id and j["state"] == "RUNNING" for j in cluster.squeue()),
        what="the node to be busy",
    )
    return slurm_id


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def test_slurm_job_is_an_ordinary_run(live_agent, slurm_cluster: SlurmCluster, tmp_path, work) -> None:
    agent = live_agent(tmp_path / "store", agent_options=SLURM)
    job = agent.submit(
        command=["sh", "-c", 'echo "on $SLURMD_NODENAME for $RUNICORN_AGENT_JOB" > out.txt; echo hello'],
        workdir=str(work),
        name="hello",
        timeout=90,
    )
    assert job["executor"] == "slurm"
    done = agent.wait_status(job["id"], "succeeded", "failed", "cancelled")
    assert (done["status"], done["attempts"], done["exit_code"]) == ("succeeded", 1, 0), done
    assert (work / "out.txt").read_text().strip() == f"on {slurm_cluster.node} for {job['id']}"
    assert done["run_status"] == "finished"
    assert done["detail"].startswith("slurm job ")
    run = next((tmp_path / "store").glob(f"*/hello/runs/{job['run_id']}"))
    assert "hello" in (run / "logs.txt").read_text()
    [submitted] = slurm_jobs_of(slurm_cluster, job["id"])
    limit = slurm_cluster.run(
        "squeue", "--noheader", "--states=all", f"--jobs={submitted['id']}", "--format=%l"
    )
    assert limit.strip() == "3:00"  # 90 s rounded up to 2 min, plus a minute of margin


def test_failing_slurm_job_is_resubmitted_until_retries_run_out(
    live_agent, slurm_cluster: SlurmCluster, tmp_path, work
) -> None:
    agent = live_agent(tmp_path / "store", agent_options=SLURM)
    job = agent.submit(command=["sh", "-c", "echo x >> tries; exit 3"], workdir=str(work), max_retries=1)
    done = agent.wait_status(job["id"], "failed", "succeeded", "cancelled")
    assert (done["status"], done["attempts"], done["exit_code"], done["error"]) == (
        "failed",
        2,
        3,
        "exit code 3",
    )
    assert (work / "tries").read_text() == "x\nx\n"
    assert len(slurm_jobs_of(slurm_cluster, job["id"])) == 2


def test_slurm_job_past_its_timeout_fails_with_124(live_agent, slurm_cluster, tmp_path, work) -> None:
    agent = live_agent(tmp_path / "store", agent_options=SLURM)
    job = agent.submit(command=["sleep", "60"], workdir=str(work), timeout=1)
    done = agent.wait_status(job["id"], "failed", "succeeded", "cancelled")
    assert (done["status"], done["exit_code"]) == ("failed", 124), done
    assert "timed out" in done["error"]


def test_cancel_while_pending_in_slurm_never_runs(
    live_agent, slurm_cluster: SlurmCluster, tmp_path, work
) -> None:
    busy = fill_the_node(slurm_cluster, work)
    try:
        agent = live_agent(tmp_path / "store", agent_options=SLURM)
        job = agent.submit(command=["touch", "ran"], workdir=str(work))
        waiting = wait_for(
            lambda: "Resources" in ((j := agent.job(job["id"]))["detail"] or "") and j,
            what="the job to wait for resources in Slurm",
        )
        assert (waiting["status"], waiting["waiting_for"]) == ("pending", "Resources")  # not running
        assert agent.http.get("/api/stats").json()["counts"]["pending"] == 1
        assert agent.http.post(f"/api/jobs/{job['id']}/cancel").status_code == 202
        done = agent.wait_status(job["id"], "cancelled", "failed", "succeeded")
        assert done["status"] == "cancelled"
        [submitted] = slurm_jobs_of(slurm_cluster, job["id"])
        assert submitted["state"] == "CANCELLED"
    finally:
        slurm_cluster.run("scancel", busy)
    assert not (work / "ran").exists()


def test_cancel_while_running_sends_sigterm_to_the_command(
    live_agent, slurm_cluster: SlurmCluster, tmp_path, work
) -> None:
    agent = live_agent(tmp_path / "store", agent_options=SLURM)
    script = "trap 'echo term > got_term; exit 143' TERM; touch started; sleep 300 & wait"
    job = agent.submit(command=["sh", "-c", script], workdir=str(work), name="stopped")
    wait_for(lambda: (work / "started").exists(), what="the job to start on the node")
    assert agent.http.post(f"/api/jobs/{job['id']}/cancel").status_code == 202
    done = agent.wait_status(job["id"], "cancelled", "failed", "succeeded")
    assert done["status"] == "cancelled"
    assert (work / "got_term").read_text().strip() == "term"
    wait_for(lambda: agent.job(job["id"])["run_status"] not in ("running", None), what="the run to end")


def test_agent_restart_while_jobs_wait_in_slurm_loses_and_repeats_nothing(
    live_agent, slurm_cluster: SlurmCluster, tmp_path, work
) -> None:
    busy = fill_the_node(slurm_cluster, work)
    try:
        first = live_agent(tmp_path / "store", agent_options=SLURM)
        ids = [
            first.submit(command=["sh", "-c", f"echo {n} >> lines"], workdir=str(work), name=f"j{n}")["id"]
            for n in range(2)
        ]
        for job_id in ids:
            wait_for(
                lambda j=job_id: "pending" in (first.job(j)["detail"] or ""), what="jobs queued in Slurm"
            )
        first.stop(leave_running=True)
        second = live_agent(tmp_path / "store", agent_options=SLURM)
    finally:
        slurm_cluster.run("scancel", busy)
    done = [second.wait_status(job_id, "succeeded", "failed", "cancelled") for job_id in ids]
    assert [(d["status"], d["attempts"]) for d in done] == [("succeeded", 1)] * 2
    assert sorted((work / "lines").read_text().split()) == ["0", "1"]
    assert [len(slurm_jobs_of(slurm_cluster, job_id)) for job_id in ids] == [1, 1]


def test_requeue_by_slurm_is_another_attempt_not_a_failure(
    live_agent, slurm_cluster: SlurmCluster, tmp_path, work
) -> None:
    agent = live_agent(tmp_path / "store", agent_options=SLURM)
    script = f"echo x >> starts; touch started; {WAIT_FOR_RELEASE}"
    job = agent.submit(command=["sh", "-c", script], workdir=str(work))
    wait_for(lambda: (work / "started").exists(), what="the job to start on the node")
    [submitted] = slurm_jobs_of(slurm_cluster, job["id"])
    (work / "started").unlink()
    slurm_cluster.run("scontrol", "requeue", submitted["id"])
    requeued = wait_for(
        lambda: "requeued" in ((j := agent.job(job["id"]))["detail"] or "") and j, what="the requeue to show"
    )
    # Slurm holds a requeued job pending
    assert (requeued["status"], requeued["failures"], requeued["attempts"]) == ("pending", 0, 2)
    assert requeued["waiting_for"] == "BeginTime"
    # Slurm holds a requeued job back for two minutes (reason BeginTime): let it go now
    slurm_cluster.run("scontrol", "update", f"JobId={submitted['id']}", "StartTime=now")
    wait_for(lambda: (work / "started").exists(), what="the requeued job to start again")
    (work / "release").touch()
    done = agent.wait_status(job["id"], "succeeded", "failed", "cancelled")
    assert (work / "starts").read_text() == "x\nx\n"
    assert (done["status"], done["attempts"], done["failures"]) == ("succeeded", 2, 0), done


def test_cli_agent_with_executor_slurm_shows_why_a_job_waits(
    slurm_cluster: SlurmCluster, tmp_path, work
) -> None:
    from test_agent_cli import cli, start_agent

    busy = fill_the_node(slurm_cluster, work)
    agent, url = start_agent(tmp_path, tmp_path / "store", "--executor", "slurm", "--partition", "debug")
    try:
        submitted = cli(tmp_path, "submit", "--agent", url, "--workdir", str(work), "--", "touch", "done")
        assert submitted.returncode == 0, submitted.stderr
        job_id = submitted.stdout.split()[0]
        listing = wait_for(
            lambda: "pending: Resources" in (out := cli(tmp_path, "jobs", "--agent", url).stdout) and out,
            what="the listing to show Slurm's pending reason",
        )
        assert f"slurm job {slurm_jobs_of(slurm_cluster, job_id)[0]['id']} pending: Resources" in listing
        assert f"{job_id}  pending" in listing and "waiting for: Resources" in listing
        slurm_cluster.run("scancel", busy)
        wait_for(
            lambda: '"succeeded"' in cli(tmp_path, "jobs", job_id, "--agent", url).stdout, what="success"
        )
        assert (work / "done").exists()
    finally:
        slurm_cluster.run("scancel", busy)
        agent.terminate()
        agent.communicate(timeout=10)


DUMP_ENV = "import json, os; json.dump(dict(os.environ), open('env.json', 'w'))"


@pytest.mark.s3
def test_slurm_job_has_no_credentials_and_its_run_still_lands_in_the_bucket(
    live_agent, slurm_cluster: SlurmCluster, s3_env: S3Server, tmp_path, work, monkeypatch
) -> None:
    bucket = s3_env.new_bucket()
    monkeypatch.setenv("RUNICORN_SYNC_URL", f"s3://{bucket}/cluster")  # the agent's: every job syncs
    monkeypatch.setenv("RUNICORN_NOTIFY_SMTP_PASSWORD", "agent-smtp-password")
    monkeypatch.setenv("RUNICORN_AGENT_TOKEN", "agent-token-secret")
    monkeypatch.setenv("LANG", "C.UTF-8")
    agent = live_agent(tmp_path / "store", agent_options=SLURM)

    job = agent.submit(command=[sys.executable, "-c", DUMP_ENV], workdir=str(work), name="synced", timeout=90)
    done = agent.wait_status(job["id"], "succeeded", "failed", "cancelled")

    assert done["status"] == "succeeded", done
    seen = json.loads((work / "env.json").read_text())
    secrets = [s3_env.env()["AWS_SECRET_ACCESS_KEY"], "agent-smtp-password", "agent-token-secret"]
    assert [k for k, v in seen.items() if any(s in v for s in secrets)] == []
    assert not [k for k in seen if k.startswith(("AWS_", "RUNICORN_NOTIFY_", "RUNICORN_SYNC_"))]
    assert (seen["PATH"], seen["LANG"], seen["SLURMD_NODENAME"]) == (
        os.environ["PATH"],
        "C.UTF-8",
        slurm_cluster.node,
    )
    assert seen["RUNICORN_AGENT_JOB"] == job["id"]
    pulled = cli("pull", f"s3://{bucket}/cluster", str(tmp_path / "pulled"))
    assert pulled.returncode == 0, pulled.stderr
    (run_dir,) = (tmp_path / "pulled").glob("*/synced/runs/*")
    assert fmt.read_json(run_dir / fmt.STATUS_FILE)["status"] == fmt.FINISHED
    attempts = tmp_path / "store" / fmt.AGENT_DIR / fmt.ATTEMPTS_DIR
    assert not list(attempts.glob("*.recorder-env*"))  # the kept file and the recorder's copy are gone


HOSTILE = "$(touch injected1) `touch injected2` '; touch injected3; ' \"; touch injected4; \" \\\n"


def test_slurm_batch_script_runs_no_shell_hidden_in_a_value(
    live_agent, slurm_cluster: SlurmCluster, tmp_path, work
) -> None:
    agent = live_agent(tmp_path / "store", agent_options=SLURM)
    refused = agent.http.post(
        "/api/jobs", json={"command": ["true"], "workdir": str(work), "name": "x$(touch injected0)"}
    )
    assert refused.status_code == 400 and "cannot name a folder" in refused.json()["error"]

    job = agent.submit(
        command=["sh", "-c", 'printf %s "$HOSTILE" > value.txt', HOSTILE],
        workdir=str(work),
        name="quoted",
        tags=[HOSTILE],
        env={"HOSTILE": HOSTILE},
    )
    done = agent.wait_status(job["id"], "succeeded", "failed", "cancelled")

    assert done["status"] == "succeeded", done
    assert (work / "value.txt").read_text() == HOSTILE
    assert sorted(p.name for p in work.iterdir()) == ["value.txt"]  # no injected* file anywhere
    assert not list((tmp_path / "store").rglob("injected*"))
