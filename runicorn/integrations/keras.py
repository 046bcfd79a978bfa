"""Keras 3: :class:`RunicornCallback`, a Keras callback that records ``model.fit`` into a Runicorn run.

    from runicorn.integrations.keras import RunicornCallback
    model.fit(x, y, epochs=10, callbacks=[RunicornCallback(project="demo", name="mlp")])

Importing this module imports ``keras`` (the callback subclasses ``keras.callbacks.Callback``);
``import runicorn`` does not. Any Keras 3 backend works (set ``KERAS_BACKEND`` before Keras is
first imported).

What ``fit`` reports becomes:

- at the end of each epoch, at ``step=epoch`` (Keras' epoch index, from 0): ``epoch/<metric>``
  for every metric Keras passes (``loss``, ``val_loss``...), ``epoch/learning_rate`` (the
  optimizer's current rate) and ``epoch/epoch``;
- every ``log_freq`` batches (``log_freq="epoch"``: never), at ``step=`` the number of batches
  trained so far: ``batch/<metric>``, ``batch/learning_rate`` and ``batch/batch_step``;
- ``model.summary()`` once, into the run's log text, when training starts.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from runicorn.integrations.model_files import ModelFiles
from runicorn.integrations.run_handle import RunHandle

try:
    import keras
except ImportError:
    raise ImportError("runicorn.integrations.keras needs Keras 3: pip install keras") from None

if TYPE_CHECKING:
    from runicorn.sdk.run_like import RunLike

__all__ = ["RunicornCallback"]


class RunicornCallback(keras.callbacks.Callback):
    """Records a Keras ``fit``.

    ``project``, ``name``, ``storage``, ``tags`` and ``config`` are those of ``rn.init`` (and so
    are further keyword arguments); or pass ``run=`` a run you started, which the callback then
    leaves open at the end. ``log_freq``: record batch metrics every that many batches
    (``"epoch"``, the default: epoch metrics only). ``log_model``: a path the model is saved
    to (``model.save(path)``) when training ends, stored as a version of the run's ``model-<run
    id>`` artifact and listed in the run's summary (``model_files``).
    """

    def __init__(
        self,
        project: str = "default",
        name: str = "default",
        storage: str | os.PathLike[str] | None = None,
        tags: list[str] | None = None,
        config: Any = None,
        log_freq: int | str = "epoch",
        log_model: str | os.PathLike[str] | None = None,
        run: RunLike | None = None,
        **init_kwargs: Any,
    ) -> None:
        super().__init__()
        if log_freq != "epoch" and not (isinstance(log_freq, int) and log_freq > 0):
            raise ValueError(f"log_freq must be 'epoch' or a number of batches above 0, got {log_freq!r}")
        self._handle = RunHandle(project, name, storage, tags, config, init_kwargs, run=run)
        self._log_freq = log_freq
        self._log_model = log_model
        self._model_files = ModelFiles()
        self._batches = 0  # batches trained in this fit, the step of batch metrics
        self._summary_logged = False

    @property
    def run(self) -> RunLike:
        """The SDK run (started, or resumed, when first used)."""
        return self._handle.get()

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._batches = 0
        run = self.run
        run.config.update({"epochs": self.params.get("epochs"), "steps_per_epoch": self.params.get("steps")})
        self._log_summary(run)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._batches += 1
        if self._log_freq == "epoch" or self._batches % int(self._log_freq):
            return
        run = self.run
        self._log_summary(run)  # a model built by its first batch
        values = {f"batch/{key}": value for key, value in (logs or {}).items()}
        values["batch/batch_step"] = self._batches
        rate = self._learning_rate()
        if rate is not None:
            values["batch/learning_rate"] = rate
        run.log(values, step=self._batches)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        run = self.run
        self._log_summary(run)
        values = {f"epoch/{key}": value for key, value in (logs or {}).items()}
        values["epoch/epoch"] = epoch
        rate = self._learning_rate()
        if rate is not None:
            values.setdefault("epoch/learning_rate", rate)
        run.log(values, step=epoch)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._log_model is not None:
            self.model.save(self._log_model)
            self._model_files.record(self.run, self._log_model, step=self._batches)
        self._handle.finish("finished")

    def _log_summary(self, run: RunLike) -> None:
        if self._summary_logged or not getattr(self.model, "built", False):
            return
        self._summary_logged = True
        lines: list[str] = []
        self.model.summary(print_fn=lambda text, *args, **kwargs: lines.append(str(text)))
        run.log_text("\n".join(lines))

    def _learning_rate(self) -> float | None:
        """The optimizer's current learning rate (a schedule evaluated at the current step)."""
        optimizer = getattr(self.model, "optimizer", None)
        try:
            return float(keras.ops.convert_to_numpy(optimizer.learning_rate))  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 - no optimizer, or a rate that is no number
            return None
