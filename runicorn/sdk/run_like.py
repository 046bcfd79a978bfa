"""What an adapter may call on a run: :class:`RunLike`, the public surface that
:class:`~runicorn.sdk.run.Run` (and its guest form) and :class:`~runicorn.sdk.disabled.DisabledRun`
share. The integrations, the W&B surface and the command wrapper hold a run as this, never as
``Any``; mypy checks that both kinds of run have every call (the assignments at the end).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from runicorn.sdk.config import Config


class RunLike(Protocol):
    """A run as the public SDK shows it: ``rn.init``'s return value, whether it writes or not."""

    project: str
    name: str
    config: Config

    @property
    def id(self) -> str | None:
        """The run id; None where logging is off."""
        ...

    @property
    def dir(self) -> Path | None:
        """The run's folder; None where logging is off."""
        ...

    @property
    def finished(self) -> bool: ...

    @property
    def step(self) -> int: ...

    def log(
        self,
        data: dict[str, Any] | None = None,
        step: int | None = None,
        stage: str | None = None,
        **metrics: Any,
    ) -> None: ...

    def log_text(self, text: str) -> None: ...

    def log_image(
        self, key: str, image: Any, step: int | None = None, caption: str | None = None
    ) -> None: ...

    def log_histogram(
        self,
        key: str,
        values: Any = None,
        *,
        counts: Any = None,
        edges: Any = None,
        num_bins: int = 64,
        step: int | None = None,
    ) -> None: ...

    def log_table(
        self,
        key: str,
        columns: Any,
        rows: Any,
        step: int | None = None,
        chart: Mapping[str, Any] | None = None,
    ) -> None: ...

    def log_audio(
        self,
        key: str,
        data_or_path: Any,
        sample_rate: int | None = None,
        step: int | None = None,
        caption: str | None = None,
    ) -> None: ...

    def log_video(
        self, key: str, data_or_path: Any, fps: float = 4, step: int | None = None, caption: str | None = None
    ) -> None: ...

    def log_html(self, key: str, html_or_path: Any, step: int | None = None) -> None: ...

    def alert(self, title: str, text: str = "", level: str = "info") -> None: ...

    def log_checkpoint(self, path: Any, step: int | None = None) -> None: ...

    def summary(self, values: dict[str, Any]) -> None: ...

    def summary_keeps_last(self, keeps: Any) -> None: ...

    def summary_remove(self, keys: Any) -> None: ...

    def history_keeps_values(self, keep: bool = True) -> None: ...

    def flush(self) -> None: ...

    def log_artifact(
        self,
        artifact_or_path: Any,
        name: str | None = None,
        type: str | None = None,
        aliases: list[str] | None = None,
    ) -> Any: ...

    def use_artifact(self, spec: str, type: str | None = None) -> Any: ...

    def on_finish(self, callback: Any) -> None: ...

    def update_meta(self, values: dict[str, Any]) -> None: ...

    def finish(
        self, status: str = "finished", error: str | None = None, exit_code: int | None = None
    ) -> None: ...

    def __enter__(self) -> Any: ...

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


if TYPE_CHECKING:  # both kinds of run are RunLike (checked by mypy, costs nothing at run time)
    from runicorn.sdk.disabled import DisabledRun
    from runicorn.sdk.run import Run

    def _checks(run: Run, disabled: DisabledRun) -> tuple[RunLike, RunLike]:
        return run, disabled
