"""Runs in processes forked from the run's process: a ``multiprocessing`` worker started with the
fork method, a PyTorch DataLoader worker, a bare ``os.fork()``.

A forked process inherits the Run object but none of its threads: the writer thread is not there,
and the lines queued at the fork are the parent's, written by the parent. So at each fork
(``os.register_at_fork``) the run's process makes a pipe for the child, and a thread of the run's
process (:class:`~runicorn.sdk.fork_relay.ForkRelay`) reads what the children send and appends it
to the run's own queues: ``events.jsonl`` and ``logs.txt`` keep their one writer
(``events.columns`` frames what that writer wrote), and no file is added to the run. In the child
the run becomes a sender (:class:`~runicorn.sdk.child_lines.ChildLines`): each line goes down the
pipe at once, from the calling thread, so nothing waits in the child's memory when it ends with
``os._exit`` as multiprocessing workers do. Its ``rn.summary`` and ``rn.config`` changes are sent
too, and the run's process merges them; the child never writes status.json, never finishes the
run and never lets go of its lock.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import weakref
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runicorn import format as fmt
from runicorn.sdk.child_lines import CONFIG_LINE, SUMMARY_LINE, ChildLines, ChildMedia
from runicorn.sdk.fork_relay import ForkRelay

if TYPE_CHECKING:
    from runicorn.sdk.config import Config
    from runicorn.sdk.sink import Sink
    from runicorn.sdk.values import DropLedger
    from runicorn.settings import Settings

log = logging.getLogger("runicorn")

_DELTA_LINES = {fmt.SUMMARY_FILE: SUMMARY_LINE, fmt.CONFIG_FILE: CONFIG_LINE}


class ForkAware:
    """Mixed into :class:`runicorn.sdk.run.Run`: what a fork does to it, in both processes."""

    id: str
    dir: Path
    config: Config
    _settings: Settings
    _finished: bool
    _summary: dict[str, Any]
    _drops: DropLedger
    _writer: Any
    _events: Any
    _logs: Any
    _media: Any
    _sink: Sink
    _lock: Any
    _sent: dict[str, dict[str, Any]]
    _child: ChildLines | None = None  # set in a forked child: the run is its parent's
    _forks: ForkRelay | None = None  # in the run's process, once it forked

    def _write_json(self, file_name: str, value: dict[str, Any]) -> None:
        raise NotImplementedError

    def _remove_exit_hooks(self) -> None:
        raise NotImplementedError

    def _save_summary(self) -> None:
        raise NotImplementedError

    def _on_sigterm(self, signum: int, frame: Any) -> None:
        raise NotImplementedError

    def _fork_target(self, file_name: str) -> deque[bytes]:
        """The queue a child's lines for ``file_name`` join in the run's process."""
        queue: deque[bytes] = self._writer.queue(file_name)
        return queue

    # --- the run's process ------------------------------------------------------------------
    def _watch_forks(self) -> None:
        _install_fork_hooks()
        _open_runs.add(self)

    def _close_forks(self) -> None:
        """At finish, before the writer's last write: take what the children sent."""
        _open_runs.discard(self)
        if self._forks is not None:
            self._forks.close()

    def _merge_from_child(self, kind: bytes, values: dict[str, Any]) -> None:
        from runicorn.sdk.config import config_dict

        if kind == SUMMARY_LINE:
            self._summary.update(config_dict(values, "a forked process's summary", self._drops.drop))
            self._save_summary()
        else:
            self.config.update(values)

    def _before_fork(self) -> None:
        if self._finished or self._child is not None:
            return  # a child's children share its pipe
        if self._forks is None:
            self._forks = ForkRelay(self)
        self._forks.before_fork()

    def _after_fork_in_parent(self) -> None:
        if self._forks is not None and self._child is None:
            self._forks.after_fork_in_parent()

    # --- a forked child ---------------------------------------------------------------------
    def _after_fork_in_child(self) -> None:
        if self._child is not None:  # forked from a child: the same pipe, this process's own sender
            self._become_child(self._child.fd)
            return
        fd = self._forks.child_write_end() if self._forks is not None else None
        self._forks = None
        self._become_child(fd, "" if fd is not None else "no pipe to the run's process could be made")
        self._sink.after_fork_in_child()  # the run's lock stays the run process's
        previous = self.__dict__.get("_previous_sigterm")
        try:
            if previous is not None and signal.getsignal(signal.SIGTERM) == self._on_sigterm:
                signal.signal(signal.SIGTERM, previous)  # SIGTERM ends this process as without a run
        except (ValueError, OSError):
            pass

    def _become_child(self, fd: int | None, why_not: str = "") -> None:
        lines = ChildLines(fd, self._settings.max_pending_bytes, self.id, why_not)
        self._child = lines
        self._writer = lines
        self._events = lines.events.append
        self._logs = lines.logs
        self._media = ChildMedia(self.dir, lines.events, self._drops.drop)
        self._lock = threading.Lock()
        self.__dict__.pop("_alerts", None)  # the alert thread too: a child makes its own
        self._sent = {fmt.SUMMARY_FILE: dict(self._summary), fmt.CONFIG_FILE: dict(self.config)}

    def _send_json(self, file_name: str, value: dict[str, Any]) -> None:
        """In a child: the summary or config keys it changed go to the run's process."""
        kind = _DELTA_LINES.get(file_name)
        if kind is None or self._child is None:
            return  # status.json and meta.json are the run's process's
        sent = self._sent[file_name]
        changed = {k: v for k, v in value.items() if k not in sent or sent[k] != v}
        if changed:
            sent.update(changed)
            self._child.send(kind + json.dumps(changed, separators=(",", ":")).encode() + b"\n")

    def _end_child(self) -> None:
        """``finish`` (or the end of the process) in a child: send what waits; the run goes on."""
        if self._finished:
            return
        self._finished = True
        try:
            self._remove_exit_hooks()
            if self._child is not None:
                self._child.close()
        except Exception as exc:  # noqa: BLE001
            log.warning(
                "runicorn: a forked process of run %s could not send its last values: %r", self.id, exc
            )


_open_runs: weakref.WeakSet[ForkAware] = weakref.WeakSet()
_hooks_installed = False


def _install_fork_hooks() -> None:
    global _hooks_installed
    if _hooks_installed or not hasattr(os, "register_at_fork"):
        return
    _hooks_installed = True
    os.register_at_fork(before=_before, after_in_parent=_after_in_parent, after_in_child=_after_in_child)


def _before() -> None:
    for run in list(_open_runs):
        try:
            run._before_fork()
        except Exception as exc:  # noqa: BLE001 - a fork must never fail because of a run
            log.debug("runicorn: no pipe for a forked process: %r", exc)


def _after_in_parent() -> None:
    for run in list(_open_runs):
        try:
            run._after_fork_in_parent()
        except Exception as exc:  # noqa: BLE001
            log.debug("runicorn: after a fork: %r", exc)


def _after_in_child() -> None:
    for run in list(_open_runs):
        try:
            run._after_fork_in_child()
        except Exception as exc:  # noqa: BLE001 - the child then warns once instead of losing silently
            try:
                run._become_child(None, f"it could not be set up ({exc!r})")
            except Exception:  # noqa: BLE001
                pass
