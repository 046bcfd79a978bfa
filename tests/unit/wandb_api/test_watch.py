"""wandb.watch on a real torch model: histograms of gradients and parameters every log_freq
passes, under W&B's keys, hooks gone after unwatch or the run's end.

The histograms are caught through watch's ``emit`` seam (by default ``run.log_histogram``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import runicorn
from runicorn.errors import ConfigError
from runicorn.wandb.watch import histogram, unwatch, watch

torch = pytest.importorskip("torch")
REPO = Path(__file__).resolve().parents[3]


class Caught:
    def __init__(self) -> None:
        self.calls: list[tuple[str, list[int], list[float], int | None]] = []

    def __call__(self, key: str, counts: list[int], edges: list[float], step: int | None) -> None:
        self.calls.append((key, counts, edges, step))

    def keys(self) -> list[str]:
        return [c[0] for c in self.calls]


def _model() -> Any:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))


def _train_step(model: Any) -> None:
    x = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    loss = model(x).pow(2).mean()
    model.zero_grad()
    loss.backward()


def _hooks(model: Any) -> int:
    tensor_hooks = sum(len(p._backward_hooks or {}) for p in model.parameters())
    return tensor_hooks + len(model._forward_hooks)


@pytest.fixture
def run(storage_root: Path) -> Any:
    r = runicorn.init(
        project="demo", name="watch", storage=storage_root, capture_console=False, system_metrics=False
    )
    yield r
    r.finish()


def test_gradients_are_recorded_every_log_freq_backward_passes_under_their_names(run: Any) -> None:
    model, caught = _model(), Caught()
    watch(model, log="gradients", log_freq=3, run=run, emit=caught)
    for _ in range(2):
        _train_step(model)
    assert caught.calls == []  # the first histogram comes at the 3rd pass, as in W&B
    _train_step(model)
    names = ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert sorted(caught.keys()) == sorted(f"gradients/{n}" for n in names)
    grads = dict(model.named_parameters())
    for key, counts, edges, step in caught.calls:
        grad = grads[key.removeprefix("gradients/")].grad
        assert sum(counts) == grad.numel()
        if len(counts) == 1:  # one value (the last layer's bias): one bin around it
            assert (edges[0] + edges[-1]) / 2 == pytest.approx(float(grad.min()))
        else:
            assert edges[0] == pytest.approx(float(grad.min())) and edges[-1] == pytest.approx(
                float(grad.max())
            )
        assert step is None  # the run's current step
    for _ in range(3):
        _train_step(model)
    assert len(caught.calls) == 8
    unwatch(model)


def test_parameters_are_recorded_every_log_freq_training_forward_passes(run: Any) -> None:
    model, caught = _model(), Caught()
    with torch.no_grad():
        model[0].weight.copy_(
            torch.tensor([[0.0, 1.0, 2.0], [3.0, 0.0, 1.0], [2.0, 3.0, 0.0], [1.0, 2.0, 3.0]])
        )
    watch(model, log="parameters", log_freq=2, run=run, emit=caught)
    x = torch.ones(1, 3)
    model.eval()
    model(x)
    model(x)  # passes in eval mode do not count
    model.train()
    model(x)
    assert caught.calls == []
    model(x)
    assert sorted(caught.keys()) == sorted(f"parameters/{n}" for n, _ in model.named_parameters())
    key, counts, edges, _ = next(c for c in caught.calls if c[0] == "parameters/0.weight")
    assert sum(counts) == 12 and edges[0] == 0.0 and edges[-1] == 3.0 and len(counts) == 64
    # the values 0, 1, 2, 3 three times each: the first, 22nd, 43rd and last bins
    assert {i: c for i, c in enumerate(counts) if c} == {0: 3, 21: 3, 42: 3, 63: 3}
    unwatch()


def test_all_records_both_and_unwatch_removes_every_hook(run: Any) -> None:
    model, caught = _model(), Caught()
    before = _hooks(model)
    watch(model, log="all", log_freq=1, run=run, emit=caught)
    assert _hooks(model) == before + 5  # one forward hook, one per parameter
    _train_step(model)
    assert {k.split("/")[0] for k in caught.keys()} == {"gradients", "parameters"}
    unwatch(model)
    assert _hooks(model) == before
    caught.calls.clear()
    _train_step(model)
    assert caught.calls == []


def test_hooks_go_away_once_the_run_has_finished(run: Any) -> None:
    model, caught = _model(), Caught()
    watch(model, log="gradients", log_freq=1, run=run, emit=caught)
    run.finish()
    _train_step(model)
    assert caught.calls == []
    assert _hooks(model) == 0


def test_a_second_model_gets_a_graph_prefix(run: Any) -> None:
    first, second, caught = _model(), _model(), Caught()
    watch([first, second], log="parameters", log_freq=1, run=run, emit=caught)
    first(torch.ones(1, 3))
    second(torch.ones(1, 3))
    assert "parameters/0.weight" in caught.keys() and "parameters/graph_1.0.weight" in caught.keys()
    unwatch()


def test_bad_arguments_are_refused(run: Any) -> None:
    with pytest.raises(ConfigError):
        watch(_model(), log="weights", run=run, emit=Caught())
    with pytest.raises(ConfigError):
        watch(_model(), log_freq=0, run=run, emit=Caught())
    with pytest.raises(ConfigError):
        watch(object(), run=run, emit=Caught())


def test_histogram_leaves_out_non_finite_values_and_handles_a_constant_tensor() -> None:
    counts, edges = histogram(torch.tensor([1.0, float("nan"), 3.0, float("inf")]))
    assert sum(counts) == 2 and edges[0] == 1.0 and edges[-1] == 3.0
    assert histogram(torch.full((5,), 2.0)) == ([5], [1.5, 2.5])
    assert histogram(torch.tensor([float("nan")])) == ([], [])


def test_importing_the_wandb_surface_does_not_import_torch() -> None:
    code = (
        "import sys, runicorn.wandb, runicorn.wandb.watch, runicorn.wandb.sweeps\n"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=50)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
