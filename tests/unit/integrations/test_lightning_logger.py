"""RunicornLogger under a real Lightning Trainer on CPU (a 2-layer MLP on random tensors), checked the
way Lightning checks its own loggers: which metric keys arrive at which step during fit and test,
hyper-parameters of every kind Lightning passes, and a logger that survives pickling."""

from __future__ import annotations

import pickle
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import pytest
import torch
from run_rows import metric_rows, only_run
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from runicorn import format as fmt
from runicorn.artifacts.store import ArtifactStore

L = pytest.importorskip("lightning.pytorch")
from lightning.pytorch.utilities.parsing import AttributeDict  # noqa: E402

from runicorn.integrations.lightning import RunicornLogger  # noqa: E402

pytestmark = [
    pytest.mark.filterwarnings("ignore::lightning.fabric.utilities.warnings.PossibleUserWarning"),
    pytest.mark.filterwarnings("ignore:.*LeafSpec.*:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:.*LeafSpec.*:FutureWarning"),
]


class TinyMLP(L.LightningModule):
    def __init__(self, hidden: int = 8, lr: float = 0.1) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(4, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def _loss(self, batch):
        x, y = batch
        return nn.functional.mse_loss(self.net(x), y)

    def training_step(self, batch, batch_idx):
        loss = self._loss(batch)
        self.log("train_some_val", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        self.log("val_loss", self._loss(batch))

    def test_step(self, batch, batch_idx):
        self.log("test_loss", self._loss(batch))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


def loader(n: int = 16) -> DataLoader:
    g = torch.Generator().manual_seed(0)
    return DataLoader(
        TensorDataset(torch.randn(n, 4, generator=g), torch.randn(n, 1, generator=g)), batch_size=8
    )


def trainer(logger: RunicornLogger, **kwargs) -> L.Trainer:
    return L.Trainer(
        max_epochs=2,
        accelerator="cpu",
        logger=logger,
        log_every_n_steps=1,
        enable_progress_bar=False,
        enable_model_summary=False,
        **kwargs,
    )


def test_fit_validate_test_write_one_run_with_lightnings_keys_and_steps(storage_root: Path) -> None:
    logger = RunicornLogger(
        project="demo", name="mlp", storage=storage_root, tags=["cpu"], capture_console=False
    )
    t = trainer(logger)
    model = TinyMLP()
    t.fit(model, loader(), loader())
    t.validate(model, loader())
    t.test(model, loader())

    run = only_run(storage_root)
    assert logger.version == run.name and logger.log_dir == str(run)
    assert logger.root_dir == str(run.parent.parent) and logger.save_dir == str(storage_root / "demo")
    keys_at = [(row[fmt.STEP_KEY], sorted(k for k in row if k != fmt.STEP_KEY)) for row in metric_rows(run)]
    # 2 batches an epoch: training steps 0..3, validation at the last step of each epoch
    assert keys_at == [
        (0, ["epoch", "train_some_val"]),
        (1, ["epoch", "train_some_val"]),
        (1, ["epoch", "val_loss"]),
        (2, ["epoch", "train_some_val"]),
        (3, ["epoch", "train_some_val"]),
        (3, ["epoch", "val_loss"]),
        (4, ["epoch", "val_loss"]),  # validate() after fit
        (4, ["epoch", "test_loss"]),  # test()
    ]
    assert fmt.read_json(run / fmt.CONFIG_FILE) == {"hidden": 8, "lr": 0.1}
    assert fmt.read_json(run / fmt.STATUS_FILE)["status"] == "finished"
    assert fmt.read_json(run / fmt.META_FILE)["tags"] == ["cpu"]


def test_hyperparams_of_every_kind_lightning_passes_land_in_the_config(storage_root: Path) -> None:
    logger = RunicornLogger(
        project="demo", name="hp", storage=storage_root, config={"seed": 1}, capture_console=False
    )
    logger.log_hyperparams(Namespace(lr=0.1, opt=Namespace(name="sgd", momentum=0.9)))
    logger.log_hyperparams({"layers": [8, 1], "data": {"root": Path("/data"), "n": 16}})
    logger.log_hyperparams(AttributeDict(batch_size=8, act=nn.ReLU))
    logger.finalize("success")
    config = fmt.read_json(only_run(storage_root) / fmt.CONFIG_FILE)
    assert config == {
        "seed": 1,
        "lr": 0.1,
        "opt": {"name": "sgd", "momentum": 0.9},
        "layers": [8, 1],
        "data": {"root": "/data", "n": 16},
        "batch_size": 8,
        "act": str(nn.ReLU),
    }


@pytest.mark.parametrize(("lightning_status", "ours"), [("success", "finished"), ("failed", "failed")])
def test_finalize_maps_lightnings_status_to_the_runs(
    storage_root: Path, lightning_status: str, ours: str
) -> None:
    logger = RunicornLogger(project="demo", name="st", storage=storage_root, capture_console=False)
    logger.log_metrics({"loss": 1.0}, step=0)
    logger.finalize(lightning_status)
    assert fmt.read_json(only_run(storage_root) / fmt.STATUS_FILE)["status"] == ours


def test_a_pickled_trainer_logs_into_the_same_run(storage_root: Path) -> None:
    logger = RunicornLogger(project="demo", name="pkl", storage=storage_root, capture_console=False)
    logger.log_metrics({"acc": 0.5}, step=0)  # a run open before pickling
    copy = pickle.loads(pickle.dumps(trainer(logger)))
    copy.logger.log_metrics({"acc": 1.0}, step=1)
    copy.logger.finalize("success")
    assert copy.logger.name == logger.name and copy.logger.version == logger.version
    run = only_run(storage_root)
    assert [row["acc"] for row in metric_rows(run)] == [0.5, 1.0]
    assert fmt.read_json(run / fmt.STATUS_FILE)["status"] == "finished"


def test_log_model_records_the_checkpoints_left_by_fit(storage_root: Path) -> None:
    logger = RunicornLogger(
        project="demo", name="ckpt", storage=storage_root, log_model=True, capture_console=False
    )
    trainer(logger).fit(TinyMLP(), loader(), loader())
    run = only_run(storage_root)
    files = fmt.read_json(run / fmt.SUMMARY_FILE)["model_files"]
    assert [Path(f["path"]).name for f in files] == ["epoch=1-step=4.ckpt"]
    assert Path(files[0]["path"]).parent == storage_root / "demo" / "ckpt" / run.name / "checkpoints"
    # stored in the artifact store: another process gets the same bytes back
    assert files[0]["artifact"] == f"model-{run.name}:v0"
    stored = ArtifactStore(storage_root).resolve(f"model-{run.name}:latest")
    folder = Path(stored.download(storage_root.parent / "got"))
    assert (folder / "epoch=1-step=4.ckpt").read_bytes() == Path(files[0]["path"]).read_bytes()


def test_pytorch_lightning_is_used_when_lightning_is_not_installed() -> None:
    code = (
        "import sys\n"
        "class Hide:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'lightning' or name.startswith('lightning.'):\n"
        "            raise ImportError('hidden')\n"
        "sys.meta_path.insert(0, Hide())\n"
        "from runicorn.integrations.lightning import RunicornLogger\n"
        "print([c.__module__ for c in RunicornLogger.__mro__][1])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().startswith("pytorch_lightning.")
