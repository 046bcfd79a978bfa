"""``WandbEvalCallback``: W&B's base class for a Keras callback that tables a validation set and
the model's predictions on it, each epoch.

A subclass fills two tables: ``add_ground_truth`` adds the rows of ``self.data_table`` once, when
training begins (``self.data_table.add_data(index, image, label)``), and ``add_model_predictions``
the rows of ``self.pred_table`` at each epoch's end, usually pointing back at the ground truth
through ``self.data_table_ref`` (``self.data_table_ref.data[i][col]``).

W&B keeps the ground truth as a dataset artifact and each epoch's predictions as an artifact
version. Here both are logged into the run as tables (docs/wandb.md#keras), which the viewer
shows: the ground truth under ``val_data`` when training begins, the predictions under
``eval_data`` at each epoch's end, each with ``wandb.log`` (one step each). ``data_table_ref``
is the ground-truth table itself.
"""

from __future__ import annotations

import abc
from typing import Any

import keras

import runicorn.wandb as wandb
from runicorn.wandb.integration.keras.metrics_logger import require_run


class WandbEvalCallback(keras.callbacks.Callback, abc.ABC):
    """Tables the ground truth when training begins and the predictions each epoch (see the module)."""

    def __init__(
        self, data_table_columns: list[str], pred_table_columns: list[str], *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        require_run(type(self).__name__)
        self.data_table_columns = list(data_table_columns)
        self.pred_table_columns = list(pred_table_columns)
        self.data_table: Any = None
        self.pred_table: Any = None
        self.data_table_ref: Any = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.init_data_table(column_names=self.data_table_columns)
        self.add_ground_truth(logs)
        self.log_data_table()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.init_pred_table(column_names=self.pred_table_columns)
        self.add_model_predictions(epoch, logs)
        self.log_pred_table()

    @abc.abstractmethod
    def add_ground_truth(self, logs: dict[str, Any] | None = None) -> None:
        """Add the validation rows to ``self.data_table`` (called once, when training begins)."""

    @abc.abstractmethod
    def add_model_predictions(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Add this epoch's predictions to ``self.pred_table``."""

    def init_data_table(self, column_names: list[str]) -> None:
        self.data_table = wandb.Table(columns=column_names)

    def init_pred_table(self, column_names: list[str]) -> None:
        self.pred_table = wandb.Table(columns=column_names)

    def log_data_table(self, name: str = "val", type: str = "dataset", table_name: str = "val_data") -> None:
        """Log the ground truth as the table ``table_name`` (``name`` and ``type`` are W&B's
        artifact's, unused here)."""
        wandb.log({table_name: self.data_table})
        self.data_table_ref = self.data_table

    def log_pred_table(
        self, type: str = "evaluation", table_name: str = "eval_data", aliases: list[str] | None = None
    ) -> None:
        """Log this epoch's predictions as the table ``table_name`` (``type`` and ``aliases`` are
        W&B's artifact's, unused here)."""
        wandb.log({table_name: self.pred_table})
