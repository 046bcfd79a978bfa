"""``GET /api/gpu``: live state of this machine's NVIDIA GPUs through NVML (docs/api.md#gpu).

The NVML module is passed in (tests give a fake with the same functions); by default
:class:`runicorn.gpu.GpuReader` imports ``pynvml``. NVML is initialised on the first request,
once, and a machine without GPU or driver answers ``{"available": false, "reason": ...}``.
"""

from __future__ import annotations

import threading
from types import ModuleType
from typing import Any

from fastapi import APIRouter

from runicorn.gpu import GpuReader


def router(nvml: ModuleType | Any | None = None) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["gpu"])
    lock = threading.Lock()
    readers: list[GpuReader] = []

    def gpu_reader() -> GpuReader:
        with lock:
            if not readers:
                readers.append(GpuReader(nvml))
            return readers[0]

    @api.get("/gpu")
    def gpu() -> dict[str, Any]:
        reader = gpu_reader()
        if not reader.available:
            return {"available": False, "reason": reader.unavailable_reason, "gpus": []}
        with lock:
            states = reader.read()
        return {"available": True, "gpus": [s.as_dict() for s in states]}

    return api
