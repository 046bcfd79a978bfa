"""Notifications about a ``runicorn run``: a launch observer that turns each
:class:`~runicorn.launch.events.LaunchEvent` into a :class:`~runicorn.notify.Message` for the
configured channels (docs/run.md#notifications).

Sending happens on the notifier's background thread and never blocks or fails the command. On
the event that ends the run, the observer waits at most :data:`NOTIFY_WAIT_S` for the messages
still being sent, while the run is still open, so that a refusal (the service's own words,
secrets masked) is written into the run's log.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence

from runicorn.launch.events import END_KINDS, LaunchEvent
from runicorn.launch.timeout import describe_duration
from runicorn.notify import Channel, Message, Notifier, selected_channels
from runicorn.sdk.alert_sender import run_link
from runicorn.settings import Settings

NOTIFY_WAIT_S = 5.0  # at the end of a run, the longest wait for messages still being sent
MAX_LINE_CHARS = 300  # of each of the log's last lines put into a message
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\r")

Report = Callable[[str], None]


def message_for(event: LaunchEvent, viewer_url: str = "") -> Message:
    """What to say about ``event``: the run's place and id, the server, the duration, the exit
    code, the log's last lines on a failure, and a link to the run's page."""
    name = event.run_name
    code = _exit_text(event)
    if event.kind == "start":
        title, level = f"{name} started", "info"
    elif event.kind == "retry":
        title, level = f"{name}: attempt {event.attempt} failed ({code}), retrying", "warning"
    elif event.kind == "finish":
        title, level = f"{name} finished", "success"
    elif event.kind == "failure":
        title, level = f"{name} failed ({code})", "error"
    elif event.kind == "timeout":
        title, level = f"{name} timed out", "error"
    else:
        title, level = f"{name} was interrupted ({event.reason or 'stopped'})", "warning"
    fields = {"run": f"{name} {event.run_id}", "server": event.server}
    fields["command"] = _cut(shlex.join(event.command), MAX_LINE_CHARS)
    if event.max_attempts > 1:
        fields["attempt"] = f"{event.attempt} of {event.max_attempts}"
    if event.duration_s is not None:
        fields["duration"] = describe_duration(round(event.duration_s, 1))
    if event.exit_code is not None:
        fields["exit code"] = str(event.exit_code) + (f" ({event.signal})" if event.signal else "")
    text = ""
    if event.kind in ("failure", "timeout", "retry", "interrupted") and event.last_log_lines:
        lines = [_cut(_ANSI.sub("", line), MAX_LINE_CHARS) for line in event.last_log_lines]
        text = "Last lines of the log:\n\n" + "\n".join(f"    {line}" for line in lines)
    return Message(title, text, level, fields, run_link(viewer_url, event.run_id))


class NotifyObserver:
    """An observer for :class:`~runicorn.launch.Launcher`: one message per event its channels
    take. ``report(text)`` receives one line per message that was not delivered (to be written
    into the run's log)."""

    def __init__(
        self,
        channels: Sequence[Channel],
        report: Report,
        viewer_url: str = "",
        wait_s: float = NOTIFY_WAIT_S,
    ) -> None:
        self.viewer_url = viewer_url
        self.wait_s = wait_s
        self._report = report
        self.notifier = Notifier(channels, on_result=self._on_result, timeout_s=wait_s)

    @classmethod
    def from_settings(cls, settings: Settings, names: Sequence[str], report: Report) -> NotifyObserver:
        """The observer for the channels ``--notify`` (else the ``notify_channels`` setting) names
        among the configured ones; raises ConfigError on a misconfigured channel or an unknown
        name, before anything runs."""
        channels = selected_channels(settings, names)
        return cls(channels, report, settings.viewer_url)

    @property
    def channels(self) -> list[Channel]:
        return self.notifier.channels

    def __call__(self, event: LaunchEvent) -> None:
        if not self.channels:
            return
        self.notifier.send(message_for(event, self.viewer_url), event.kind)
        if event.kind in END_KINDS:
            self.close()

    def close(self) -> None:
        """Wait at most ``wait_s`` for the messages still being sent."""
        if not self.notifier.close(self.wait_s):
            self._report(f"notifications still unsent after {describe_duration(self.wait_s)} were given up")

    def _on_result(self, channel: str, ok: bool, detail: str, event: str | None = None) -> None:
        if not ok:
            self._report(f"notification of {event or 'test'} to {channel} failed: {detail}")


def _exit_text(event: LaunchEvent) -> str:
    if event.exit_code is None:
        return "no exit code"
    return f"exit code {event.exit_code}" + (f", {event.signal}" if event.signal else "")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
