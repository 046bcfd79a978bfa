"""A run's alerts (``rn.alert``) and checkpoints (``rn.log_checkpoint``), the small records
of its events (docs/api.md#alerts, docs/api.md#checkpoints)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from runicorn.store import StoreReader


def router(reader: StoreReader) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["alerts"])

    @api.get("/runs/{key}/alerts")
    def alerts(key: str) -> list[dict[str, Any]]:
        """The run's alerts, oldest first: ``[{ts, step, title, text, level}]``."""
        return reader.alerts(key)

    @api.get("/runs/{key}/checkpoints")
    def checkpoints(key: str) -> list[dict[str, Any]]:
        """The run's checkpoints (``rn.log_checkpoint``), oldest first: ``[{ts, path, step}]``."""
        return reader.checkpoints(key)

    return api
