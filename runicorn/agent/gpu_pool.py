"""Which GPUs a job may have: the GPU policy of docs/agent.md#gpus.

A GPU is free for one more job when all of these hold:

- the agent manages it (``--gpus auto`` = every GPU NVML sees, or the listed indices);
- fewer than ``--slots-per-gpu`` jobs of this agent use it;
- no process of anyone else computes on it (NVML's compute processes whose environment does not
  name a job of this agent);
- its free memory is at least ``--min-free-mem`` (when NVML reports memory).

A job gets the free GPUs with the fewest jobs on them (then the lowest index), named in
``CUDA_VISIBLE_DEVICES`` by their NVML index in increasing order with ``CUDA_DEVICE_ORDER=
PCI_BUS_ID``, NVML's own order, so CUDA numbers them the same way. :func:`choose_gpus` is pure;
:class:`GpuCensus` reads NVML.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from runicorn import format as fmt
from runicorn.gpu import GpuReader, process_ids


@dataclass(frozen=True)
class GpuView:
    index: int
    free_bytes: int | None  # None: NVML did not say
    foreign_processes: int  # compute processes not started by this agent


def choose_gpus(
    views: Iterable[GpuView],
    jobs_on: Mapping[int, int],
    want: int | tuple[int, ...],
    slots_per_gpu: int,
    min_free_bytes: int,
) -> tuple[int, ...] | None:
    """The GPUs to give a job wanting ``want`` GPUs (a count, or these indices), in increasing
    order; None when not enough are free now. ``jobs_on``: jobs of this agent per GPU index."""

    def free(v: GpuView) -> bool:
        return (
            jobs_on.get(v.index, 0) < slots_per_gpu
            and v.foreign_processes == 0
            and (v.free_bytes is None or v.free_bytes >= min_free_bytes)
        )

    candidates = [v for v in views if free(v)]
    if isinstance(want, tuple):
        free_ids = {v.index for v in candidates}
        return tuple(sorted(want)) if set(want) <= free_ids else None
    if want <= 0:
        return ()
    if len(candidates) < want:
        return None
    candidates.sort(key=lambda v: (jobs_on.get(v.index, 0), v.index))
    return tuple(sorted(v.index for v in candidates[:want]))


def cuda_env(gpu_ids: tuple[int, ...]) -> dict[str, str]:
    return {"CUDA_DEVICE_ORDER": "PCI_BUS_ID", "CUDA_VISIBLE_DEVICES": ",".join(str(i) for i in gpu_ids)}


def is_agent_process(pid: int) -> bool:
    """Whether process ``pid`` was started for a job of an agent (its environment names one).
    A process we may not read (another user's) is not ours."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            environ = f.read()
    except OSError:
        return False
    return any(item.startswith(fmt.AGENT_JOB_ENV.encode() + b"=") for item in environ.split(b"\0"))


def gpu_indices(text: str, flag: str) -> list[int]:
    """``0,1,3`` as GPU indices; ConfigError naming ``flag`` for anything else."""
    from runicorn.errors import ConfigError

    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        raise ConfigError(
            f"{flag} {text!r} is not a list of GPU indices",
            f"give indices as nvidia-smi shows them: {flag} 0,1",
        )
    return [int(p) for p in parts]


class GpuCensus:
    """The managed GPUs as :class:`GpuView` values, read from NVML (``nvml``: a module like
    ``pynvml``; tests pass a fake)."""

    def __init__(self, nvml: ModuleType | Any | None, managed: str = "auto") -> None:
        self.reader = GpuReader(nvml) if managed != "none" else None
        seen = list(range(len(self.reader.read()))) if self.reader is not None else []
        if managed in ("auto", "none"):
            self.indices = seen
        else:
            self.indices = gpu_indices(managed, "--gpus")
            missing = sorted(set(self.indices) - set(seen))
            if missing:
                from runicorn.errors import ConfigError

                raise ConfigError(
                    f"--gpus {managed}: no GPU {', '.join(map(str, missing))} on this machine "
                    f"({len(seen)} seen by NVML)",
                    "list GPU indices as nvidia-smi shows them, or use --gpus auto",
                )

    def views(self) -> list[GpuView]:
        if self.reader is None or not self.indices:
            return []
        out = []
        by_index = {s.index: s for s in self.reader.read()}
        for index in self.indices:
            state = by_index.get(index)
            if state is None:
                continue
            total, used = state.mem_total_bytes, state.mem_used_bytes
            pids = process_ids(self.reader, index) or []
            foreign = sum(1 for pid in pids if pid != os.getpid() and not is_agent_process(pid))
            out.append(
                GpuView(index, total - used if total is not None and used is not None else None, foreign)
            )
        return out

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()
