"""RunicornLogger under DDP: two CPU processes spawned by Lightning (``strategy="ddp_spawn"``) train
one model; rank 0 alone writes, and it writes one run holding every logged metric."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from runicorn import format as fmt

pytest.importorskip("lightning.pytorch")

REPO = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import sys
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset
    import lightning.pytorch as L
    from runicorn.integrations.lightning import RunicornLogger

    class TinyMLP(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        def training_step(self, batch, batch_idx):
            x, y = batch
            loss = nn.functional.mse_loss(self.net(x), y)
            self.log("train_loss", loss)
            return loss
        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    if __name__ == "__main__":
        data = TensorDataset(torch.randn(32, 4), torch.randn(32, 1))
        logger = RunicornLogger(project="demo", name="ddp", storage=sys.argv[1], capture_console=False)
        trainer = L.Trainer(max_epochs=2, accelerator="cpu", devices=2, strategy="ddp_spawn", logger=logger,
                            log_every_n_steps=1, enable_progress_bar=False, enable_model_summary=False,
                            enable_checkpointing=False)
        trainer.fit(TinyMLP(), DataLoader(data, batch_size=8))
        import os
        print("version", logger.version, "launcher", os.getpid())
    """
)


def test_ddp_spawn_on_two_processes_writes_one_run_from_rank_zero(tmp_path: Path) -> None:
    script = tmp_path / "train_ddp.py"
    script.write_text(SCRIPT)
    root = tmp_path / "storage"
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "ignore"}
    out = subprocess.run(
        [sys.executable, str(script), str(root)], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-4000:]
    runs = list(root.glob(f"*/*/{fmt.RUNS_DIR}/*"))
    assert len(runs) == 1, runs
    run = runs[0]
    # the launching process knows the id of the run that its rank-0 worker wrote
    assert f"version {run.name} launcher" in out.stdout
    lines, _ = fmt.split_complete_lines((run / fmt.EVENTS_FILE).read_bytes())
    rows = [r["data"] for r in map(fmt.decode_event, lines) if r and r["type"] == fmt.METRICS]
    # 32 samples over 2 processes, 8 a batch: 2 steps an epoch, 2 epochs
    assert [r[fmt.STEP_KEY] for r in rows] == [0, 1, 2, 3]
    assert all("train_loss" in r for r in rows)
    assert fmt.read_json(run / fmt.STATUS_FILE)["status"] == "finished"
    launcher = int(out.stdout.split("launcher")[1].split()[0])
    assert fmt.read_json(run / fmt.META_FILE)["pid"] != launcher
