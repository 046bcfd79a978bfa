"""The system sampler: a daemon thread writing ``system`` records (CPU, RAM, each GPU) into the
run's events, the first one at start and then every ``interval_s``. No NVIDIA driver means no GPU
keys, silently; no /proc (macOS, Windows) means no CPU/RAM keys."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.gpu import GpuReader

log = logging.getLogger("runicorn")
FIRST_SAMPLE_S = 0.2  # the first sample is taken this long after the run starts


class CpuMeter:
    """Whole-machine CPU utilisation from /proc/stat, as the change between two reads."""

    def __init__(self, stat_path: Path = Path("/proc/stat")) -> None:
        self._path = stat_path
        self._last = self._read()

    def _read(self) -> tuple[int, int] | None:
        try:
            first = self._path.read_text().split("\n", 1)[0].split()
            values = [int(v) for v in first[1:]]
        except (OSError, ValueError, IndexError):
            return None
        idle = values[3] + (values[4] if len(values) > 4 else 0)
        return sum(values), idle

    def percent(self) -> float | None:
        now = self._read()
        last, self._last = self._last, now
        if now is None or last is None or now[0] <= last[0]:
            return None
        busy = (now[0] - last[0]) - (now[1] - last[1])
        return round(100.0 * busy / (now[0] - last[0]), 2)


def ram_bytes(meminfo: Path = Path("/proc/meminfo")) -> tuple[int, int] | None:
    """(used, total) bytes of RAM; used = MemTotal - MemAvailable."""
    try:
        fields = {}
        for line in meminfo.read_text().splitlines():
            key, _, rest = line.partition(":")
            fields[key] = int(rest.split()[0]) * 1024
        return fields["MemTotal"] - fields["MemAvailable"], fields["MemTotal"]
    except (OSError, ValueError, KeyError, IndexError):
        return None


class SystemSampler:
    def __init__(self, sink: deque[bytes], interval_s: float, nvml: Any | None = None) -> None:
        self._sink = sink
        self._interval_s = interval_s
        self._nvml = nvml
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="runicorn-system", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(2.0)

    def sample(self, gpus: GpuReader, cpu: CpuMeter) -> dict[str, float]:
        data: dict[str, float] = {}
        percent = cpu.percent()
        if percent is not None:
            data[fmt.SYSTEM_CPU_PERCENT] = percent
        ram = ram_bytes()
        if ram is not None:
            data[fmt.SYSTEM_RAM_USED_BYTES], data[fmt.SYSTEM_RAM_TOTAL_BYTES] = ram
        for gpu in gpus.read():
            for field in fmt.GPU_FIELDS:
                value = getattr(gpu, field)
                if value is not None:
                    data[fmt.gpu_key(gpu.index, field)] = value
        return data

    def _loop(self) -> None:
        try:
            gpus = GpuReader(self._nvml)
            cpu = CpuMeter()
        except Exception:  # noqa: BLE001
            log.debug("runicorn: system sampler could not start", exc_info=True)
            return
        try:
            # The first sample at start (CPU over its first FIRST_SAMPLE_S), even when the run
            # is finished sooner: a short run has its machine's state too.
            self._stop.wait(min(FIRST_SAMPLE_S, self._interval_s))
            self._record(gpus, cpu)
            while not self._stop.wait(self._interval_s):
                self._record(gpus, cpu)
        finally:
            gpus.close()

    def _record(self, gpus: GpuReader, cpu: CpuMeter) -> None:
        try:
            now = time.time()
            data = self.sample(gpus, cpu)
            if data:
                data[fmt.TIME_KEY] = now
                self._sink.append(fmt.encode_event(fmt.SYSTEM, data, now))
        except Exception:  # noqa: BLE001 - sampling must never disturb training
            log.debug("runicorn: system sample failed", exc_info=True)
