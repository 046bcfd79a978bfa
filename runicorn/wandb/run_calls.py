"""The W&B ``Run`` calls beyond logging: files, artifacts, models, watching, alerts.

Each is a W&B call a script or a library makes on a run. As in W&B, after ``finish`` each raises
:class:`~runicorn.wandb.errors.UsageError`, and on a disabled run each does nothing. Calls that
only mean something to W&B's servers (``link_artifact``, ``link_model``, ``mark_preempting``,
``status``) are accepted and do nothing here.
"""

from __future__ import annotations

import functools
import html
import os
from collections.abc import Callable
from typing import Any, TypeVar

from runicorn import format as fmt

_Call = TypeVar("_Call", bound=Callable[..., Any])


def run_call(method: _Call) -> _Call:
    """A W&B run call: ``UsageError`` after ``finish``, nothing on a disabled run."""

    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        if self._disabled:
            return None
        self._check_usable(f"run.{method.__name__}()")
        return method(self, *args, **kwargs)

    return call  # type: ignore[return-value]


def _distributed_artifact_call(call_name: str) -> Callable[..., Any]:
    """W&B's ``upsert_artifact`` / ``finish_artifact``: here no run shares the version, so each logs it."""

    def call(
        self: Any,
        artifact_or_path: Any = None,
        name: str | None = None,
        type: str | None = None,  # noqa: A002
        aliases: Any = None,
        distributed_id: Any = None,
    ) -> Any:
        from runicorn.wandb.artifacts import log_artifact_into

        return log_artifact_into(self._sdk, artifact_or_path, name, type, aliases)

    call.__name__, call.__qualname__ = call_name, f"RunCalls.{call_name}"
    return run_call(call)


