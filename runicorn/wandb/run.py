"""The W&B ``Run``: what ``wandb.init`` returns, written over a Runicorn SDK run.

``log`` applies W&B's step rules (:mod:`runicorn.wandb.steps`) and hands each committed row to the
SDK: numbers to ``run.log(row, step=...)``, data types (``wandb.Image``...) to
``value.log_into(run, key, step)``. ``config`` and ``summary`` write config.json and
summary.json through the SDK's config and summary; ``define_metric`` records its definitions in
meta.json. Like the SDK, no call here raises into the training loop after ``init`` except W&B's
own errors (a changed config value, a bad ``define_metric``).
"""

from __future__ import annotations

import atexit
import logging
import sys
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

from runicorn import format as fmt
from runicorn.sdk import exit_code as exit_codes
from runicorn.sdk.exit_hooks import EndsWithBlock
from runicorn.sdk.run_like import RunLike
from runicorn.wandb.config import Config
from runicorn.wandb.metrics import Metric, MetricTable, parse_metric
from runicorn.wandb.steps import StepRules
from runicorn.wandb.summary import Summary

log = logging.getLogger("runicorn")

_PLAIN = frozenset({int, float})
_MAX_DEPTH = 8


def flatten(
    data: Mapping[str, Any], prefix: str = "", depth: int = 0, out: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Nested dicts as ``a/b`` keys: ``{"val": {"loss": 1}}`` -> ``{"val/loss": 1}``."""
    out = {} if out is None else out
    for key, value in data.items():
        name = f"{prefix}{key}" if isinstance(key, str) else f"{prefix}{key!s}"
        if isinstance(value, Mapping) and depth < _MAX_DEPTH:
            flatten(value, name + "/", depth + 1, out)
        else:
            out[name] = value
    return out


class Run(EndsWithBlock):
    """One W&B run, logging into the Runicorn run ``sdk_run``."""

    def __init__(
        self,
        sdk_run: RunLike,
        *,
        display_name: str,
        group: str | None = None,
        job_type: str | None = None,
        entity: str | None = None,
        viewer_url: str = "",
        disabled: bool = False,
        resumed: bool = False,
        on_end: Callable[[Run], None] | None = None,
    ) -> None:
        self._sdk = sdk_run
        self._on_end = on_end  # told once the run ended (wandb.run is None again)
        self._display_name = display_name
        self.group = group
        self.job_type = job_type
        self.entity = entity or ""
        self.disabled = disabled
        self.resumed = resumed
        self._viewer_url = viewer_url
        self._finished = False
        self._metrics = MetricTable()
        self._steps = StepRules(sdk_run.step + 1 if resumed and sdk_run.step else 0)
        self.config = Config(sdk_run.config)
        self.summary = Summary(self._metrics, sdk_run.summary, _read_summary(sdk_run) if resumed else None)
        self._warned: set[str] = set()
        if not disabled:
            extra = fmt.WandbMetaData()
            if group:
                extra["group"] = group
            if job_type:
                extra["job_type"] = job_type
            if display_name != sdk_run.name:
                extra["display_name"] = display_name
            if extra:
                sdk_run.update_meta(dict(extra))
            self._install_exit_hooks()

    # --- identity -------------------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self._sdk.id or ""

    @property
    def name(self) -> str:
        return self._display_name

    @name.setter
    def name(self, value: str) -> None:
        self._display_name = str(value)
        self._update_meta(fmt.WandbMetaData(display_name=self._display_name))

    @property
    def project(self) -> str:
        return str(self._sdk.project)

    def project_name(self) -> str:
        return self.project

    @property
    def dir(self) -> str | None:
        """The run's folder (where its files are written), None for a disabled run."""
        return str(self._sdk.dir) if self._sdk.dir is not None else None

    @property
    def path(self) -> str:
        """``entity/project/id`` as W&B spells it (the entity is empty unless given to init)."""
        return "/".join(part for part in (self.entity, self.project, self.id) if part)

    @property
    def url(self) -> str | None:
        """The run's page in the viewer when the ``viewer_url`` setting is configured, else None."""
        if not self._viewer_url or not self.id:
            return None
        return f"{self._viewer_url.rstrip('/')}/runs/{self.id}"

    def get_url(self) -> str | None:
        return self.url

    @property
    def step(self) -> int:
        """The step the next committed row will have."""
        return self._steps.step

    @property
    def tags(self) -> tuple[str, ...]:
        meta = self._read_meta()
        return tuple(meta.get("tags") or ())

    @tags.setter
    def tags(self, value: Any) -> None:
        self._update_meta(fmt.WandbMetaData(tags=[str(t) for t in value or ()]))

    @property
    def notes(self) -> str | None:
        return self._read_meta().get("notes")

    @notes.setter
    def notes(self, value: str | None) -> None:
        self._update_meta(fmt.WandbMetaData(notes=None if value is None else str(value)))

    @property
    def sdk_run(self) -> RunLike:
        """The Runicorn run underneath (``runicorn.Run``): for what W&B has no call for."""
        return self._sdk

    # --- logging --------------------------------------------------------------------------------
    def log(
        self, data: Mapping[str, Any], step: int | None = None, commit: bool | None = None, sync: Any = None
    ) -> None:
        """Log ``data`` by W&B's step rules (docs/wandb.md#steps)."""
        if self._finished:
            self._warn_once("finished", "wandb.log after the run finished: nothing was recorded")
            return
        if type(data) is not dict:
            if not isinstance(data, Mapping):
                raise ValueError("wandb.log must be passed a dictionary")
            data = dict(data)
        for value in data.values():
            if type(value) not in _PLAIN:
                data = flatten(data)
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
        numbers = row
        for value in row.values():
            if type(value) not in _PLAIN:
                numbers = self._log_media(step, row)
                break
        if numbers:
            self._sdk.log(numbers, step=step)
            self.summary.observe(numbers)

    def _log_media(self, step: int, row: dict[str, Any]) -> dict[str, Any]:
        """Record the row's data types; the rest of it (numbers, and values the SDK judges)."""
        from runicorn.wandb.data_types import is_media, log_media

        rest = {}
        for key, value in row.items():
            if is_media(value):  # a data type, or a list of them under one key
                try:
                    log_media(self._sdk, key, value, step)
                except Exception as exc:  # noqa: BLE001 - never raise into the training loop
                    self._warn_once(f"media {key}", f"wandb.log could not record {key!r}: {exc!r}")
            elif value is not None:
                rest[key] = value
        return rest

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
        self._metrics.define(metric)
        if any(m.summary for m in self._metrics.defined.values()):  # those keys' summaries are ours
            self._sdk.summary_keeps_last(self.summary.keeps_last)
        self._update_meta(fmt.WandbMetaData(metrics=self._metrics.records()))  # type: ignore[typeddict-item]
        return metric

    def alert(self, title: str, text: str, level: Any = None, wait_duration: Any = None) -> None:
        """Send a notification through the SDK's ``alert`` (the notify channels configured in
        Runicorn's settings); a warning where this Runicorn has no ``Run.alert``."""
        send = getattr(self._sdk, "alert", None)
        if send is None:
            self._warn_once("alert", "wandb.alert: this Runicorn version cannot send alerts; not sent")
            return
        from runicorn.wandb.alert_level import sdk_level

        send(title, text, level=sdk_level(level))

    # --- files, artifacts, model watching (runicorn/wandb/save.py, artifacts.py, watch.py) -----
    def save(self, glob_str: Any, base_path: Any = None, policy: str = "live") -> Any:
        """Copy matching files into the run's ``files/`` (docs/wandb.md#artifacts-and-files)."""
        from runicorn.wandb.save import save_files

        return save_files(self._sdk, glob_str, base_path, policy)

    def log_artifact(
        self, artifact_or_path: Any, name: str | None = None, type: str | None = None, aliases: Any = None
    ) -> Any:
        """Store an artifact version and record that this run logged it."""
        from runicorn.wandb.artifacts import log_artifact_into

        return log_artifact_into(self._sdk, artifact_or_path, name, type, aliases)

    def use_artifact(self, spec: Any, type: str | None = None) -> Any:
        """An artifact version (``name``, ``name:v1``, ``name:latest``), recorded as used by this run."""
        from runicorn.wandb.artifacts import use_artifact_from

        return use_artifact_from(self._sdk, spec, type)

    def watch(self, *args: Any, **kwargs: Any) -> Any:
        """Histograms of a torch model's gradients and/or parameters (docs/wandb.md#watch)."""
        from runicorn.wandb.watch import watch

        return watch(*args, run=self, **kwargs)

    def mark_preempting(self) -> None:
        """Accepted for compatibility; Runicorn has no preemption queue."""

    def log_code(self, *args: Any, **kwargs: Any) -> None:
        """Accepted for compatibility; Runicorn records the git commit and diff instead."""

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
        self._finished = True
        self._remove_exit_hooks()
        if "runicorn.wandb.watch" in sys.modules:  # hooks on a watched model go with the run
            sys.modules["runicorn.wandb.watch"].unwatch(run=self)
        try:
            for step, row in self._steps.flush():
                self._commit(step, row)
            self.summary.save()
        except Exception as exc:  # noqa: BLE001
            log.warning("runicorn.wandb: writing the last row and summary failed: %r", exc)
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
        previous(kind, exc, tb)

    # --- internals ------------------------------------------------------------------------------
    def _read_meta(self) -> dict[str, Any]:
        if self._sdk.dir is None:
            return {}
        return fmt.read_json(self._sdk.dir / fmt.META_FILE) or {}

    def _update_meta(self, values: Mapping[str, Any]) -> None:
        if not self.disabled:
            try:
                self._sdk.update_meta(dict(values))
            except Exception as exc:  # noqa: BLE001
                self._warn_once("meta", f"cannot update the run's meta.json: {exc!r}")

    def _warn_once(self, topic: str, message: str) -> None:
        if topic not in self._warned:
            self._warned.add(topic)
            log.warning("runicorn.wandb: %s", message)


def _read_summary(sdk_run: RunLike) -> dict[str, Any]:
    if sdk_run.dir is None:
        return {}
    values, _ = fmt.split_summary(fmt.read_json(sdk_run.dir / fmt.SUMMARY_FILE) or {})
    return values
