"""``WandbModelCheckpoint``: Keras' ``ModelCheckpoint`` that also logs each checkpoint it writes
as a version of the run's model artifact.

It takes ``keras.callbacks.ModelCheckpoint``'s arguments and saves the same files (a ``.keras``
model, or ``.weights.h5`` weights with ``save_weights_only=True``; ``save_best_only``,
``save_freq`` and ``{epoch}``-style placeholders work as there). Each time a file is written it
is logged with ``wandb.log_artifact`` as the artifact ``run_<run id>_model`` (type ``model``),
with the aliases ``latest`` and ``epoch_<epoch>`` (Keras' epoch index, from 0) for a save at an
epoch's end, ``latest`` for one every ``save_freq`` batches. A checkpoint that
``save_best_only`` did not write is not logged again.
"""

from __future__ import annotations

import os
from typing import Any

import keras

import runicorn.wandb as wandb
from runicorn.wandb import session
from runicorn.wandb.integration.keras.metrics_logger import require_run


def _written(path: str) -> tuple[int, int] | None:
    """The size and modification time of what is at ``path`` (a file or folder), or None."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns


class WandbModelCheckpoint(keras.callbacks.ModelCheckpoint):
    """Saves the model as Keras' ``ModelCheckpoint`` does, and logs each file written (see the module)."""

    def __init__(
        self,
        filepath: str | os.PathLike[str],
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
        **kwargs: Any,
    ) -> None:
        require_run("WandbModelCheckpoint")
        super().__init__(
            filepath=filepath,
            monitor=monitor,
            verbose=verbose,
            save_best_only=save_best_only,
            save_weights_only=save_weights_only,
            mode=mode,
            save_freq=save_freq,
            initial_value_threshold=initial_value_threshold,
            **kwargs,  # as W&B's: Keras' own refusal for an argument it does not know
        )

    def _save_model(self, epoch: int, batch: int | None, logs: dict[str, Any] | None) -> None:
        path = self._get_file_path(epoch, batch, logs or {})
        before = _written(path)
        super()._save_model(epoch=epoch, batch=batch, logs=logs)
        after = _written(path)
        if after is None or after == before:
            return  # save_best_only kept the earlier file
        aliases = ["latest"] if batch is not None else ["latest", f"epoch_{epoch}"]
        self._log_checkpoint(path, aliases)

    def _log_checkpoint(self, path: str, aliases: list[str]) -> None:
        run = session.current
        if run is None:
            return
        artifact = wandb.Artifact(f"run_{run.id}_model", type="model")
        if os.path.isdir(path):
            artifact.add_dir(path)
        else:
            artifact.add_file(path)
        run.log_artifact(artifact, aliases=aliases)
