"""The W&B ``Run``: what ``wandb.init`` returns, written over a Runicorn SDK run.

``log`` applies W&B's step rules (:mod:`runicorn.wandb.steps`) and hands each committed row to the
SDK: numbers to ``run.log(row, step=...)``, data types (``wandb.Image``...) to
``value.log_into(run, key, step)``; the summary (:mod:`runicorn.wandb.summary_book`) sees every
value of the row. ``config`` and ``summary`` write config.json and summary.json through the SDK;
``define_metric`` records its definitions in meta.json. The run's other attributes are in
:mod:`runicorn.wandb.run_identity`, its other calls in :mod:`runicorn.wandb.run_calls`. As in
W&B, a finished run raises :class:`~runicorn.wandb.errors.UsageError` when used, and a disabled
one does nothing; besides W&B's own errors nothing here raises into the training loop.
"""

from __future__ import annotations

import atexit
import logging
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

from runicorn import format as fmt
from runicorn.sdk import exit_code as exit_codes
from runicorn.sdk.disabled import DisabledRun
from runicorn.sdk.exit_hooks import EndsWithBlock
from runicorn.sdk.run_like import RunLike
from runicorn.wandb.config import Config, parse_config
from runicorn.wandb.errors import UsageError
from runicorn.wandb.metrics import Metric, MetricTable, parse_metric
from runicorn.wandb.run_calls import RunCalls, run_call
from runicorn.wandb.run_identity import RunIdentity
from runicorn.wandb.settings import Settings
from runicorn.wandb.steps import StepRules
from runicorn.wandb.summary import Summary, SummaryRecord
from runicorn.wandb.summary_book import SummaryBook

log = logging.getLogger("runicorn")

_PLAIN = frozenset({int, float})
_MAX_DEPTH = 8


