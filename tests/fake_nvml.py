"""A stand-in for the part of pynvml Runicorn calls (no NVIDIA GPU on the test machines).

``FakeNvml(FakeGpu(...), ...)`` answers like NVML for those GPUs; the SDK's system sampler, the
viewer's ``/api/gpu`` and the GPU page take it where they would take ``pynvml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace


@dataclass
class FakeGpu:
    name: str = "Fake A100"
    util_percent: int = 87
    memory_used: int = 30 * 2**30
    memory_total: int = 80 * 2**30
    temperature_c: int = 61
    power_mw: int = 250_000  # NVML reports milliwatts


class FakeNvml:
    """NVML for ``gpus`` (one default FakeGpu when none are given)."""

    def __init__(self, *gpus: FakeGpu) -> None:
        self.gpus = list(gpus) or [FakeGpu()]

    def nvmlInit(self) -> None: ...
    def nvmlShutdown(self) -> None: ...

    def nvmlDeviceGetCount(self) -> int:
        return len(self.gpus)

    def nvmlDeviceGetHandleByIndex(self, i: int) -> FakeGpu:
        return self.gpus[i]

    def nvmlDeviceGetName(self, gpu: FakeGpu) -> bytes:
        return gpu.name.encode()

    def nvmlDeviceGetUtilizationRates(self, gpu: FakeGpu) -> SimpleNamespace:
        return SimpleNamespace(gpu=gpu.util_percent)

    def nvmlDeviceGetMemoryInfo(self, gpu: FakeGpu) -> SimpleNamespace:
        return SimpleNamespace(used=gpu.memory_used, total=gpu.memory_total)

    def nvmlDeviceGetTemperature(self, gpu: FakeGpu, sensor: int) -> int:
        return gpu.temperature_c

    def nvmlDeviceGetPowerUsage(self, gpu: FakeGpu) -> int:
        return gpu.power_mw
