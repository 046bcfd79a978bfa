"""``/api/health``, ``/api/config``, ``/api/projects`` and the names of a project (docs/api.md#meta)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from runicorn import format as fmt
from runicorn.errors import RunNotFound
from runicorn.settings import Settings
from runicorn.store import GroupInfo, StoreReader


def _group(g: GroupInfo) -> dict[str, Any]:
    return {
        "name": g.name,
        "run_count": g.run_count,
        "running": g.running,
        "last_created_at": g.last_created_at,
    }


def router(reader: StoreReader, settings: Settings, token_required: bool) -> APIRouter:
    from runicorn import __version__

    api = APIRouter(prefix="/api", tags=["meta"])

    @api.get("/health")
    def health() -> dict[str, Any]:
        return {"ok": True, "version": __version__}

    @api.get("/config")
    def config() -> dict[str, Any]:
        return {
            "version": __version__,
            "format_version": fmt.FORMAT_VERSION,
            "storage": str(settings.storage),
            "token_required": token_required,
            "read_only": True,
            "agent_url": settings.agent_url or None,  # the Jobs page's buttons call it; never its token
        }

    @api.get("/projects")
    def projects() -> dict[str, Any]:
        return {"projects": [_group(g) for g in reader.projects()]}

    @api.get("/projects/{project}/names")
    def names(project: str) -> dict[str, Any]:
        groups = reader.names(project)
        if not groups:
            raise RunNotFound(
                f"no project {project!r} under the storage root", "list projects with GET /api/projects"
            )
        return {"project": project, "names": [_group(g) for g in groups]}

    return api