def flatten(
    data: Mapping[str, Any],
    prefix: str = "",
    depth: int = 0,
    out: dict[str, Any] | None = None,
    paths: dict[str, tuple[str, ...]] | None = None,
    at: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Nested dicts as ``a/b`` keys: ``{"val": {"loss": 1}}`` -> ``{"val/loss": 1}``; ``paths``
    gets the path of each key that came from a nested dict (``"val/loss"`` -> ``("val", "loss")``)."""
    out = {} if out is None else out
    for key, value in data.items():
        if not isinstance(key, str):
            raise TypeError(f"wandb.log: keys must be strings, not {type(key).__name__} ({key!r})")
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value and depth < _MAX_DEPTH:
            flatten(value, name + "/", depth + 1, out, paths, (*at, key))
        else:
            out[name] = value
            if at and paths is not None:
                paths[name] = (*at, key)
    return out


class Run(RunIdentity, RunCalls, EndsWithBlock):
    """One W&B run, logging into the Runicorn run ``sdk_run`` (W&B's ``Run(settings=, config=,
    sweep_config=)`` without one: a run that records nothing, like a disabled one). Its public
    attributes are W&B's, no more (W&B's own test holds them); the Runicorn run underneath is
    ``runicorn``'s current run (``import runicorn as rn; rn.log_checkpoint(...)``)."""

    def __init__(
        self,
        sdk_run: RunLike | None = None,
        *,
        settings: Any = None,
        config: Any = None,
        sweep_config: Any = None,
        display_name: str = "",
        group: str | None = None,
        job_type: str | None = None,
        entity: str | None = None,
        viewer_url: str = "",
        disabled: bool = False,
        resumed: bool = False,
        mode: str = "offline",
        sweep_id: str | None = None,
        on_end: Callable[[Run], None] | None = None,
    ) -> None:
        if sdk_run is None:
            sdk_run = DisabledRun("uncategorized", display_name or "default")
            disabled = True
        self._sdk = sdk_run
        self._on_end = on_end  # told once the run ended (wandb.run is None again)
        self._display_name = display_name or str(sdk_run.name)
        self._group = group or ""
        self._job_type = job_type or ""
        self._entity = entity or ""
        self._disabled = disabled
        self._resumed = resumed
        self._mode = mode
        self._sweep_id = sweep_id
        self._viewer_url = viewer_url
        self._settings = settings if isinstance(settings, Settings) else Settings(**dict(settings or {}))
        self._start_time = time.time()
        self._tags: tuple[str, ...] = ()
        self._notes: str | None = None
        self._finished = False
        self._metrics = MetricTable()
        self._starting_step = sdk_run.step + 1 if resumed and sdk_run.step else 0
        self._steps = StepRules(self._starting_step)
        self._paths: dict[str, tuple[str, ...]] = {}  # logged key -> its path in nested dicts
        self._step_values: dict[str, Any] = {}  # step metric -> its latest value (step_sync)
        self.config = Config(sdk_run.config)
        self.config._set_guard(self._check_usable)
        if config:
            self.config.update(parse_config(config), allow_val_change=True)
        if sweep_config:
            self.config.update_locked(sweep_config, user="sweep", _allow_val_change=True)
        self._summary_book = SummaryBook(
            self._metrics, sdk_run, self._paths, _read_summary(sdk_run) if resumed else None
        )
        self.summary = Summary(self._summary_book.current)
        self.summary._set_update_callback(self._summary_changed)
        self._warned: set[str] = set()
        if not disabled:
            extra = fmt.WandbMetaData()
            if group:
                extra["group"] = group
            if job_type:
                extra["job_type"] = job_type
            if self._display_name != sdk_run.name:
                extra["display_name"] = self._display_name
            if extra:
                sdk_run.update_meta(dict(extra))
            keep_values = getattr(sdk_run, "history_keeps_values", None)
            if keep_values is not None:  # W&B's history keeps text, None and lists
                keep_values(True)
                self._summary_book.sdk_keeps_values = True
            self._install_exit_hooks()

    @property
    def step(self) -> int:
        """The step the next committed row will have (W&B's shared mode has no step to read)."""
        if self._mode == "shared":
            raise UsageError("Cannot read the W&B step in shared mode.", "log with step= of your own")
        return self._steps.step

    @property
    def _is_finished(self) -> bool:
        return self._finished

    def _summary_changed(self, record: SummaryRecord) -> None:
        self._check_usable("run.summary")
        self._summary_book.apply(record)

    # --- logging --------------------------------------------------------------------------------
    def log(
        self, data: Mapping[str, Any], step: int | None = None, commit: bool | None = None, sync: Any = None
    ) -> None:
        """Log ``data`` by W&B's step rules (docs/wandb.md#steps)."""
        self._check_usable("run.log()")
        if type(data) is not dict:
            if not isinstance(data, Mapping):
                raise TypeError("wandb.log must be passed a dictionary")
            data = dict(data)
        for key, value in data.items():
            if type(value) not in _PLAIN or type(key) is not str:
                data = flatten(data, paths=self._paths)
                break
        if step is not None and (isinstance(step, bool) or not isinstance(step, int)):
            try:
                step = int(step)
            except (TypeError, ValueError):
                self._warn_once("step", f"wandb.log(step={step!r}): a step is an integer; logged without it")
                step = None
        for row_step, row in self._steps.feed(data, step, commit):
            self._commit(row_step, row)

    def _commit(self, step: int, row: dict[str, Any]) -> None:
        if self._metrics.step_metrics:
            row = self._synced(row)
        numbers = row
        for value in row.values():
            if type(value) not in _PLAIN:
                numbers = self._log_media(step, row)
                break
        if numbers:
            self._sdk.log(numbers, step=step)
        if numbers is row:
            self._summary_book.observe(row, plain=True)
        else:
            self._summary_book.observe({k: v for k, v in row.items() if k in numbers})

    def _synced(self, row: dict[str, Any]) -> dict[str, Any]:
        """W&B's ``step_sync``: a row with a metric drawn against a step metric gets the step
        metric's latest value when it does not have one of its own."""
        latest = self._step_values
        for step_name in self._metrics.step_metrics.values():
            if step_name in row:
                latest[step_name] = row[step_name]
        added = {}
        for key in row:
            metric = self._metrics.of(key)
            name = metric.step_metric if metric is not None and metric.step_sync else None
            if name and name != key and name not in row and name in latest:
                added[name] = latest[name]
        return {**row, **added} if added else row

    def _log_media(self, step: int, row: dict[str, Any]) -> dict[str, Any]:
        """Record the row's data types; the rest of it (numbers, and values the SDK judges)."""
        from runicorn.wandb.data_types import is_media, log_media

        rest = {}
        for key, value in row.items():
            value = _array_value(value)
            if is_media(value):  # a data type, or a list of them under one key
                try:
                    log_media(self._sdk, key, value, step)
                except Exception as exc:  # noqa: BLE001 - never raise into the training loop
                    self._warn_once(f"media {key}", f"wandb.log could not record {key!r}: {exc!r}")
            else:
                rest[key] = value
        return rest

    @run_call
    def define_metric(
        self,
        name: str,
        step_metric: Any = None,
        step_sync: bool | None = None,
        hidden: bool | None = None,
        summary: str | None = None,
        goal: str | None = None,
        overwrite: bool | None = None,
        **kwargs: Any,
    ) -> Metric:
        """Say how ``name`` (a key, dotted nested key or glob) is summarised and plotted."""
        metric = parse_metric(name, step_metric, step_sync, hidden, summary, goal)
        self._metrics.define(metric, overwrite=overwrite)
        if any(m.summary for m in self._metrics.defined.values()):  # those keys' summaries are ours
            self._sdk.summary_keeps_last(self._summary_book.keeps_last)
        self._update_meta(fmt.WandbMetaData(metrics=self._metrics.records()))  # type: ignore[typeddict-item]
        return metric

    def _label(self, **kwargs: Any) -> None:
        """W&B's telemetry label that integrations set (``transformers``): nothing to record."""

    # --- ending ---------------------------------------------------------------------------------
    def finish(self, exit_code: int | None = None, quiet: bool | None = None) -> None:
        """Commit what is pending, write the summary and end the run: ``finished``, or ``failed``
        with the exit code when ``exit_code`` is not 0."""
        self._end(exit_code)

    def _end(self, exit_code: int | None, ending: Any = None) -> None:
        if self._finished:
            return
        self._remove_exit_hooks()
        if "runicorn.wandb.watch" in sys.modules:  # hooks on a watched model go with the run
            sys.modules["runicorn.wandb.watch"].unwatch(run=self)
        try:
            for step, row in self._steps.flush():
                self._commit(step, row)
            self._summary_book.save()
        except Exception as exc:  # noqa: BLE001
            log.warning("runicorn.wandb: writing the last row and summary failed: %r", exc)
        self._finished = True
        if ending is None:
            if exit_code:
                self._sdk.finish(fmt.FAILED, f"finished with exit code {exit_code}", exit_code=exit_code)
            else:
                self._sdk.finish(fmt.FINISHED, exit_code=exit_code)
        if self._on_end is not None:
            self._on_end(self)

    def _end_by_exception(
        self, kind: type[BaseException] | None, exc: BaseException, tb: TracebackType | None
    ) -> None:
        # the SDK run records how it ended (failed, interrupted, the traceback)
        self._end(None, ending=exc)
        self._sdk.__exit__(kind, exc, tb)

    def __repr__(self) -> str:
        return f"<runicorn.wandb Run {self.path} ({self.name})>"

    # --- process exit and uncaught exceptions: commit the pending row first -------------------
    def _install_exit_hooks(self) -> None:
        # Registered after the SDK run's own: atexit runs this first, and this excepthook runs
        # before the SDK's, so the pending row and the summary are written before the run ends.
        atexit.register(self._at_exit)
        self._previous_excepthook = sys.excepthook
        sys.excepthook = self._excepthook

    def _remove_exit_hooks(self) -> None:
        atexit.unregister(self._at_exit)
        if getattr(self, "_previous_excepthook", None) is not None and sys.excepthook == self._excepthook:
            sys.excepthook = self._previous_excepthook

    def _at_exit(self) -> None:
        self._end(exit_codes.requested())

    def _excepthook(self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        previous = self._previous_excepthook
        self._end(None, ending=exc)
        if previous is not sys.__excepthook__:  # W&B prints it when another hook may not
            traceback.print_exception(kind, exc, tb)
        previous(kind, exc, tb)

    # --- internals ------------------------------------------------------------------------------
    def _update_meta(self, values: Mapping[str, Any]) -> None:
        if not self._disabled:
            try:
                self._sdk.update_meta(dict(values))
            except Exception as exc:  # noqa: BLE001
                self._warn_once("meta", f"cannot update the run's meta.json: {exc!r}")

    def _warn_once(self, topic: str, message: str) -> None:
        if topic not in self._warned:
            self._warned.add(topic)
            log.warning("runicorn.wandb: %s", message)


HISTOGRAM_ABOVE = 32  # W&B: a numpy array of more items is logged as a histogram, up to it as a list
HISTOGRAM_BINS = 32


def _array_value(value: Any) -> Any:
    """A numpy array as W&B logs it: a histogram of its values above :data:`HISTOGRAM_ABOVE`
    items, else a list (one item: the number)."""
    if type(value).__module__ != "numpy" or not getattr(value, "ndim", 0):
        return value
    if value.size > HISTOGRAM_ABOVE:
        from runicorn.wandb.data_types import Histogram

        return Histogram(value.ravel(), num_bins=HISTOGRAM_BINS)
    return value.ravel()[0].item() if value.size == 1 else value.tolist()


def _read_summary(sdk_run: RunLike) -> dict[str, Any]:
    if sdk_run.dir is None:
        return {}
    values, _ = fmt.split_summary(fmt.read_json(sdk_run.dir / fmt.SUMMARY_FILE) or {})
    return values
