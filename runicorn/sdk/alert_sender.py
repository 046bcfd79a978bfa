"""The sending half of ``rn.alert``: a message through the configured notification channels
(runicorn/notify), on the notifier's background thread, so an alert never blocks or raises into
the training loop. ``runicorn.notify`` is imported on the first alert: ``import runicorn`` stays
light. The record half (the ``alert`` line in events.jsonl) is the run's (runicorn/sdk/run.py).
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from runicorn.errors import RunicornError
from runicorn.settings import Settings

log = logging.getLogger("runicorn")

ALERT_WAIT_S = 5.0  # at finish, the longest wait for alerts still being sent
EVENT = "alert"  # the notification event of rn.alert (RUNICORN_NOTIFY_EVENTS)


def run_link(viewer_url: str, run_id: str) -> str | None:
    """The run's page in the viewer (``<viewer_url>/runs/<id>``), or None without a viewer URL."""
    base = viewer_url.strip().rstrip("/")
    return f"{base}/runs/{quote(run_id, safe='')}" if base else None


class AlertSender:
    """Sends one run's alerts. ``report(text)`` gets one line per alert a channel did not take
    (the service's own words, secrets masked), to be written into the run's log."""

    def __init__(
        self, settings: Settings, project: str, name: str, run_id: str, report: Callable[[str], None]
    ):
        self._settings = settings
        self._place = f"{project}/{name}"
        self._run_id = run_id
        self._report = report
        self._notifier: Any = None
        self._message: Any = None  # runicorn.notify.Message, once imported
        self._off = False

    def send(self, title: str, text: str, level: str, step: int) -> None:
        """Queue the alert for every selected channel that takes the ``alert`` event."""
        if self._off:
            return
        try:
            if self._notifier is None and not self._start():
                return
            fields = {
                "run": f"{self._place} {self._run_id}",
                "server": socket.gethostname(),
                "step": str(step),
            }
            link = run_link(self._settings.viewer_url, self._run_id)
            self._notifier.send(self._message(f"{self._place}: {title}", text, level, fields, link), EVENT)
        except Exception as exc:  # noqa: BLE001 - never raise into the training loop
            self._off = True
            log.warning("runicorn: rn.alert cannot send notifications: %r", exc)

    def close(self, timeout_s: float = ALERT_WAIT_S) -> None:
        """Wait at most ``timeout_s`` for the alerts still being sent."""
        if self._notifier is not None and not self._notifier.close(timeout_s):
            self._report(f"alerts still unsent after {timeout_s:g} s were given up")

    def _start(self) -> bool:
        from runicorn.notify import Message, Notifier, selected_channels

        try:
            channels = selected_channels(self._settings)
        except RunicornError as err:  # a misconfigured channel: said once, the alert is still recorded
            self._off = True
            log.warning("runicorn: rn.alert sends no notification: %s (%s)", err.message, err.hint)
            return False
        if not channels:
            self._off = True
            return False
        self._message = Message
        self._notifier = Notifier(channels, on_result=self._on_result, timeout_s=ALERT_WAIT_S)
        return True

    def _on_result(self, channel: str, ok: bool, detail: str, event: str | None = EVENT) -> None:
        if not ok:
            self._report(f"notification of {event or EVENT} to {channel} failed: {detail}")
