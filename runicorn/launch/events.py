"""What ``runicorn run`` tells its observers: one :class:`LaunchEvent` when a command starts, is
retried and ends. Observers (notifications, the job service) receive them on the wrapper's main
thread; an observer that raises is logged and skipped, never stops the run."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

log = logging.getLogger("runicorn")

EventKind = Literal["start", "retry", "finish", "failure", "timeout", "interrupted"]
# The kinds that end a run, one of which is always the last event.
END_KINDS: frozenset[str] = frozenset({"finish", "failure", "timeout", "interrupted"})


@dataclass(frozen=True)
class LaunchEvent:
    """Everything a message about a run needs, with no need to read the run folder."""

    kind: EventKind
    project: str
    name: str
    run_id: str
    run_dir: str
    server: str  # the host name the command runs on
    command: list[str]
    attempt: int  # 1 for the first attempt
    max_attempts: int  # 1 + --retries
    channels: tuple[str, ...] = ()  # the --notify channel names, as given
    duration_s: float | None = None  # of this attempt; None on "start"
    exit_code: int | None = None  # None on "start"
    signal: str | None = None  # the signal that ended the command, e.g. "SIGKILL"
    status: str | None = None  # the run's final status on the end kinds
    reason: str | None = None  # "timeout", "SIGINT", "SIGTERM"
    last_log_lines: list[str] = field(default_factory=list)  # the console's last lines

    @property
    def run_name(self) -> str:
        """``project/name``, as the viewer shows a run's place."""
        return f"{self.project}/{self.name}"


Observer = Callable[[LaunchEvent], None]


def tell(observers: Iterable[Observer], event: LaunchEvent) -> None:
    """Give ``event`` to every observer; one that fails is logged and the others still run."""
    for observer in observers:
        try:
            observer(event)
        except Exception:  # noqa: BLE001 - an observer never stops the run
            log.exception("runicorn: an observer of `runicorn run` failed on its %r event", event.kind)
