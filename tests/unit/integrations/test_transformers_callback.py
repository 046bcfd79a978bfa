"""RunicornCallback under a real Hugging Face Trainer on CPU: a tiny randomly initialised BERT on
random token ids, nothing from the hub. What the run holds must be exactly the Trainer's own
``state.log_history``: every key, at every step."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch
from run_rows import metric_rows, only_run

from runicorn import format as fmt
from runicorn.artifacts.store import ArtifactStore

pytest.importorskip("transformers")
pytest.importorskip("accelerate")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
from torch.utils.data import Dataset  # noqa: E402
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments  # noqa: E402

from runicorn.integrations.transformers import SUMMARY_KEYS, RunicornCallback  # noqa: E402


class RandomTokens(Dataset):
    def __init__(self, n: int, seed: int) -> None:
        g = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(0, 64, (n, 8), generator=g)
        self.labels = torch.randint(0, 2, (n,), generator=g)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"input_ids": self.ids[i], "labels": self.labels[i]}


def tiny_trainer(tmp_path: Path, callback: RunicornCallback, **args) -> Trainer:
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=64,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=16,
    )
    arguments = TrainingArguments(
        output_dir=str(tmp_path / "out"),
        report_to=[],
        num_train_epochs=2,
        per_device_train_batch_size=8,
        logging_steps=1,
        eval_strategy="epoch",
        use_cpu=True,
        disable_tqdm=True,
        **args,
    )
    return Trainer(
        model=BertForSequenceClassification(config),
        args=arguments,
        train_dataset=RandomTokens(32, 0),
        eval_dataset=RandomTokens(16, 1),
        callbacks=[callback],
    )


def expected_rows(log_history: list[dict]) -> tuple[list[dict], dict]:
    rows, summary = [], {}
    for entry in log_history:
        row = {}
        for key, value in entry.items():
            if key == "step":
                continue
            if key in SUMMARY_KEYS:
                summary[key] = value
            elif key.startswith("eval_"):
                row["eval/" + key[len("eval_") :]] = value
            else:
                row["train/" + key] = value
        if row:
            rows.append({**row, "train/global_step": entry["step"], fmt.STEP_KEY: entry["step"]})
    return rows, summary


def test_the_run_holds_the_trainers_log_history_key_for_key(tmp_path: Path, storage_root: Path) -> None:
    callback = RunicornCallback(project="demo", name="bert", storage=storage_root, capture_console=False)
    trainer = tiny_trainer(tmp_path, callback, save_strategy="no")
    trainer.train()

    run = only_run(storage_root)
    rows, summary = expected_rows(trainer.state.log_history)
    assert {"train/loss", "train/learning_rate", "eval/loss", "eval/runtime"} <= set().union(*rows)
    assert metric_rows(run) == [{k: pytest.approx(v) for k, v in row.items()} for row in rows]
    assert set(summary) == SUMMARY_KEYS
    saved, _ = fmt.split_summary(fmt.read_json(run / fmt.SUMMARY_FILE) or {})
    assert {k: saved[k] for k in summary} == pytest.approx(summary)
    last_eval_loss = [row["eval/loss"] for row in rows if "eval/loss" in row][-1]
    assert saved["eval/loss"] == pytest.approx(last_eval_loss)  # a series: its last value
    config = fmt.read_json(run / fmt.CONFIG_FILE)
    assert config["learning_rate"] == trainer.args.learning_rate and config["hidden_size"] == 16
    assert fmt.read_json(run / fmt.STATUS_FILE)["status"] == "finished"


def test_log_model_records_the_checkpoint_folders_left_at_the_end(tmp_path: Path, storage_root: Path) -> None:
    callback = RunicornCallback(
        project="demo", name="bert", storage=storage_root, log_model=True, capture_console=False
    )
    trainer = tiny_trainer(tmp_path, callback, save_strategy="epoch", save_total_limit=1)
    trainer.train()
    files = fmt.read_json(only_run(storage_root) / fmt.SUMMARY_FILE)["model_files"]
    assert [(Path(f["path"]).name, f["step"]) for f in files] == [("checkpoint-8", 8)]
    assert Path(files[0]["path"]).is_dir()
    run_id = only_run(storage_root).name
    assert files[0]["artifact"] == f"model-{run_id}:v0"  # the folder is stored, file by file
    stored = ArtifactStore(storage_root).resolve(f"model-{run_id}:latest")
    got = Path(stored.download(tmp_path / "got"))
    assert sorted(p.name for p in got.iterdir()) == sorted(p.name for p in Path(files[0]["path"]).iterdir())


def test_evaluate_after_train_resumes_the_run_the_callback_finished(
    tmp_path: Path, storage_root: Path
) -> None:
    callback = RunicornCallback(project="demo", name="bert", storage=storage_root, capture_console=False)
    trainer = tiny_trainer(tmp_path, callback, save_strategy="no")
    trainer.train()
    trainer.evaluate()
    run = only_run(storage_root)
    assert fmt.read_json(run / fmt.STATUS_FILE)["status"] == "running"  # resumed, until the process ends
    callback.run.finish()
    rows, _ = expected_rows(trainer.state.log_history)
    assert metric_rows(run) == [{k: pytest.approx(v) for k, v in row.items()} for row in rows]
    assert "eval/loss" in metric_rows(run)[-1]


def test_a_run_passed_in_is_left_open_for_its_owner(tmp_path: Path, storage_root: Path) -> None:
    import runicorn as rn

    mine = rn.init(
        project="demo", name="own", storage=storage_root, capture_console=False, system_metrics=False
    )
    tiny_trainer(tmp_path, RunicornCallback(run=mine), save_strategy="no").train()
    assert not mine.finished
    mine.log({"after": 1.0})
    mine.finish()
    rows = metric_rows(only_run(storage_root))
    assert "train/loss" in rows[0] and rows[-1]["after"] == 1.0