class RunCalls:
    """Mixed into :class:`runicorn.wandb.run.Run`."""

    _sdk: Any
    _disabled: bool

    # --- files ----------------------------------------------------------------------------------
    @run_call
    def save(
        self, glob_str: Any = None, base_path: Any = None, policy: str = "live", glob: bool = True
    ) -> Any:
        """Link or copy matching files into the run's ``files/`` (docs/wandb.md#artifacts-and-files)."""
        from runicorn.wandb.save import save_files

        return save_files(self._sdk, glob_str, base_path, policy, use_glob=glob)

    @run_call
    def restore(
        self, name: str | None = None, run_path: str | None = None, replace: bool = False, root: Any = None
    ) -> Any:
        """An open file of the run's ``files/`` (W&B downloads it; here it is already local), or None."""
        if not name:
            return None
        path = os.path.join(self.dir, name)  # type: ignore[attr-defined]
        return open(path) if os.path.isfile(path) else None  # noqa: SIM115 - W&B returns it open

    @run_call
    def log_code(
        self, root: Any = ".", name: str | None = None, include_fn: Any = None, exclude_fn: Any = None
    ) -> Any:
        """Store the source files under ``root`` (``.py`` by default) as a ``code`` artifact."""
        from runicorn.wandb.code import log_code

        return log_code(self, root, name, include_fn, exclude_fn)

    @run_call
    def pin_config_keys(self, keys: Any = ()) -> None:
        """Config keys to show first (recorded in meta.json's ``wandb`` fields)."""
        self._update_wandb_fields({"pinned_keys": [str(k) for k in keys]})

    @run_call
    def write_logs(self, text: str = "") -> None:
        """Text into the run's console log."""
        write = getattr(self._sdk, "write_console", None)
        if write is not None and text:
            write(text)

    # --- artifacts and models -------------------------------------------------------------------
    @run_call
    def log_artifact(
        self,
        artifact_or_path: Any = None,
        name: str | None = None,
        type: str | None = None,
        aliases: Any = None,
        tags: Any = None,
    ) -> Any:  # noqa: A002
        """Store an artifact version and record that this run logged it."""
        from runicorn.wandb.artifacts import log_artifact_into

        return log_artifact_into(self._sdk, artifact_or_path, name, type, aliases)

    upsert_artifact = _distributed_artifact_call("upsert_artifact")
    finish_artifact = _distributed_artifact_call("finish_artifact")

    @run_call
    def use_artifact(
        self, artifact_or_name: Any = None, type: str | None = None, aliases: Any = None, use_as: Any = None
    ) -> Any:  # noqa: A002
        """An artifact version (``name``, ``name:v1``, ``name:latest``), recorded as used by this run."""
        from runicorn.wandb.artifacts import use_artifact_from

        return use_artifact_from(self._sdk, artifact_or_name, type)

    @run_call
    def link_artifact(self, artifact: Any = None, target_path: str = "", aliases: Any = None) -> None:
        """W&B's registry links live on its servers: nothing to do here."""

    @run_call
    def log_model(self, path: Any = None, name: str | None = None, aliases: Any = None) -> Any:
        """Store ``path`` as a ``model`` artifact."""
        from runicorn.wandb.artifacts import log_artifact_into

        return log_artifact_into(self._sdk, path, name, "model", aliases)

    @run_call
    def use_model(self, name: str = "") -> Any:
        """The local path of a stored model artifact."""
        from runicorn.wandb.artifacts import use_artifact_from

        return use_artifact_from(self._sdk, name, "model").download()

    @run_call
    def link_model(
        self, path: Any = None, registered_model_name: str = "", name: str | None = None, aliases: Any = None
    ) -> None:
        """W&B's model registry lives on its servers: nothing to do here."""

    # --- models, alerts and the rest --------------------------------------------------------------
    @run_call
    def watch(
        self,
        models: Any = None,
        criterion: Any = None,
        log: Any = "gradients",
        log_freq: int = 1000,
        idx: Any = None,
        log_graph: bool = False,
    ) -> Any:
        """Histograms of a torch model's gradients and/or parameters (docs/wandb.md#watch)."""
        from runicorn.wandb.watch import watch

        return watch(models, criterion, log=log, log_freq=log_freq, idx=idx, log_graph=log_graph, run=self)

    @run_call
    def unwatch(self, models: Any = None) -> None:
        from runicorn.wandb.watch import unwatch

        unwatch(models, run=self)

    @run_call
    def alert(self, title: str = "", text: str = "", level: Any = None, wait_duration: Any = None) -> None:
        """Send a notification through the SDK's ``alert`` (the notify channels configured in
        Runicorn's settings); a warning where this Runicorn has no ``Run.alert``."""
        send = getattr(self._sdk, "alert", None)
        if send is None:
            self._warn_once("alert", "wandb.alert: this Runicorn version cannot send alerts; not sent")
            return
        from runicorn.wandb.alert_level import sdk_level

        send(title, text, level=sdk_level(level))

    @run_call
    def mark_preempting(self) -> None:
        """Record that the run is about to be preempted (meta.json's ``wandb`` fields)."""
        self._update_wandb_fields({"preempting": True})

    @run_call
    def status(self) -> None:
        """W&B's sync status with its server: there is no server, so None."""
        return None

    def display(self, height: int = 420, hidden: bool = False) -> bool:
        """W&B shows the run's page in a notebook; nothing to show here."""
        return False

    def to_html(self, height: int = 420, hidden: bool = False) -> str:
        """The run's page in an iframe when the viewer's url is configured, else a link-less note."""
        url = getattr(self, "url", None)
        if not url:
            return f"<p>runicorn run {html.escape(str(getattr(self, 'id', '')))}</p>"
        style = f"border:none;width:100%;height:{int(height)}px"
        return f'<iframe src="{html.escape(url)}" style="{style}"></iframe>'

    # --- internals ------------------------------------------------------------------------------
    def _update_wandb_fields(self, values: dict[str, Any]) -> None:
        meta = self._read_meta()  # type: ignore[attr-defined]
        fields = dict(meta.get(fmt.WANDB_FIELDS_KEY) or {})
        fields.update(values)
        self._update_meta({fmt.WANDB_FIELDS_KEY: fields})  # type: ignore[attr-defined]

    def _warn_once(self, topic: str, message: str) -> None:
        raise NotImplementedError
