"""The system sampler writes CPU/RAM/GPU records; GPUs come through NVML (faked: no GPU here)."""

from __future__ import annotations

import time
from pathlib import Path

from fake_nvml import FakeGpu, FakeNvml  # type: ignore[import-not-found]

import runicorn as rn
from runicorn import format as fmt
from runicorn.gpu import GpuReader
from runicorn.sdk.run import Run
from runicorn.sdk.sink import RunRequest
from runicorn.settings import resolve

TWO_GPUS = FakeNvml(
    FakeGpu("Fake H100", util_percent=40, memory_used=1 << 30, temperature_c=60),
    FakeGpu("Fake H100", util_percent=41, memory_used=1 << 30, temperature_c=60),
)


class BrokenNvml(FakeNvml):
    def nvmlInit(self) -> None:
        raise OSError("libnvidia-ml.so.1: cannot open shared object file")


def test_gpu_reader_reports_every_device() -> None:
    gpus = GpuReader(TWO_GPUS).read()
    assert [g.index for g in gpus] == [0, 1]
    assert gpus[1].util_percent == 41 and gpus[0].power_w == 250.0 and gpus[0].name == "Fake H100"


def test_no_driver_means_unavailable_with_a_reason() -> None:
    reader = GpuReader(BrokenNvml())
    assert not reader.available and "no NVIDIA GPU" in reader.unavailable_reason and reader.read() == []


def test_sampler_writes_system_records_with_gpu_keys(storage_root: Path) -> None:
    settings = resolve(storage=storage_root, system_interval_s=0.05, flush_interval_s=0.05)
    run = Run(settings, RunRequest("demo", "sys", capture_console=False), nvml=TWO_GPUS)
    deadline = time.time() + 5
    records: list[dict] = []
    while time.time() < deadline and len(records) < 2:
        time.sleep(0.1)
        raw = (run.dir / fmt.EVENTS_FILE).read_bytes() if (run.dir / fmt.EVENTS_FILE).exists() else b""
        records = [fmt.decode_event(line) for line in fmt.split_complete_lines(raw)[0]]
    run.finish()
    assert len(records) >= 2 and all(r["type"] == fmt.SYSTEM for r in records)
    data = records[-1]["data"]
    assert data[fmt.gpu_key(1, "util_percent")] == 41 and data[fmt.gpu_key(0, "power_w")] == 250.0
    assert data[fmt.SYSTEM_RAM_TOTAL_BYTES] > 0 and 0 <= data[fmt.SYSTEM_CPU_PERCENT] <= 100


def test_sampler_without_gpu_still_runs(storage_root: Path) -> None:
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=True)
    run.finish()  # starting and stopping with no NVIDIA driver is silent and quick
    assert fmt.read_json(run.dir / fmt.STATUS_FILE)["status"] == fmt.FINISHED


def test_a_run_shorter_than_the_interval_has_its_first_sample(storage_root: Path) -> None:
    settings = resolve(storage=storage_root, system_interval_s=10.0)
    run = Run(settings, RunRequest("demo", "short", capture_console=False), nvml=TWO_GPUS)
    run.log({"loss": 1.0})
    run.finish()  # long before the first 10 s interval
    raw = (run.dir / fmt.EVENTS_FILE).read_bytes()
    records = [fmt.decode_event(line) for line in fmt.split_complete_lines(raw)[0]]
    system = [r["data"] for r in records if r["type"] == fmt.SYSTEM]
    assert len(system) == 1 and system[0][fmt.gpu_key(0, "util_percent")] == 40
