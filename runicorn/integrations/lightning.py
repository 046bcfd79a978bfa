"""Lightning: :class:`RunicornLogger`, a Lightning logger that records into a Runicorn run.

    from runicorn.integrations.lightning import RunicornLogger
    trainer = Trainer(logger=RunicornLogger(project="demo", name="mlp"))

Importing this module imports Lightning, since the logger subclasses Lightning's ``Logger``:
``lightning.pytorch`` when it is installed, else the standalone ``pytorch_lightning``.
``import runicorn`` and ``import runicorn.integrations`` import neither.

The run is started on first use, on global rank zero only (the other ranks of a DDP job get
Lightning's do-nothing experiment). Lightning finalizes its loggers after each ``fit``,
``validate`` and ``test``: the run is finished then and resumed by the next call that logs, so
``fit`` then ``test`` records one run. Pickled into a spawned worker (``strategy="ddp_spawn"``),
the logger leaves its run behind and the worker's copy resumes the same run id.
"""

from __future__ import annotations

import os
from argparse import Namespace
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runicorn.integrations.model_files import ModelFiles
from runicorn.integrations.run_handle import RunHandle, final_status

try:
    from lightning.pytorch.loggers.logger import Logger, rank_zero_experiment
    from lightning.pytorch.utilities.rank_zero import rank_zero_only
except ImportError:
    try:
        from pytorch_lightning.loggers.logger import Logger, rank_zero_experiment  # type: ignore[assignment]
        from pytorch_lightning.utilities.rank_zero import rank_zero_only
    except ImportError:
        raise ImportError(
            "runicorn.integrations.lightning needs Lightning: pip install lightning "
            "(or the standalone pytorch-lightning)"
        ) from None

if TYPE_CHECKING:
    from runicorn.sdk.run_like import RunLike

__all__ = ["RunicornLogger"]


class RunicornLogger(Logger):
    """Records a Lightning run: metrics, hyper-parameters and, with ``log_model``, checkpoints.

    ``project``, ``name``, ``storage``, ``tags`` and ``config`` are those of ``rn.init``, and so
    are further keyword arguments (``notes``, ``run_id``, ``capture_console``,
    ``system_metrics``). ``log_model=True`` records the checkpoints left at the end of each
    ``fit`` (the best ``save_top_k`` and the last); ``log_model="all"`` records each checkpoint
    as it is saved. Each is stored as a version of the run's ``model-<run id>`` artifact and
    listed in the run's summary (``model_files``).
    """

    def __init__(
        self,
        project: str = "default",
        name: str = "default",
        storage: str | os.PathLike[str] | None = None,
        tags: list[str] | None = None,
        config: Any = None,
        log_model: bool | str = False,
        **init_kwargs: Any,
    ) -> None:
        super().__init__()
        self._handle = RunHandle(project, name, storage, tags, config, init_kwargs)
        self._log_model = log_model
        self._model_files = ModelFiles()
        self._checkpoints: dict[str, float | None] = {}  # the files the last save left, with scores

    # --- what Lightning asks of a logger ------------------------------------------------------
    @property
    @rank_zero_experiment
    def experiment(self) -> RunLike:
        """The SDK run (started, or resumed, on first use; on other ranks a do-nothing object)."""
        return self._handle.get()

    @property
    def name(self) -> str:
        return self._handle.name

    @property
    def version(self) -> str | None:
        """The run id (None on the ranks above zero, and when logging is disabled)."""
        if self._handle.run_id is None and rank_zero_only.rank == 0:  # type: ignore[attr-defined]
            self._handle.get()
        return self._handle.run_id

    @property
    def log_dir(self) -> str | None:
        """The run folder, ``<storage>/<project>/<name>/runs/<run id>``."""
        run_dir = self._run_dir()
        return None if run_dir is None else str(run_dir)

    @property
    def root_dir(self) -> str | None:
        """The folder of this project/name's runs, ``<storage>/<project>/<name>``."""
        run_dir = self._run_dir()
        return None if run_dir is None else str(run_dir.parent.parent)

    @property
    def save_dir(self) -> str | None:
        """``<storage>/<project>``: Lightning's ``ModelCheckpoint`` then writes its files to
        ``<storage>/<project>/<name>/<run id>/checkpoints``, beside the run's folder."""
        run_dir = self._run_dir()
        return None if run_dir is None else str(run_dir.parent.parent.parent)

    @rank_zero_only
    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        self.experiment.log(dict(metrics), step=step)

    @rank_zero_only
    def log_hyperparams(self, params: dict[str, Any] | Namespace, *args: Any, **kwargs: Any) -> None:
        """Merge ``params`` (a dict, Lightning's AttributeDict, a Namespace; nested ones too)
        into the run's config."""
        self.experiment.config.update(_plain(params))

    @rank_zero_only
    def after_save_checkpoint(self, checkpoint_callback: Any) -> None:
        if not self._log_model:
            return
        saved: dict[str, float | None] = {
            str(path): _score(score)
            for path, score in getattr(checkpoint_callback, "best_k_models", {}).items()
        }
        for attribute in ("best_model_path", "last_model_path"):  # without a monitor: the one saved
            path = getattr(checkpoint_callback, attribute, "")
            if path:
                saved.setdefault(str(path), None)
        self._checkpoints = saved
        if self._log_model == "all":
            self._record_checkpoints()

    @rank_zero_only
    def finalize(self, status: str) -> None:
        """Lightning's end of ``fit``/``validate``/``test``: ``success`` finishes the run as
        ``finished``, ``failed`` as ``failed`` (the next call that logs resumes it)."""
        if self._handle.started:
            if self._log_model:
                self._record_checkpoints()
            self._handle.finish(final_status(status))

    # --- internals --------------------------------------------------------------------------------
    def _record_checkpoints(self) -> None:
        run = self.experiment
        for path, score in self._checkpoints.items():
            if Path(path).exists():
                self._model_files.record(run, path, score=score)

    def _run_dir(self) -> Path | None:
        """The run's folder; asking does not resume a finished run (only logging does)."""
        run = self._handle.last if self._handle.last is not None else self.experiment
        run_dir = getattr(run, "dir", None)  # other ranks: a do-nothing experiment
        return run_dir if isinstance(run_dir, Path) else None


def _plain(params: Any, depth: int = 0) -> Any:
    """Namespaces (Lightning's hparams may nest them) as dicts, all the way down."""
    if isinstance(params, Namespace):
        params = vars(params)
    if isinstance(params, Mapping) and depth < 16:
        return {str(k): _plain(v, depth + 1) for k, v in params.items()}
    return params


def _score(score: Any) -> float | None:
    try:
        return float(score)
    except (TypeError, ValueError):
        return None
