"""Hugging Face: :class:`RunicornCallback`, a ``TrainerCallback`` that records into a Runicorn run.

    from runicorn.integrations.transformers import RunicornCallback
    trainer = Trainer(..., args=TrainingArguments(..., report_to=[]),
                      callbacks=[RunicornCallback(project="demo", name="bert")])

Importing this module imports ``transformers`` (the callback subclasses its ``TrainerCallback``);
``import runicorn`` does not. Only the main process (``state.is_world_process_zero``) records.

What the Trainer logs becomes, at ``step=state.global_step``:

- ``eval_<x>`` -> ``eval/<x>``; every other key -> ``train/<x>`` (``epoch`` -> ``train/epoch``),
  and ``train/global_step`` the step itself;
- the figures the Trainer reports once, at the end of training (``train_runtime``,
  ``train_samples_per_second``, ``train_steps_per_second``, ``total_flos``, ``train_loss``),
  go to the run's summary instead of a series of one point.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runicorn.integrations.model_files import ModelFiles
from runicorn.integrations.run_handle import RunHandle

try:
    from transformers.trainer_callback import TrainerCallback
    from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR
except ImportError:
    raise ImportError(
        "runicorn.integrations.transformers needs transformers: pip install transformers"
    ) from None

if TYPE_CHECKING:
    from runicorn.sdk.run_like import RunLike

__all__ = ["RunicornCallback", "SUMMARY_KEYS"]

# Figures reported once per training: a summary value, not a series.
SUMMARY_KEYS = frozenset(
    {"train_runtime", "train_samples_per_second", "train_steps_per_second", "total_flos", "train_loss"}
)
_EVAL_PREFIX = "eval_"


class RunicornCallback(TrainerCallback):
    """Records a ``transformers.Trainer`` run.

    ``project``, ``name``, ``storage``, ``tags`` and ``config`` are those of ``rn.init`` (and so
    are further keyword arguments); or pass ``run=`` a run you started, which the callback then
    leaves open at the end. A run the callback started is finished when training ends and
    resumed if the Trainer logs again (``trainer.evaluate()`` after ``train()``).

    ``log_model=True`` records the checkpoint folders left in ``output_dir`` when training ends
    (and the best one, with ``load_best_model_at_end``); ``log_model="all"`` records each one as
    it is saved. Each is stored as a version of the run's ``model-<run id>`` artifact and listed
    in the run's summary (``model_files``).
    """

    def __init__(
        self,
        project: str = "default",
        name: str = "default",
        storage: str | os.PathLike[str] | None = None,
        tags: list[str] | None = None,
        config: Any = None,
        log_model: bool | str = False,
        run: RunLike | None = None,
        **init_kwargs: Any,
    ) -> None:
        self._handle = RunHandle(project, name, storage, tags, config, init_kwargs, run=run)
        self._log_model = log_model
        self._model_files = ModelFiles()
        self._saved: list[tuple[str, int]] = []  # checkpoint folders saved, with their step

    @property
    def run(self) -> RunLike:
        """The SDK run (started, or resumed, when first used)."""
        return self._handle.get()

    def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        if not state.is_world_process_zero:
            return
        values: dict[str, Any] = {}
        model_config_dict = getattr(getattr(model, "config", None), "to_dict", None)
        if callable(model_config_dict):
            values.update(model_config_dict())
        values.update(args.to_dict())  # the Trainer's arguments win over a model field of the same name
        self.run.config.update(values)

    def on_log(
        self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        if not state.is_world_process_zero or not logs:
            return
        run = self.run
        series: dict[str, Any] = {}
        once: dict[str, Any] = {}
        for key, value in logs.items():
            if key in SUMMARY_KEYS:
                once[key] = value
            elif key.startswith(_EVAL_PREFIX):
                series["eval/" + key[len(_EVAL_PREFIX) :]] = value
            else:
                series["train/" + key] = value
        if series:
            series["train/global_step"] = state.global_step
            run.log(series, step=state.global_step)
        if once:
            run.summary(once)

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not state.is_world_process_zero or not self._log_model:
            return
        folder = os.path.join(args.output_dir, f"{PREFIX_CHECKPOINT_DIR}-{state.global_step}")
        self._saved.append((folder, state.global_step))
        if self._log_model == "all":
            self._model_files.record(self.run, folder, step=state.global_step)

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not state.is_world_process_zero:
            return
        if self._log_model:
            run = self.run
            for folder, step in self._saved:
                if Path(folder).exists():  # save_total_limit may have removed older ones
                    self._model_files.record(run, folder, step=step)
            best = getattr(state, "best_model_checkpoint", None)
            if best and Path(best).exists():
                steps = {str(Path(folder).resolve()): step for folder, step in self._saved}
                self._model_files.record(run, best, step=steps.get(str(Path(best).resolve())), best=True)
        self._handle.finish("finished")
