"""The run every SDK call gets when logging is off (RUNICORN_MODE=disabled, or RANK > 0)."""

from __future__ import annotations

from typing import Any

from runicorn.sdk.config import Config, config_dict


class DisabledRun:
    """Accepts every call of :class:`~runicorn.sdk.run.Run` and does nothing."""

    id = None
    dir = None
    finished = False

    def __init__(self, project: str, name: str, config: Any = None) -> None:
        self.project, self.name = project, name
        self.config = Config(lambda _c: None, config_dict(config))

    def log(
        self,
        data: dict[str, Any] | None = None,
        step: int | None = None,
        stage: str | None = None,
        **metrics: Any,
    ) -> None:
        pass

    def log_text(self, text: str) -> None:
        pass

    def log_image(self, key: str, image: Any, step: int | None = None, caption: str | None = None) -> None:
        pass

    def alert(self, title: str, text: str = "", level: str = "info") -> None:
        pass

    def log_checkpoint(self, path: Any, step: int | None = None) -> None:
        pass

    def log_histogram(self, key: str, values: Any = None, **kwargs: Any) -> None:
        pass

    def log_table(self, key: str, columns: Any, rows: Any, *args: Any, **kwargs: Any) -> None:
        pass

    def log_audio(self, key: str, data_or_path: Any, *args: Any, **kwargs: Any) -> None:
        pass

    def log_video(self, key: str, data_or_path: Any, *args: Any, **kwargs: Any) -> None:
        pass

    def log_html(self, key: str, html_or_path: Any, step: int | None = None) -> None:
        pass

    def summary(self, values: dict[str, Any]) -> None:
        pass

    def summary_keeps_last(self, keeps: Any) -> None:
        pass

    def summary_remove(self, keys: Any) -> None:
        pass

    def history_keeps_values(self, keep: bool = True) -> None:
        pass

    def flush(self) -> None:
        pass

    def log_artifact(
        self, artifact_or_path: Any, name: Any = None, type: Any = None, aliases: Any = None
    ) -> None:
        return None

    def use_artifact(self, spec: str, type: str | None = None) -> Any:
        """The version from the storage root's store, recorded nowhere (a worker of rank > 0 may
        still need the files)."""
        from runicorn.artifacts.usage import use_artifact
        from runicorn.settings import resolve

        return use_artifact(resolve().storage, None, spec, type=type)

    def on_finish(self, callback: Any) -> None:
        pass

    step = 0

    def update_meta(self, values: dict[str, Any]) -> None:
        pass

    def finish(
        self, status: str = "finished", error: str | None = None, exit_code: int | None = None
    ) -> None:
        self.finished = True

    def __enter__(self) -> DisabledRun:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.finish()
