"""GPU state through NVML (the ``pynvml`` module of nvidia-ml-py), for the SDK's system sampler
and the viewer's GPU panel.

``GpuReader(nvml)`` takes the NVML module as an argument so tests can pass a fake with the same
functions; by default it imports ``pynvml`` lazily. No driver, no library, no device: the reader
is simply unavailable, with the reason in ``unavailable_reason``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from types import ModuleType
from typing import Any


@dataclass(frozen=True)
class GpuState:
    index: int
    name: str
    util_percent: float | None
    mem_used_bytes: int | None
    mem_total_bytes: int | None
    temp_c: float | None
    power_w: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class GpuReader:
    def __init__(self, nvml: ModuleType | Any | None = None) -> None:
        self.unavailable_reason: str | None = None
        self._nvml: Any = nvml
        self._count = 0
        try:
            if self._nvml is None:
                import pynvml

                self._nvml = pynvml
            self._nvml.nvmlInit()
            self._count = int(self._nvml.nvmlDeviceGetCount())
        except Exception as exc:  # noqa: BLE001 - NVMLError, ImportError, OSError alike
            self.unavailable_reason = f"no NVIDIA GPU/driver found ({type(exc).__name__}: {exc})"
            self._count = 0
        if self._count == 0 and self.unavailable_reason is None:
            self.unavailable_reason = "NVIDIA driver found but no GPU device"

    @property
    def available(self) -> bool:
        return self._count > 0

    def read(self) -> list[GpuState]:
        """The current state of every device; a field NVML cannot give is None."""
        states = []
        for index in range(self._count):
            try:
                handle = self._nvml.nvmlDeviceGetHandleByIndex(index)
            except Exception:  # noqa: BLE001
                continue
            states.append(self._state(index, handle))
        return states

    def _state(self, index: int, handle: Any) -> GpuState:
        nvml = self._nvml
        memory = self._try(lambda: nvml.nvmlDeviceGetMemoryInfo(handle))
        return GpuState(
            index=index,
            name=_text(self._try(lambda: nvml.nvmlDeviceGetName(handle))) or f"GPU {index}",
            util_percent=self._try(lambda: float(nvml.nvmlDeviceGetUtilizationRates(handle).gpu)),
            mem_used_bytes=self._try(lambda: int(memory.used)),
            mem_total_bytes=self._try(lambda: int(memory.total)),
            temp_c=self._try(lambda: float(nvml.nvmlDeviceGetTemperature(handle, 0))),
            power_w=self._try(lambda: nvml.nvmlDeviceGetPowerUsage(handle) / 1000.0),
        )

    def close(self) -> None:
        if self._count:
            try:
                self._nvml.nvmlShutdown()
            except Exception:  # noqa: BLE001
                pass
            self._count = 0

    @staticmethod
    def _try(read: Any) -> Any:
        try:
            return read()
        except Exception:  # noqa: BLE001 - a field unsupported on this device
            return None


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def process_ids(reader: GpuReader, index: int) -> list[int] | None:
    """The pids of the compute processes on GPU ``index``, or None when NVML cannot tell."""
    nvml = reader._nvml
    try:
        handle = nvml.nvmlDeviceGetHandleByIndex(index)
        return [int(p.pid) for p in nvml.nvmlDeviceGetComputeRunningProcesses(handle)]
    except Exception:  # noqa: BLE001 - unsupported (a fake, an old driver): no answer
        return None
