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

    def summary(self, values: dict[str, Any]) -> None:
        pass

    def flush(self) -> None:
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
