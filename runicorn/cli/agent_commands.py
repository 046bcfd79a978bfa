"""`runicorn agent` (and `runicorn agent token`), `submit`, `jobs`, `cancel` and `resume`."""

from __future__ import annotations

import argparse
from typing import Any

from runicorn.cli.options import add_bind, add_cors_origin, add_storage
from runicorn.errors import ConfigError


def _add_agent(sub: argparse._SubParsersAction) -> None:
    """``runicorn agent`` (runicorn.agent.server) and its clients: submit, jobs, cancel, resume."""
    p = sub.add_parser("agent", help="serve the job queue of a storage root (GPU scheduling, retries)")
    add_storage(p)
    add_bind(p, 8100, host_note="; the token is required on any")
    p.add_argument(
        "--token",
        metavar="T",
        help="require this token (default: agent_token, else your token file, made on first start)",
    )
    p.add_argument("--gpus", default="auto", metavar="auto|0,1|none", help="GPUs to schedule (default auto)")
    p.add_argument(
        "--slots-per-gpu", type=int, default=1, metavar="N", help="jobs sharing one GPU (default 1)"
    )
    p.add_argument("--max-parallel", type=int, metavar="N", help="jobs running at once (default: CPU count)")
    p.add_argument(
        "--min-free-mem", type=int, default=1024, metavar="MIB", help="a GPU with less free memory is busy"
    )
    p.add_argument("--grace", type=float, default=10.0, metavar="S", help="SIGTERM to SIGKILL on cancel")
    p.add_argument(
        "--executor",
        choices=("process", "slurm"),
        default="process",
        help="where a job that names none runs: on this machine, or as a Slurm batch job",
    )
    p.add_argument(
        "--allow-workdir",
        action="append",
        default=[],
        metavar="DIR",
        help="a folder Docker jobs' workdirs may be mounted from (repeatable; default: your home; "
        "the storage root always)",
    )
    p.add_argument(
        "--allow-container",
        action="append",
        default=[],
        metavar="NAME",
        help="a running container jobs may be exec'd in (repeatable; also those labelled runicorn.agent=UID)",
    )
    p.add_argument("--partition", metavar="P", help="Slurm partition of the jobs (default: the cluster's)")
    p.add_argument("--account", metavar="A", help="Slurm account the jobs are charged to")
    add_cors_origin(p, "allow this web origin (a viewer: http://127.0.0.1:8000) to call the API (repeatable)")
    p.set_defaults(handler=_run_agent)
    actions = p.add_subparsers(dest="agent_action", metavar="token")
    t = actions.add_parser(
        "token",
        help="print the agent's token (made now if no agent started yet), for scripts and other machines",
    )
    t.set_defaults(handler=_run_agent_token)

    def client_options(q: argparse.ArgumentParser) -> None:
        q.add_argument("--agent", metavar="URL", help="the agent (default RUNICORN_AGENT_URL, else :8100)")
        q.add_argument(
            "--token",
            metavar="T",
            help="the agent's token (default RUNICORN_AGENT_TOKEN, else your token file, loopback only)",
        )

    q = sub.add_parser(
        "submit",
        help="queue a command as a job of the agent",
        usage="runicorn submit [options] -- CMD [ARGS...]",
    )
    q.add_argument("--gpus", default="0", metavar="N|0,1", help="GPUs: a count, or indices (default 0: CPU)")
    where = q.add_mutually_exclusive_group()
    where.add_argument("--image", metavar="IMG", help="run in a new container of this image")
    where.add_argument("--container", metavar="NAME", help="run inside this running container")
    q.add_argument(
        "--executor", choices=("process", "docker", "slurm"), help="where it runs (default: the agent's)"
    )
    q.add_argument("--timeout", metavar="S|5h", help="stop each attempt after this long (exit 124)")
    q.add_argument("--retries", type=int, default=0, metavar="K", help="start again up to K times on failure")
    q.add_argument("--retry-delay", default="0", metavar="S", help="wait between attempts")
    q.add_argument("--project", metavar="P")
    q.add_argument("--name", metavar="N")
    q.add_argument("--tag", action="append", default=[], metavar="T")
    q.add_argument("--workdir", metavar="DIR", help="where the command runs (default: the current folder)")
    q.add_argument("--env", action="append", default=[], metavar="K=V", help="an environment variable")
    q.add_argument("--requires", action="append", default=[], metavar="PATH", help="wait until it exists")
    q.add_argument("--resume-from", metavar="PATH", help="a checkpoint (RUNICORN_RESUME_FROM in the job)")
    client_options(q)
    q.add_argument("command", nargs=argparse.REMAINDER, metavar="CMD")
    q.set_defaults(handler=_run_submit)

    q = sub.add_parser("jobs", help="list the agent's jobs (or show one)")
    q.add_argument("job", nargs="?", metavar="JOB", help="show this job in full")
    q.add_argument("--status", metavar="S", help="pending, running, succeeded, failed or cancelled")
    q.add_argument("--project", metavar="P")
    q.add_argument("--limit", type=int, default=50)
    client_options(q)
    q.set_defaults(handler=_run_jobs)

    q = sub.add_parser("cancel", help="cancel a job (pending: never starts; running: stopped)")
    q.add_argument("job", metavar="JOB")
    client_options(q)
    q.set_defaults(handler=_run_cancel)

    q = sub.add_parser("resume", help="start an ended job again from a checkpoint (default: its latest)")
    q.add_argument("job", metavar="JOB")
    q.add_argument("--checkpoint", metavar="PATH")
    client_options(q)
    q.set_defaults(handler=_run_resume)


