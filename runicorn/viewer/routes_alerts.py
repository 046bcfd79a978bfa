"""A run's alerts, raised by ``rn.alert`` in the training script (docs/api.md#alerts)."""

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

    return api
