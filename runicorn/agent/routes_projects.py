"""``/api/projects``: named projects with a workdir, a dataset and a training config, and their
runs (docs/agent.md#projects)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from runicorn import format as fmt
from runicorn.agent.job_request import (
    JobRequest,
    ProjectRequest,
    ProjectRunRequest,
    check_request,
    inside,
    missing_project_files,
)
from runicorn.agent.routes_jobs import submit
from runicorn.agent.service import Agent
from runicorn.errors import ConfigError


def router(agent: Agent) -> APIRouter:
    api = APIRouter()

    def project_or_404(id_or_name: str) -> dict[str, Any]:
        project = agent.queue.project(id_or_name)
        if project is None:
            raise HTTPException(404, f"no project {id_or_name!r}")
        return project

    @api.post("/api/projects", status_code=201)
    def create_project(request: ProjectRequest) -> dict[str, Any]:
        check_request(request)
        if not fmt.is_safe_id(request.name) or "\n" in request.name:
            raise ConfigError(
                f"project name {request.name!r} cannot name a folder", "use letters, digits, '_', '-', '.'"
            )
        from pathlib import Path

        workdir = Path(request.workdir)
        if not workdir.is_absolute() or not workdir.is_dir():
            raise ConfigError(
                f"workdir {request.workdir} is not a folder on the agent's machine", "give its full path"
            )
        for field in ("dataset", "training_config"):
            path = getattr(request, field)
            if path and not inside(workdir, path):
                raise ConfigError(
                    f"{field} {path}: outside the workdir {workdir}", "name a path under the workdir"
                )
        spec = request.model_dump(exclude={"name"})
        project_id = agent.queue.create_project(request.name, spec)
        return project_or_404(project_id)

    @api.get("/api/projects")
    def list_projects() -> dict[str, Any]:
        return {"projects": agent.queue.projects()}

    @api.get("/api/projects/{id_or_name}")
    def show_project(id_or_name: str) -> dict[str, Any]:
        project = project_or_404(id_or_name)
        return {**project, "jobs": agent.queue.list_jobs(project=project["name"], limit=100)["jobs"]}

    @api.post("/api/projects/{id_or_name}/runs", status_code=201)
    def start_run(id_or_name: str, request: ProjectRunRequest) -> dict[str, Any]:
        project = project_or_404(id_or_name)
        missing = missing_project_files(project)
        if missing:
            raise ConfigError(
                f"project {project['name']}: missing under {project['workdir']}: {', '.join(missing)}",
                "put the files in place (or fix the project's paths), then submit again",
            )
        job = JobRequest(
            command=request.start_command,
            shell=isinstance(request.start_command, str),
            project=project["name"],
            name=request.name,
            tags=project.get("tags") or [],
            workdir=project["workdir"],
            env=request.env,
            gpus=request.gpus,
            image=project.get("image"),
            container=project.get("container"),
            timeout=request.timeout,
            max_retries=request.max_retries,
            retry_delay=request.retry_delay,
        )
        return submit(agent, job)

    return api
