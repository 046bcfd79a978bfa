"""transformers' Trainer with ``report_to="wandb"`` logs into Runicorn after ``runicorn.wandb.install()``.

A tiny randomly initialised BERT on random tokens, on the CPU, no downloads. The series Runicorn
recorded must be the Trainer's own ``state.log_history``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from runicorn import format as fmt

pytest.importorskip("transformers")

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
import runicorn.wandb
runicorn.wandb.install()  # the one line added to a script that trains with report_to="wandb"

import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

torch.manual_seed(0)
config = BertConfig(vocab_size=32, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                    intermediate_size=32, max_position_embeddings=16, num_labels=2)
model = BertForSequenceClassification(config)
data = [{"input_ids": torch.randint(0, 32, (8,)), "labels": torch.tensor(i % 2)} for i in range(32)]
args = TrainingArguments(output_dir=sys.argv[1], report_to="wandb", run_name="tiny-bert", max_steps=8,
                         logging_steps=2, per_device_train_batch_size=4, eval_strategy="steps", eval_steps=4,
                         save_strategy="no", use_cpu=True, disable_tqdm=True, learning_rate=1e-3)
trainer = Trainer(model=model, args=args, train_dataset=data, eval_dataset=data[:8])
trainer.train()
with open(sys.argv[2], "w") as f:
    json.dump(trainer.state.log_history, f)
"""


@pytest.mark.timeout(150)  # importing torch and transformers on a busy 2-core machine
def test_trainer_logs_its_history_into_a_runicorn_run(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(SCRIPT))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB_", "RUNICORN_"))}
    env.update(
        RUNICORN_DIR=str(tmp_path / "root"),
        PYTHONPATH=str(REPO),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        WANDB_PROJECT="hf",
        TOKENIZERS_PARALLELISM="false",
    )
    history_file = tmp_path / "history.json"
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "out"), str(history_file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=140,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    history = json.loads(history_file.read_text())
    (run_dir,) = [p for p in (tmp_path / "root" / "hf" / "tiny-bert" / "runs").iterdir() if fmt.is_run_dir(p)]
    rows = []
    for line in (run_dir / fmt.EVENTS_FILE).read_bytes().splitlines():
        record = fmt.decode_event(line)
        if record and record["type"] == fmt.METRICS:
            rows.append(record["data"])
    losses = {e["step"]: e["loss"] for e in history if "loss" in e}
    evals = {e["step"]: e["eval_loss"] for e in history if "eval_loss" in e}
    assert sorted(losses) == [2, 4, 6, 8] and sorted(evals) == [4, 8]
    logged_losses = {r["train/global_step"]: r["train/loss"] for r in rows if "train/loss" in r}
    logged_evals = {r["train/global_step"]: r["eval/loss"] for r in rows if "eval/loss" in r}
    assert logged_losses == pytest.approx(losses)
    assert logged_evals == pytest.approx(evals)
    summary = json.loads((run_dir / fmt.SUMMARY_FILE).read_text())
    assert "train_runtime" in summary and summary["train/global_step"] == 8
    config = json.loads((run_dir / fmt.CONFIG_FILE).read_text())
    assert config["learning_rate"] == 1e-3 and config["hidden_size"] == 16
    meta = json.loads((run_dir / fmt.META_FILE).read_text())
    assert meta["metrics"]["*"]["step_metric"] == "train/global_step"
    assert json.loads((run_dir / fmt.STATUS_FILE).read_text())["status"] == "finished"
