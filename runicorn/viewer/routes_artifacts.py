"""``/api/artifacts``: the artifact store's names and versions, and the runs linked to each
(docs/api.md#artifacts). Read-only: files are read through the store's own rule (links out of
``.artifacts/`` refused) and the runs' ``artifacts.json`` through the run-file opener."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.exceptions import HTTPException

from runicorn import format as fmt
from runicorn.artifacts.store import ArtifactStore, StoredVersion
from runicorn.errors import ArtifactError
from runicorn.store import StoreReader


def _version_row(v: StoredVersion) -> dict[str, Any]:
    entries = v.entries
    return {
        "version": v.version,
        "digest": v.digest,
        "aliases": list(v.aliases),
        "created_at": v.data.get("created_at"),
        "file_count": len(entries),
        "size_bytes": sum(e.get("size", 0) for e in entries if "ref" not in e),
    }


def router(reader: StoreReader) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["artifacts"])
    store = ArtifactStore(reader.root)
    links = reader.artifact_links

    @api.get("/artifacts")
    def artifacts() -> dict[str, Any]:
        joined = links.by_version()
        out = []
        for name in store.names():
            versions = store.all_versions(name)
            if not versions:
                continue
            rows = []
            for v in reversed(versions):  # newest first
                row = _version_row(v)
                row.update(joined.get((name, v.version), {"logged_by": [], "used_by": []}))
                rows.append(row)
            out.append({"name": name, "type": versions[-1].type, "versions": rows})
        return {"artifacts": out}

    @api.get("/artifacts/{name}/{version}")
    def artifact_version(name: str, version: str) -> dict[str, Any]:
        if not fmt.is_safe_id(name) or not fmt.is_safe_id(version):
            raise HTTPException(404, f"no artifact {name}:{version}")
        try:
            v = store.resolve(f"{name}:{version}")
        except ArtifactError as exc:
            raise HTTPException(404, exc.message) from exc
        body = _version_row(v)
        body.update(
            name=v.name,
            type=v.type,
            description=v.data.get("description"),
            metadata=v.metadata,
            created_by=v.data.get("created_by"),
            files=[
                {"path": e["path"], "size": e.get("size"), "sha256": e.get("sha256"), "ref": e.get("ref")}
                for e in sorted(v.entries, key=lambda e: e["path"])
            ],
        )
        body.update(links.by_version().get((v.name, v.version), {"logged_by": [], "used_by": []}))
        return body

    @api.get("/runs/{key}/artifacts")
    def run_artifacts(key: str) -> dict[str, Any]:
        found = links.links_of(reader.run(key))
        return {"logged": found["logged"], "used": found["used"]}

    return api
