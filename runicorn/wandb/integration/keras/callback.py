"""``WandbCallback``: W&B's older all-in-one Keras callback, for the part that is logging.

What it does here, as in W&B:

- every epoch, ``wandb.log({"epoch": epoch, **logs})`` (Keras' metrics under their own names);
  with ``log_batch_frequency=n``, every ``n``-th batch's metrics too;
- when ``monitor`` (default ``val_loss``) improves (``mode``: ``auto``, ``min`` or ``max``):
  the run's summary gets ``best_<monitor>`` and ``best_epoch`` (``log_best_prefix`` sets the
  prefix), and with ``save_model=True`` the model is saved to ``model-best.keras`` in
  ``wandb.run.dir`` (``model-best.weights.h5`` with ``save_weights_only=True``); when training
  ends that file is logged as the artifact ``model-<run name>`` (type ``model``);
- ``log_weights=True``: each layer's weights as histograms, ``parameters/<layer>.weights`` and
  ``parameters/<layer>.bias``, every epoch.

Not done: ``log_gradients``, ``log_evaluation`` (prediction tables), ``compute_flops`` and
``save_graph``. Those arguments are accepted; asking for one gives a warning. W&B itself points
new code to ``WandbMetricsLogger`` and ``WandbModelCheckpoint``.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

import keras
import numpy as np

import runicorn.wandb as wandb
from runicorn.wandb import session
from runicorn.wandb.integration.keras.metrics_logger import require_run

log = logging.getLogger("runicorn")
UNSUPPORTED = ("log_gradients", "log_evaluation", "compute_flops")


class WandbCallback(keras.callbacks.Callback):
    """Logs epochs (and batches), keeps the best ``monitor`` in the summary, saves the best model."""

    def __init__(
        self,
        monitor: str = "val_loss",
        verbose: int = 0,
        mode: str = "auto",
        save_weights_only: bool = False,
        log_weights: bool = False,
        log_gradients: bool = False,
        save_model: bool = True,
        log_batch_frequency: int | None = None,
        log_best_prefix: str = "best_",
        log_evaluation: bool = False,
        compute_flops: bool = False,
        **unused: Any,
    ) -> None:
        super().__init__()
        require_run("WandbCallback")
        asked = (log_gradients, log_evaluation, compute_flops)
        for name, wanted in zip(UNSUPPORTED, asked, strict=True):
            if wanted:
                log.warning("runicorn.wandb: WandbCallback(%s=True) is not supported; it is ignored", name)
        self.monitor = monitor
        self.verbose = verbose
        self.save_weights_only = save_weights_only
        self.log_weights = log_weights
        self.save_model = save_model
        self.log_batch_frequency = log_batch_frequency
        self.log_best_prefix = log_best_prefix
        if mode == "auto":
            mode = "max" if "acc" in monitor or monitor.startswith("fmeasure") else "min"
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', not {mode!r}")
        self.mode = mode
        self.best = np.inf if mode == "min" else -np.inf
        self.best_model_path: str | None = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = dict(logs or {})
        if self.log_weights:
            logs.update(self._weight_histograms())
        wandb.log({"epoch": epoch, **logs}, commit=True)
        current = logs.get(self.monitor)
        if current is None or not self._improved(float(current)):
            return
        self.best = float(current)
        run = session.current
        if run is None:
            return
        run.summary[f"{self.log_best_prefix}{self.monitor}"] = self.best
        run.summary[f"{self.log_best_prefix}epoch"] = epoch
        if self.save_model and run.dir is not None:
            self._save_best(run.dir, epoch)

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.log_batch_frequency and batch % self.log_batch_frequency == 0:
            wandb.log(dict(logs or {}), commit=True)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.on_batch_end(batch, logs)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        run = session.current
        if run is None or self.best_model_path is None or not os.path.exists(self.best_model_path):
            return
        name = re.sub(r"[^A-Za-z0-9_.-]", "-", f"model-{run.name}")
        artifact = wandb.Artifact(name, type="model")
        artifact.add_file(self.best_model_path)
        run.log_artifact(artifact, aliases=["latest"])

    def _improved(self, current: float) -> bool:
        return current < self.best if self.mode == "min" else current > self.best

    def _save_best(self, folder: str, epoch: int) -> None:
        name = "model-best.weights.h5" if self.save_weights_only else "model-best.keras"
        path = os.path.join(folder, name)
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)
        self.best_model_path = path
        if self.verbose > 0:
            log.info("wandb: epoch %d: %s improved to %.5f, saved %s", epoch, self.monitor, self.best, path)

    def _weight_histograms(self) -> dict[str, Any]:
        histograms: dict[str, Any] = {}
        for layer in self.model.layers:
            weights = layer.get_weights()
            names = ["weights", "bias"] if len(weights) <= 2 else [str(i) for i in range(len(weights))]
            for label, values in zip(names, weights, strict=False):
                histograms[f"parameters/{layer.name}.{label}"] = wandb.Histogram(np.asarray(values))
        return histograms
