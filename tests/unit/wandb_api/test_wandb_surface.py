"""The whole `import runicorn.wandb as wandb` surface working together, as a W&B script uses it:
data types through wandb.log, watch into a wandb.init run, a sweep whose trials call wandb.init,
save and artifacts through the W&B run, alert into the run."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from wandb_runs import QUIET

import runicorn.wandb as wandb
from runicorn import format as fmt
from runicorn.sweep import open_sweep

np = pytest.importorskip("numpy")


def records(run_dir: str | Path, kind: str) -> list[dict[str, Any]]:
    lines, _ = fmt.split_complete_lines((Path(run_dir) / fmt.EVENTS_FILE).read_bytes())
    decoded = (fmt.decode_event(line) for line in lines)
    return [r["data"] for r in decoded if r is not None and r["type"] == kind]


def test_data_types_and_lists_of_them_land_as_media_at_the_wandb_step(storage_root: Path) -> None:
    pytest.importorskip("PIL")
    run = wandb.init(project="p", dir=storage_root, settings=QUIET)
    frame = np.zeros((4, 4, 3), dtype=np.uint8)
    wandb.log({"loss": 1.0, "h": wandb.Histogram(np.arange(100.0))}, step=3)
    wandb.log({"samples": [wandb.Image(frame), wandb.Image(frame + 9)], "loss": 0.5}, step=4)
    wandb.finish()

    histograms = records(run.sync_dir, fmt.HISTOGRAM)
    assert [(h["key"], h["step"], sum(h["counts"])) for h in histograms] == [("h", 3, 100)]
    images = records(run.sync_dir, fmt.IMAGE)
    assert [(i["key"], i["step"]) for i in images] == [("samples", 4), ("samples", 4)]
    assert [r["loss"] for r in records(run.sync_dir, fmt.METRICS)] == [1.0, 0.5]


def test_watch_records_gradient_histograms_into_the_wandb_run(storage_root: Path) -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    run = wandb.init(project="p", dir=storage_root, settings=QUIET)
    wandb.watch(model, log="gradients", log_freq=2)
    for step in range(4):
        loss = model(torch.randn(8, 3)).pow(2).mean()
        loss.backward()
        wandb.log({"loss": loss.item()}, step=step)
    wandb.finish()

    keys = {h["key"] for h in records(run.sync_dir, fmt.HISTOGRAM)}
    assert keys == {f"gradients/{name}" for name, _ in model.named_parameters()}
    assert not model[0].weight._backward_hooks  # hooks went with the run


def test_a_sweep_whose_function_calls_wandb_init_gets_each_trials_config(storage_root: Path) -> None:
    sweep_id = wandb.sweep(
        {
            "method": "grid",
            "metric": {"name": "score", "goal": "maximize"},
            "parameters": {"lr": {"values": [0.1, 0.2]}, "depth": {"values": [1, 2]}},
        },
        project="demo",
        storage=storage_root,
    )

    def train() -> None:
        run = wandb.init(dir=storage_root, config={"lr": 99, "seed": 7}, settings=QUIET)
        wandb.log({"score": run.config.lr * run.config.depth})  # no finish: the agent ends the run

    assert wandb.agent(sweep_id, function=train, storage=storage_root) == 4
    trials = open_sweep(storage_root, sweep_id).trials()
    assert sorted((t["params"]["lr"], t["params"]["depth"]) for t in trials) == [
        (0.1, 1),
        (0.1, 2),
        (0.2, 1),
        (0.2, 2),
    ]
    for trial in trials:
        run_dir = storage_root / str(trial["run_path"])
        config = fmt.read_json(run_dir / fmt.CONFIG_FILE) or {}
        assert config == {**trial["params"], "seed": 7}  # the sweep's values win
        assert sweep_id in (fmt.read_json(run_dir / fmt.META_FILE) or {})["tags"]
        assert (fmt.read_json(run_dir / fmt.STATUS_FILE) or {})["status"] == fmt.FINISHED
        assert trial["metric"] == pytest.approx(trial["params"]["lr"] * trial["params"]["depth"])


def test_save_and_an_artifact_logged_by_one_run_and_used_by_another_process(
    storage_root: Path, tmp_path: Path
) -> None:
    weights = tmp_path / "model.bin"
    weights.write_bytes(b"weights v0")
    run = wandb.init(project="p", dir=storage_root, settings=QUIET)
    run.save(str(weights), base_path=str(tmp_path), policy="now")
    artifact = wandb.Artifact("mlp", type="model")
    artifact.add_file(str(weights))
    run.log_artifact(artifact, aliases=["best"])
    wandb.finish()
    assert (Path(run.dir) / "model.bin").read_bytes() == b"weights v0"

    user = textwrap.dedent(
        f"""
        import sys
        import runicorn.wandb as wandb
        run = wandb.init(project="q", dir={str(storage_root)!r}, settings={{"console": "off"}})
        folder = run.use_artifact("mlp:best").download(root={str(tmp_path / "got")!r})
        print(open(folder + "/model.bin").read())
        wandb.finish()
        """
    )
    out = subprocess.run([sys.executable, "-c", user], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "weights v0"


def test_wandb_alert_is_recorded_in_the_run(storage_root: Path) -> None:
    run = wandb.init(project="p", dir=storage_root, settings=QUIET)
    wandb.alert("diverged", "loss is nan", level=wandb.AlertLevel.WARN)
    wandb.alert("done", "all good")
    wandb.finish()
    alerts = records(run.sync_dir, fmt.ALERT)
    assert [(a["title"], a["text"], a["level"]) for a in alerts] == [
        ("diverged", "loss is nan", "warning"),
        ("done", "all good", "info"),
    ]


def test_an_artifact_that_cannot_be_logged_warns_once_and_the_script_goes_on(
    storage_root: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    run = wandb.init(project="p", dir=storage_root, settings=QUIET)
    try:
        assert wandb.log_artifact(str(tmp_path / "missing.pt"), name="weights", type="model") is None
        assert run.log_artifact(str(tmp_path / "missing.pt")) is None
    finally:
        wandb.finish()
    warned = [r.getMessage() for r in caplog.records if "log_artifact skipped" in r.getMessage()]
    assert len(warned) == 2 and "missing.pt" in warned[0]
