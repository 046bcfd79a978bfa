"""``wandb.watch`` / ``wandb.unwatch``: histograms of a torch model's gradients and parameters.

W&B's counting: a gradient's histogram is taken every ``log_freq``-th backward pass through that
parameter (a hook on the parameter's tensor), the parameters' every ``log_freq``-th forward pass
of the model in training mode (a forward hook; passes in eval mode are not counted). The first
is taken at the ``log_freq``-th pass, not the first. Each histogram (64 bins computed by torch
where the tensor lives, so a large model costs 64 numbers, not a copy of the tensor; non-finite
values left out) goes to ``run.log_histogram`` under ``gradients/<name>`` or
``parameters/<name>`` at the run's current step. The second model watched in a run gets names
prefixed ``graph_1.``, the third ``graph_2.``, and so on.

Hooks are removed by :func:`unwatch`, and by the first hook call after the run finished.
torch is imported only when ``watch`` is called on a model: ``import runicorn.wandb`` stays light.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from runicorn.errors import ConfigError

__all__ = ["watch", "unwatch"]

NUM_BINS = 64
LOG_CHOICES = ("gradients", "parameters", "all", None)
# emit(key, counts, edges, step): where a histogram goes; by default the run's log_histogram.
Emit = Callable[[str, list[int], list[float], "int | None"], None]

log = logging.getLogger("runicorn")


class _Watch:
    """The hooks of one watched model."""

    def __init__(
        self, run: Any, model: Any, prefix: str, log_what: str | None, log_freq: int, emit: Emit
    ) -> None:
        self.run, self.model, self.prefix = run, model, prefix
        self.log_freq, self.emit = log_freq, emit
        self.handles: list[Any] = []
        self._forward_calls = 0
        self._backward_calls: dict[str, int] = {}
        if log_what in ("parameters", "all"):
            self.handles.append(model.register_forward_hook(self._on_forward))
        if log_what in ("gradients", "all"):
            for name, param in model.named_parameters():
                if param.requires_grad:
                    self.handles.append(param.register_hook(self._gradient_hook(name)))

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()
        self.handles.clear()

    def _run_over(self) -> bool:
        if getattr(self.run, "finished", False):
            _forget(self)
            return True
        return False

    def _on_forward(self, module: Any, inputs: Any, output: Any) -> None:
        if not module.training or self._run_over():
            return
        self._forward_calls += 1
        if self._forward_calls < self.log_freq:
            return
        self._forward_calls = 0
        for name, param in module.named_parameters():
            self._histogram(f"parameters/{self.prefix}{name}", param)

    def _gradient_hook(self, name: str) -> Callable[[Any], None]:
        def on_gradient(grad: Any) -> None:
            if self._run_over():
                return
            calls = self._backward_calls.get(name, 0) + 1
            if calls < self.log_freq:
                self._backward_calls[name] = calls
                return
            self._backward_calls[name] = 0
            self._histogram(f"gradients/{self.prefix}{name}", grad)

        return on_gradient

    def _histogram(self, key: str, tensor: Any) -> None:
        try:
            counts, edges = histogram(tensor)
            if counts:
                self.emit(key, counts, edges, None)
        except Exception as exc:  # noqa: BLE001 - the training loop never sees our failures
            log.warning("runicorn: wandb.watch could not record %s: %r", key, exc)


def histogram(tensor: Any, num_bins: int = NUM_BINS) -> tuple[list[int], list[float]]:
    """``(counts, edges)`` of a tensor's finite values: ``num_bins`` equal bins from its smallest
    to its largest value (one bin around the value when all are equal); empty when none is finite."""
    import torch

    flat = tensor.detach().reshape(-1)
    if not flat.is_floating_point():
        flat = flat.float()
    flat = flat[torch.isfinite(flat)]
    if flat.numel() == 0:
        return [], []
    flat = flat.float()
    lo, hi = float(flat.min()), float(flat.max())
    if lo == hi:
        return [int(flat.numel())], [lo - 0.5, hi + 0.5]
    counts = torch.histc(flat, bins=num_bins, min=lo, max=hi)
    edges = torch.linspace(lo, hi, num_bins + 1)
    return [int(c) for c in counts.tolist()], [float(e) for e in edges.tolist()]


_watches: list[_Watch] = []


def watch(
    models: Any,
    criterion: Any = None,
    log: str | None = "gradients",
    log_freq: int = 1000,
    idx: int | None = None,
    log_graph: bool = False,
    *,
    run: Any = None,
    emit: Emit | None = None,
) -> list[Any]:
    """Record histograms of ``models``' gradients and/or parameters every ``log_freq`` passes.

    ``models``: a torch module or a list of them. ``log``: ``"gradients"`` (default),
    ``"parameters"``, ``"all"`` or None (nothing). ``criterion`` and ``idx`` are accepted for
    compatibility; ``log_graph=True`` is not supported offline (a warning). ``run``: the run to
    record into (default: ``runicorn.wandb.run``). Returns the watched modules.
    """
    if log not in LOG_CHOICES:
        raise ConfigError(f"wandb.watch log={log!r}", "use 'gradients', 'parameters', 'all' or None")
    if not isinstance(log_freq, int) or isinstance(log_freq, bool) or log_freq < 1:
        raise ConfigError(f"wandb.watch log_freq={log_freq!r}", "give a whole number of steps, 1 or more")
    module_list = list(models) if isinstance(models, (list, tuple)) else [models]
    if "torch" not in sys.modules:
        raise ConfigError("wandb.watch needs torch models", "pass a torch.nn.Module (or a list of them)")
    import torch

    for m in module_list:
        if not isinstance(m, torch.nn.Module):
            raise ConfigError(
                f"wandb.watch got a {type(m).__name__}, not a torch.nn.Module",
                "pass the model, e.g. wandb.watch(model)",
            )
    if log_graph:
        log_warning = logging.getLogger("runicorn").warning
        log_warning(
            "runicorn: wandb.watch(log_graph=True) is not supported offline; the graph is not recorded"
        )
    target = run if run is not None else _current_run()
    if emit is None:
        emit = _run_emit(target)
    if log is None:
        return module_list
    for model in module_list:
        n = sum(1 for w in _watches if w.run is target)
        _watches.append(_Watch(target, model, f"graph_{n}." if n else "", log, log_freq, emit))
    return module_list


def unwatch(models: Any = None, *, run: Any = None) -> None:
    """Remove the hooks :func:`watch` installed: on ``models`` (a module or a list), or on every
    model watched (in ``run``, when given)."""
    if models is None:
        chosen = [w for w in _watches if run is None or w.run is run]
    else:
        wanted = list(models) if isinstance(models, (list, tuple)) else [models]
        chosen = [w for w in _watches if any(w.model is m for m in wanted)]
    for w in chosen:
        _forget(w)


def _forget(w: _Watch) -> None:
    w.remove()
    if w in _watches:
        _watches.remove(w)


def _current_run() -> Any:
    wandb_module = sys.modules.get("runicorn.wandb")
    current = getattr(wandb_module, "run", None)
    if current is None:
        raise ConfigError("wandb.watch before wandb.init", "call wandb.init() first, then wandb.watch(model)")
    return current


def _run_emit(run: Any) -> Emit:
    sdk = getattr(run, "_sdk", run)  # a runicorn.wandb Run records through the SDK run under it

    def emit(key: str, counts: list[int], edges: list[float], step: int | None) -> None:
        at = step if step is not None else getattr(run, "step", None)  # W&B's current step
        sdk.log_histogram(key, counts=counts, edges=edges, step=at)

    return emit
