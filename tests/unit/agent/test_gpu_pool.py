"""The GPU policy (docs/agent.md#gpus) as a pure function."""

from __future__ import annotations

from runicorn.agent.gpu_pool import GpuView, choose_gpus, cuda_env

GIB = 1 << 30
FREE = [GpuView(0, 40 * GIB, 0), GpuView(1, 40 * GIB, 0)]


def test_a_gpu_is_never_shared_beyond_its_slots() -> None:
    assert choose_gpus(FREE, {0: 1}, 1, slots_per_gpu=1, min_free_bytes=GIB) == (1,)
    assert choose_gpus(FREE, {0: 1, 1: 1}, 1, slots_per_gpu=1, min_free_bytes=GIB) is None
    assert choose_gpus(FREE, {0: 1, 1: 1}, 1, slots_per_gpu=2, min_free_bytes=GIB) == (0,)


def test_gpus_of_others_or_without_memory_are_busy() -> None:
    views = [GpuView(0, 40 * GIB, 1), GpuView(1, GIB // 2, 0), GpuView(2, 40 * GIB, 0)]
    assert choose_gpus(views, {}, 1, 1, GIB) == (2,)
    assert choose_gpus(views, {}, 2, 1, GIB) is None


def test_ids_are_given_in_increasing_order_and_named_in_pci_order() -> None:
    views = [GpuView(3, None, 0), GpuView(1, None, 0)]
    assert choose_gpus(views, {}, 2, 1, GIB) == (1, 3)
    assert choose_gpus(views, {}, (3,), 1, GIB) == (3,)
    assert cuda_env((1, 3)) == {"CUDA_DEVICE_ORDER": "PCI_BUS_ID", "CUDA_VISIBLE_DEVICES": "1,3"}


def test_cpu_jobs_need_no_gpu() -> None:
    assert choose_gpus([], {}, 0, 1, GIB) == ()