def _run_agent(args: argparse.Namespace) -> int:
    import os

    from runicorn import settings
    from runicorn.agent.scheduler import SchedulerOptions
    from runicorn.agent.server import serve
    from runicorn.agent.service import AgentOptions
    from runicorn.files.storage_root import make_storage_root

    if args.slots_per_gpu < 1 or (args.max_parallel is not None and args.max_parallel < 1):
        raise ConfigError("--slots-per-gpu and --max-parallel must be 1 or more", "give a positive number")
    resolved = settings.resolve(storage=args.storage)
    make_storage_root(resolved.storage, resolved.storage_is_fallback)
    scheduler = SchedulerOptions(
        slots_per_gpu=args.slots_per_gpu,
        min_free_bytes=args.min_free_mem * 2**20,
        grace_s=args.grace,
        **({"max_parallel": args.max_parallel} if args.max_parallel else {}),
    )
    options = AgentOptions(
        gpus=args.gpus,
        scheduler=scheduler,
        executor=args.executor,
        slurm_partition=args.partition,
        slurm_account=args.account,
        allowed_workdirs=tuple(os.path.abspath(os.path.expanduser(d)) for d in args.allow_workdir),
        allowed_containers=tuple(args.allow_container),
    )
    return serve(
        resolved, options, host=args.host, port=args.port, token=args.token, cors_origins=args.cors_origin
    )


def _run_agent_token(args: argparse.Namespace) -> int:
    from runicorn import settings
    from runicorn.agent.agent_token import agent_token

    print(agent_token(settings.resolve())[0])
    return 0


def _client(args: argparse.Namespace) -> Any:
    from runicorn import settings
    from runicorn.agent.client import AgentClient

    return AgentClient.from_settings(settings.resolve(), args.agent, args.token)


def _gpu_count(text: str) -> int:
    if not text.strip().isdigit():
        raise ConfigError(
            f"--gpus {text!r} is not a number of GPUs or a list of GPU indices",
            "give a count (--gpus 2) or indices (--gpus 0,1)",
        )
    return int(text)


def _run_submit(args: argparse.Namespace) -> int:
    import os

    command = list(args.command)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        raise ConfigError(
            "no command to submit", "give it after the options: runicorn submit -- python train.py"
        )
    from runicorn.agent.gpu_pool import gpu_indices

    gpus: int | list[int] = gpu_indices(args.gpus, "--gpus") if "," in args.gpus else _gpu_count(args.gpus)
    bad = [item for item in args.env if "=" not in item]
    if bad:
        raise ConfigError(f"--env {bad[0]!r} has no value", "write --env NAME=VALUE")
    env = dict(item.split("=", 1) for item in args.env)
    body = {
        "command": command,
        "project": args.project,
        "name": args.name,
        "tags": args.tag,
        "workdir": os.path.abspath(args.workdir or os.getcwd()),
        "env": env,
        "gpus": gpus,
        "image": args.image,
        "container": args.container,
        "executor": args.executor,
        "timeout": args.timeout,
        "max_retries": args.retries,
        "retry_delay": args.retry_delay,
        "requires": args.requires,
        "resume_from": args.resume_from,
    }
    job = _client(args).call("POST", "/api/jobs", body)
    print(f"{job['id']} {job['status']}  {job['project']}/{job['name']} run {job['run_id']}")
    return 0


def _run_jobs(args: argparse.Namespace) -> int:
    import json
    from urllib.parse import urlencode

    client = _client(args)
    if args.job:
        print(json.dumps(client.call("GET", f"/api/jobs/{args.job}"), indent=2))
        return 0
    query = {k: v for k, v in (("status", args.status), ("project", args.project)) if v}
    query["limit"] = str(args.limit)
    answer = client.call("GET", "/api/jobs?" + urlencode(query))
    print(f"{'JOB':<13} {'STATUS':<10} {'TRIES':<5} {'GPUS':<6} {'EXIT':<5} PROJECT/NAME  COMMAND")
    for job in answer["jobs"]:
        gpus = ",".join(map(str, job["gpu_ids"])) or "-"
        code = "" if job["exit_code"] is None else str(job["exit_code"])
        command = " ".join(job["command"] or [])[:60]
        print(
            f"{job['id']:<13} {job['status']:<10} {job['attempts']:<5} {gpus:<6} {code:<5} "
            f"{job['project']}/{job['name']}  {command}"
        )
        if job["status"] == "pending" and job.get("waiting_for"):
            print(f"{'':<13} waiting for: {job['waiting_for']}")  # Slurm's reason, requires paths
        if job["status"] in ("pending", "running") and job.get("detail"):
            print(f"{'':<13} {job['detail']}")  # where it is: its Slurm job, its node
    if answer["total"] > len(answer["jobs"]):
        print(f"({answer['total'] - len(answer['jobs'])} more: --limit, --status, --project)")
    return 0


def _run_cancel(args: argparse.Namespace) -> int:
    job = _client(args).call("POST", f"/api/jobs/{args.job}/cancel")
    what = "cancelled" if job["cancel"] == "cancelled" else "being stopped (SIGTERM, then SIGKILL)"
    print(f"{job['id']} {what}")
    return 0


def _run_resume(args: argparse.Namespace) -> int:
    job = _client(args).call("POST", f"/api/jobs/{args.job}/resume", {"checkpoint": args.checkpoint})
    print(f"{job['id']} {job['status']}: resumes from {job['resume_from']}")
    return 0
