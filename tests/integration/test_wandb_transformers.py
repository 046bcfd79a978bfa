"""transformers' Trainer with ``report_to="wandb"`` logs into Runicorn after ``runicorn.wandb.install()``
or with ``RUNICORN_WANDB=1``.

A tiny randomly initialised BERT on random tokens, on the CPU, no downloads. The series Runicorn
recorded must be the Trainer's own ``state.log_history``; with ``WANDB_LOG_MODEL=checkpoint`` each
checkpoint the Trainer saves becomes a version of the run's model artifact.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from wandb_shim import metric_rows, only_run, run_with_shim

from runicorn import format as fmt
from runicorn.artifacts.store import ArtifactStore

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


CHECKPOINT_SCRIPT = """
import json, sys
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

torch.manual_seed(0)
config = BertConfig(vocab_size=32, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                    intermediate_size=32, max_position_embeddings=16, num_labels=2)
model = BertForSequenceClassification(config)
data = [{"input_ids": torch.randint(0, 32, (8,)), "labels": torch.tensor(i % 2)} for i in range(16)]
args = TrainingArguments(output_dir=sys.argv[1], report_to="wandb", run_name="tiny-bert", max_steps=4,
                         logging_steps=2, per_device_train_batch_size=4, save_strategy="steps", save_steps=2,
                         use_cpu=True, disable_tqdm=True)
trainer = Trainer(model=model, args=args, train_dataset=data)
trainer.train()
print(json.dumps(trainer.predict(data[:8]).metrics))
"""


@pytest.mark.timeout(150)
def test_with_runicorn_wandb_set_checkpoints_and_predictions_are_logged_too(tmp_path: Path) -> None:
    """Nothing in the script names Runicorn: ``RUNICORN_WANDB=1`` and W&B's ``WANDB_LOG_MODEL``."""
    out = tmp_path / "out"
    done = run_with_shim(
        tmp_path, CHECKPOINT_SCRIPT, str(out), env={"WANDB_PROJECT": "hf", "WANDB_LOG_MODEL": "checkpoint"}
    )
    predicted = json.loads(done.stdout.strip().splitlines()[-1])
    run_dir = only_run(tmp_path / "root")
    logged = [r for r in metric_rows(run_dir) if "test/loss" in r]
    assert len(logged) == 1 and logged[0]["test/loss"] == pytest.approx(predicted["test_loss"])
    store = ArtifactStore(tmp_path / "root")
    aliases = store.aliases("model-tiny-bert")
    assert {"checkpoint_global_step_2", "checkpoint_global_step_4", "final_model"} <= set(aliases)
    saved = store.resolve("model-tiny-bert:checkpoint_global_step_4")
    weights = {e["path"]: e["sha256"] for e in saved.entries}["model.safetensors"]
    assert weights == hashlib.sha256((out / "checkpoint-4" / "model.safetensors").read_bytes()).hexdigest()
    assert "model.safetensors" in {e["path"] for e in store.resolve("model-tiny-bert:final_model").entries}
    assert json.loads((run_dir / fmt.STATUS_FILE).read_text())["status"] == "finished"
