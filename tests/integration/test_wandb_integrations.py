"""W&B's integrations, unchanged, log into Runicorn runs: Lightning's ``WandbLogger``, Keras'
``wandb.integration.keras`` callbacks and accelerate's ``log_with="wandb"`` tracker, each with the
real library on a tiny CPU model, in a fresh process started with ``RUNICORN_WANDB=1`` (or after
``runicorn.wandb.install()``). What the run holds is read back from its files and compared with
what the library itself reports. (transformers' Trainer: test_wandb_transformers.py.)
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from wandb_shim import metric_rows, only_run, read_json, run_with_shim

from runicorn import format as fmt
from runicorn.artifacts.store import ArtifactStore

LIGHTNING_SCRIPT = """
import importlib.metadata, json, pickle, sys
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning.pytorch as L
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.loggers import CSVLogger, WandbLogger

class MLP(L.LightningModule):
    def __init__(self, hidden=8, lr=0.1):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(4, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.mse_loss(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", nn.functional.mse_loss(self.net(x), y))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)

torch.manual_seed(0)
data = DataLoader(TensorDataset(torch.randn(32, 4), torch.randn(32, 1)), batch_size=8)
# no save_dir: Lightning passes wandb.init(dir="."), and the run still goes to RUNICORN_DIR
wandb_logger = WandbLogger(project="lit", name="mlp", log_model=True)
csv_logger = CSVLogger(sys.argv[2], name="csv")
checkpoints = ModelCheckpoint(dirpath=sys.argv[3], monitor="val_loss", save_top_k=1)
trainer = L.Trainer(max_epochs=3, accelerator="cpu", logger=[wandb_logger, csv_logger], log_every_n_steps=1,
                    callbacks=[checkpoints], enable_progress_bar=False, enable_model_summary=False)
trainer.fit(MLP(), data, data)
wandb_logger.log_image(key="samples", images=[torch.zeros(3, 8, 8)], caption=["zeros"])
wandb_logger.log_table(key="table", columns=["name", "score"], data=[["a", 1.0], ["b", 2.0]])
copy = pickle.loads(pickle.dumps(wandb_logger))  # what a spawned process gets: the same run
copy.log_metrics({"after_pickle": 1.0}, step=99)
import wandb
print(json.dumps({"wandb": wandb.__name__, "version": importlib.metadata.version("wandb"),
                  "run_id": wandb_logger.version, "best": checkpoints.best_model_path,
                  "csv": csv_logger.log_dir}))
"""


@pytest.mark.timeout(150)  # importing torch and lightning on a busy 2-core machine
def test_lightnings_wandb_logger_records_metrics_config_and_best_checkpoint(tmp_path: Path) -> None:
    root = tmp_path / "root"
    done = run_with_shim(tmp_path, LIGHTNING_SCRIPT, str(root), str(tmp_path / "csv"), str(tmp_path / "ckpt"))
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["wandb"] == "runicorn.wandb"  # the script's own `import wandb`
    assert report["version"] == "0.19.0"  # Lightning's 'wandb>=0.12.10' check was answered
    run_dir = only_run(root)  # RUNICORN_DIR, not the working directory Lightning named as dir
    assert not (tmp_path / "lit").exists()
    assert run_dir.name == report["run_id"] and run_dir.parent.parent.name == "mlp"
    assert read_json(run_dir, fmt.CONFIG_FILE) == {"hidden": 8, "lr": 0.1}
    assert read_json(run_dir, fmt.STATUS_FILE)["status"] == "finished"
    meta = read_json(run_dir, fmt.META_FILE)
    assert meta["metrics"]["*"]["step_metric"] == "trainer/global_step"

    with open(Path(report["csv"]) / "metrics.csv", newline="") as f:
        truth = list(csv.DictReader(f))  # what Lightning logged, by its own CSVLogger
    rows = metric_rows(run_dir)
    for key in ("train_loss", "val_loss"):
        expected = {int(r["step"]): float(r[key]) for r in truth if r[key]}
        logged = {r["trainer/global_step"]: r[key] for r in rows if key in r}
        assert len(expected) >= 3 and logged == pytest.approx(expected), key

    assert [r["trainer/global_step"] for r in rows if "after_pickle" in r] == [99]
    records = [fmt.decode_event(line) for line in (run_dir / fmt.EVENTS_FILE).read_bytes().splitlines()]
    assert [r["data"]["key"] for r in records if r and r["type"] == fmt.IMAGE] == ["samples"]
    assert [r["data"]["key"] for r in records if r and r["type"] == fmt.TABLE] == ["table"]

    best = ArtifactStore(root).resolve(f"model-{report['run_id']}:best")
    (entry,) = best.entries
    assert entry["path"] == "model.ckpt" and best.type == "model"
    assert entry["sha256"] == hashlib.sha256(Path(report["best"]).read_bytes()).hexdigest()
    assert best.metadata["original_filename"] == Path(report["best"]).name


KERAS_SCRIPT = """
import json, os, sys
import numpy as np
import wandb
from wandb.integration.keras import WandbCallback, WandbEvalCallback, WandbMetricsLogger, WandbModelCheckpoint
import keras

class PredictionTable(WandbEvalCallback):
    def __init__(self, x, y):
        super().__init__(["index", "target"], ["epoch", "index", "target", "prediction"])
        self.x, self.y = x, y

    def add_ground_truth(self, logs=None):
        for i in range(4):
            self.data_table.add_data(i, float(self.y[i, 0]))

    def add_model_predictions(self, epoch, logs=None):
        predicted = self.model.predict(self.x[:4], verbose=0)
        for i in range(4):
            self.pred_table.add_data(epoch, i, self.data_table_ref.data[i][1], float(predicted[i, 0]))

wandb.init(project="keras", name="mlp", config={"units": 8}, dir=sys.argv[1])
keras.utils.set_random_seed(0)
x = np.random.rand(32, 4).astype("float32")
y = np.random.rand(32, 1).astype("float32")
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
checkpoint = os.path.join(sys.argv[2], "model.keras")
history = model.fit(x, y, epochs=3, batch_size=8, validation_data=(x, y), verbose=0, callbacks=[
    WandbMetricsLogger(log_freq=2), WandbModelCheckpoint(checkpoint), WandbCallback(log_weights=True),
    PredictionTable(x, y)])
run_id = wandb.run.id
wandb.finish()
print(json.dumps({"history": history.history, "run_id": run_id, "checkpoint": checkpoint}))
"""


@pytest.mark.timeout(150)
def test_keras_callbacks_from_wandb_integration_keras_log_epochs_batches_and_checkpoints(
    tmp_path: Path,
) -> None:
    root = tmp_path / "root"
    done = run_with_shim(tmp_path, KERAS_SCRIPT, str(root), str(tmp_path / "ckpt"))
    report = json.loads(done.stdout.strip().splitlines()[-1])
    history = report["history"]
    run_dir = only_run(root)
    rows = metric_rows(run_dir)
    # WandbMetricsLogger: each epoch's metrics as Keras reported them, and every 2nd batch
    epochs = [r for r in rows if "epoch/epoch" in r]
    assert [r["epoch/epoch"] for r in epochs] == [0, 1, 2]
    assert [r["epoch/loss"] for r in epochs] == pytest.approx(history["loss"])
    assert [r["epoch/val_loss"] for r in epochs] == pytest.approx(history["val_loss"])
    assert [r["epoch/learning_rate"] for r in epochs] == pytest.approx([0.05] * 3)
    assert [r["batch/batch_step"] for r in rows if "batch/batch_step" in r] == [0, 2, 4, 6, 8, 10]
    meta = read_json(run_dir, fmt.META_FILE)
    assert meta["metrics"]["batch/*"]["step_metric"] == "batch/batch_step"
    # WandbCallback: the epoch's metrics under Keras' names, the best in the summary
    assert [r["val_loss"] for r in rows if "val_loss" in r] == pytest.approx(history["val_loss"])
    best_epoch = min(range(3), key=lambda e: history["val_loss"][e])
    summary = read_json(run_dir, fmt.SUMMARY_FILE)
    assert summary["best_val_loss"] == pytest.approx(history["val_loss"][best_epoch])
    assert summary["best_epoch"] == best_epoch
    records = [fmt.decode_event(line) for line in (run_dir / fmt.EVENTS_FILE).read_bytes().splitlines()]
    histograms = [r for r in records if r and r["type"] == fmt.HISTOGRAM]
    assert len(histograms) == 3 * 4  # two Dense layers, weights and bias, each epoch
    # WandbEvalCallback: the ground truth once, the predictions each epoch, as tables
    tables = [r["data"]["key"] for r in records if r and r["type"] == fmt.TABLE]
    assert tables == ["val_data", "eval_data", "eval_data", "eval_data"]
    last = [r["data"] for r in records if r and r["type"] == fmt.TABLE][-1]
    assert last["columns"] == ["epoch", "index", "target", "prediction"] and last["rows"] == 4
    # WandbModelCheckpoint: one version per epoch, the last one the file on disk
    store = ArtifactStore(root)
    name = f"run_{report['run_id']}_model"
    assert {"latest", "epoch_0", "epoch_1", "epoch_2"} <= set(store.aliases(name))
    (entry,) = store.resolve(f"{name}:epoch_2").entries
    assert entry["sha256"] == hashlib.sha256(Path(report["checkpoint"]).read_bytes()).hexdigest()
    assert store.resolve("model-mlp:latest").entries[0]["path"] == "model-best.keras"
    assert read_json(run_dir, fmt.STATUS_FILE)["status"] == "finished"


ACCELERATE_SCRIPT = """
import sys
import runicorn.wandb
runicorn.wandb.install()  # instead of RUNICORN_WANDB=1: the one line added to the script

import numpy as np
import torch
from accelerate import Accelerator

accelerator = Accelerator(log_with="wandb", cpu=True)
accelerator.init_trackers("acc", config={"lr": 0.1, "steps": 4}, init_kwargs={"wandb": {"name": "linear"}})
torch.manual_seed(0)
model = torch.nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model, optimizer = accelerator.prepare(model, optimizer)
x, y = torch.randn(16, 4), torch.randn(16, 1)
losses = []
for step in range(4):
    loss = torch.nn.functional.mse_loss(model(x), y)
    accelerator.backward(loss)
    optimizer.step()
    optimizer.zero_grad()
    accelerator.log({"train_loss": loss.item()}, step=step)
    losses.append(loss.item())
accelerator.get_tracker("wandb").log_images({"samples": [np.zeros((8, 8, 3), dtype=np.uint8)]}, step=4)
accelerator.end_training()
print(losses)
"""


@pytest.mark.timeout(150)
def test_accelerates_wandb_tracker_records_config_steps_and_images(tmp_path: Path) -> None:
    done = run_with_shim(tmp_path, ACCELERATE_SCRIPT, env={"RUNICORN_WANDB": "0"})
    losses = json.loads(done.stdout.strip().splitlines()[-1])
    run_dir = only_run(tmp_path / "root")
    assert run_dir.parent.parent.name == "linear" and run_dir.parents[2].name == "acc"
    assert read_json(run_dir, fmt.CONFIG_FILE) == {"lr": 0.1, "steps": 4}
    logged = {r[fmt.STEP_KEY]: r["train_loss"] for r in metric_rows(run_dir) if "train_loss" in r}
    assert logged == pytest.approx(dict(enumerate(losses)))
    records = [fmt.decode_event(line) for line in (run_dir / fmt.EVENTS_FILE).read_bytes().splitlines()]
    images = [r for r in records if r and r["type"] == fmt.IMAGE]
    assert len(images) == 1 and images[0]["data"]["step"] == 4 and images[0]["data"]["key"] == "samples"
    assert read_json(run_dir, fmt.STATUS_FILE)["status"] == "finished"
