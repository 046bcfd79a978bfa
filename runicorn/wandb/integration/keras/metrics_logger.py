"""``WandbMetricsLogger``: what ``model.fit`` reports, logged with ``wandb.log``.

- ``log_freq="epoch"`` (the default): at the end of each epoch, ``epoch/<metric>`` for every
  metric Keras passes (``loss``, ``val_loss``...), ``epoch/learning_rate`` and ``epoch/epoch``
  (Keras' epoch index, from 0); ``epoch/*`` is defined against ``epoch/epoch``.
- ``log_freq="batch"`` or an integer ``n``: every ``n``-th batch of an epoch (batch 0, n,
  2n...), ``batch/<metric>``, ``batch/learning_rate`` and ``batch/batch_step`` (``0, n, 2n...``
  across epochs), besides the epoch metrics; ``batch/*`` is defined against
  ``batch/batch_step``.
- ``initial_global_step``: where the batch count starts (a resumed training).
"""

from __future__ import annotations

from typing import Any

import keras

import runicorn.wandb as wandb
from runicorn.wandb import session


def learning_rate(model: Any) -> float | None:
    """The optimizer's current learning rate (a schedule evaluated at the current step), or None."""
    optimizer = getattr(model, "optimizer", None)
    try:
        return float(keras.ops.convert_to_numpy(optimizer.learning_rate))  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - no optimizer, or a rate that is no number
        return None


def require_run(callback: str) -> None:
    """W&B's callbacks refuse to be made before ``wandb.init()``; so do these."""
    if session.current is None:
        raise wandb.Error(
            f"You must call `wandb.init()` before `{callback}()`",
            "start the run first: wandb.init(project=...)",
        )


class WandbMetricsLogger(keras.callbacks.Callback):
    """Logs the metrics Keras reports, per epoch or every ``log_freq`` batches (see the module)."""

    def __init__(self, log_freq: str | int = "epoch", initial_global_step: int = 0, **kwargs: Any) -> None:
        super().__init__()
        require_run("WandbMetricsLogger")
        if log_freq == "batch":
            log_freq = 1
        if log_freq != "epoch" and (not isinstance(log_freq, int) or log_freq < 1):
            raise ValueError(f"log_freq must be 'epoch', 'batch' or a positive integer, not {log_freq!r}")
        self.log_freq = log_freq
        self.logging_batch_wise = isinstance(log_freq, int)
        self.global_step = initial_global_step
        self.global_batch = 0
        if self.logging_batch_wise:
            wandb.define_metric("batch/batch_step")
            wandb.define_metric("batch/*", step_metric="batch/batch_step")
        else:
            wandb.define_metric("epoch/epoch")
            wandb.define_metric("epoch/*", step_metric="epoch/epoch")

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        values = {f"epoch/{key}": value for key, value in (logs or {}).items()}
        values["epoch/epoch"] = epoch
        rate = learning_rate(self.model)
        if rate is not None:
            values["epoch/learning_rate"] = rate
        wandb.log(values)

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.global_step += 1
        if not self.logging_batch_wise or batch % int(self.log_freq):
            return
        values = {f"batch/{key}": value for key, value in (logs or {}).items()}
        values["batch/batch_step"] = self.global_batch
        rate = learning_rate(self.model)
        if rate is not None:
            values["batch/learning_rate"] = rate
        wandb.log(values)
        self.global_batch += int(self.log_freq)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.on_batch_end(batch, logs)
