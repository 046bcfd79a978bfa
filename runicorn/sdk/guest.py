"""Guest mode: ``rn.init`` inside a command started by ``runicorn run`` logs into the wrapper's run.

``runicorn run`` creates the run, records the command's console from its pty and samples the
system. It hands the run to the command through the environment (``RUNICORN_RUN_DIR``,
``RUNICORN_RUN_ID``, ``RUNICORN_EVENTS_FD``: see runicorn/format/run.py) and the write end of a pipe.
``rn.init`` there returns a :class:`GuestRun` for that same folder: no new folder, no console
capture (the wrapper already records the pty), no system sampler. Its event and ``log_text`` lines
go down the pipe, and the wrapper appends them to its own queues, so ``events.jsonl`` and
``logs.txt`` keep one writer. It writes ``config.json`` and ``summary.json`` (merged with what is
there; its metrics' last values every few seconds and at finish, so a killed command keeps them)
and merges its tags and notes into ``meta.json``. It never writes ``status.json``: the
wrapper decides the final status from the exit code.

If the wrapper is gone, writes to the pipe fail like a full disk: one warning, training continues.
"""

from __future__ import annotations

import logging
import os
import select
import stat
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.sdk.config import Config
from runicorn.sdk.guest_pipe import GUEST_EVENT_LINE, GUEST_LOG_LINE
from runicorn.sdk.media import MediaWriter
from runicorn.sdk.run import Run
from runicorn.sdk.run_folder import last_step
from runicorn.sdk.sink import LineWriter, WriteJson
from runicorn.sdk.values import DropLedger
from runicorn.settings import Settings

log = logging.getLogger("runicorn")

_PIPE_BUF = select.PIPE_BUF  # writes up to this size are not interleaved with other writers


@dataclass(frozen=True)
class Handoff:
    """What ``runicorn run`` handed to this process: the run to log into and the pipe to use."""

    run_dir: Path
    run_id: str
    events_fd: int


_claimed: Handoff | None = None


def claim_handoff() -> Handoff | None:
    """The hand-off from ``runicorn run``, or None when this process was not started by it.

    The variables are taken out of ``os.environ`` on first use, so that programs this process
    starts in turn record runs of their own; later calls in this process get the same hand-off.
    """
    global _claimed
    if _claimed is not None:
        return _claimed
    fd_text = os.environ.pop(fmt.EVENTS_FD_ENV, None)
    fifo = os.environ.pop(fmt.EVENTS_FIFO_ENV, None)
    run_dir = os.environ.pop(fmt.RUN_DIR_ENV, None)
    run_id = os.environ.pop(fmt.RUN_ID_ENV, None)
    if not fd_text and fifo and run_dir and run_id:
        fd_text = _open_fifo(fifo)
    if not (fd_text and run_dir and run_id):
        return None
    try:
        fd = int(fd_text)
        if not stat.S_ISFIFO(os.fstat(fd).st_mode) or not (run_dir_path := Path(run_dir)).is_dir():
            raise ValueError("not a pipe")
    except (ValueError, OSError):
        log.warning(
            "runicorn: this process was started by `runicorn run` but cannot reach its run "
            "(%s=%s is not an open pipe here: a parent process closed it); it records a run of its own",
            fmt.EVENTS_FD_ENV,
            fd_text,
        )
        return None
    _claimed = Handoff(run_dir_path, run_id, fd)
    return _claimed


def _open_fifo(path: str) -> str | None:
    """The write end of the FIFO that stands for the pipe in a container, as a descriptor's
    number; None (warned) when no recorder reads it any more."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # ENXIO: no reader
        os.set_blocking(fd, True)
        return str(fd)
    except OSError as exc:
        log.warning(
            "runicorn: this process was started by `runicorn run` but cannot reach its run "
            "(%s=%s: %s); it records a run of its own",
            fmt.EVENTS_FIFO_ENV,
            path,
            exc.strerror or exc,
        )
        return None


class PipeWriter:
    """The guest's writer: queues of encoded lines, written down the pipe by one daemon thread
    every ``flush_interval_s`` and at finish. Never raises into the caller."""

    def __init__(self, fd: int, flush_interval_s: float, on_tick: Callable[[], None] | None = None) -> None:
        self._fd = fd
        self._on_tick = on_tick  # the run's tick (summary.json while logs change it), each flush
        self.events: deque[bytes] = deque()
        self.logs: deque[bytes] = deque()
        self.lost_lines = 0
        self.media: MediaWriter | None = None  # writes pending images before each flush
        self._broken = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._interval_s = flush_interval_s
        self._thread = threading.Thread(target=self._loop, name="runicorn-guest-writer", daemon=True)
        self._thread.start()

    def queue(self, key: str) -> deque[bytes]:
        """The queue of ``events.jsonl`` or ``logs.txt`` lines (lines of forked processes join them)."""
        return self.events if key == fmt.EVENTS_FILE else self.logs

    def flush(self) -> bool:
        with self._lock:
            if self.media is not None:
                self.media.write_pending()
            lines = [GUEST_EVENT_LINE + self.events.popleft() for _ in range(len(self.events))]
            lines += [GUEST_LOG_LINE + self.logs.popleft() for _ in range(len(self.logs))]
            if self._broken:
                self.lost_lines += len(lines)
                return not lines
            chunk: list[bytes] = []
            size = 0
            for line in lines:
                if chunk and size + len(line) > _PIPE_BUF:
                    self._write(b"".join(chunk), len(chunk))
                    chunk, size = [], 0
                chunk.append(line)
                size += len(line)
            if chunk:
                self._write(b"".join(chunk), len(chunk))
            return not self._broken

    def _write(self, data: bytes, n_lines: int) -> None:
        if self._broken:
            self.lost_lines += n_lines
            return
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._fd, view) :]
        except OSError as exc:
            self._broken = True
            self.lost_lines += n_lines
            log.warning(
                "runicorn: cannot send events to `runicorn run` (%s); training continues, "
                "its metrics are no longer recorded",
                exc.strerror or exc,
            )

    def close(self, timeout_s: float = 5.0) -> bool:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout_s)
        return self.flush()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                self.flush()
                if self._on_tick is not None:
                    self._on_tick()
            except Exception:  # noqa: BLE001 - the writer thread must never die
                log.exception("runicorn: unexpected error in the guest writer thread")


class GuestPipe:
    """The sink of a :class:`GuestRun`: the wrapper's run folder, read and merged into, and its
    pipe. ``status.json``, ``events.jsonl`` and ``logs.txt`` stay the wrapper's to write."""

    def __init__(
        self,
        settings: Settings,
        handoff: Handoff,
        config: dict[str, Any] | None = None,
        tags: list[str] | None = None,
        notes: str | None = None,
    ) -> None:
        self._meta = fmt.read_json(handoff.run_dir / fmt.META_FILE) or {}
        self.project = str(self._meta.get("project", fmt.DEFAULT_PROJECT))
        self.name = str(self._meta.get("name", fmt.DEFAULT_NAME))
        self.id, self.dir = handoff.run_id, handoff.run_dir
        self.summary: dict[str, Any] = fmt.read_json(self.dir / fmt.SUMMARY_FILE) or {}
        self.step = last_step(self.dir)
        self.config = {**(fmt.read_json(self.dir / fmt.CONFIG_FILE) or {}), **(config or {})}
        self._config_given = bool(config)
        self._tags, self._notes = tags, notes
        self._fd, self._flush_interval_s = handoff.events_fd, settings.flush_interval_s

    def open(self, config: Config, write_json: WriteJson, on_tick: Callable[[], None]) -> LineWriter:
        if self._config_given:
            write_json(fmt.CONFIG_FILE, dict(config))
        additions: dict[str, Any] = {}
        if self._tags:
            meta = self._meta
            before: list[Any] = meta["tags"] if isinstance(meta.get("tags"), list) else []
            additions["tags"] = [*before, *(str(t) for t in self._tags if str(t) not in before)]
        if self._notes is not None:
            additions["notes"] = self._notes
        if additions:
            write_json(fmt.META_FILE, {**(fmt.read_json(self.dir / fmt.META_FILE) or {}), **additions})
        # images: encoded by the pipe's thread into media/, their records sent after the file
        self._pipe = PipeWriter(self._fd, self._flush_interval_s, on_tick)
        return self._pipe

    def start(self) -> None:
        """Nothing: the wrapper records the pty and samples the system."""

    def update_status(self, values: dict[str, Any]) -> None:
        """Nothing: ``runicorn run`` owns status.json."""

    def append_encoded(self, file_name: str, line: bytes) -> None:
        """Nothing: the wrapper owns the run's append-only files."""

    def heartbeat(self) -> None:
        """Nothing: the wrapper keeps the heartbeat."""

    def final_status(self, status: str) -> str:
        return status  # recorded nowhere: the final status is the wrapper's to write

    def stop(self) -> None:
        pass

    def close(self, status: str, error: str | None, exit_status: int | None, drops: DropLedger) -> None:
        """Send everything queued to the wrapper."""
        self._pipe.close()
        if drops.counts:
            log.warning("runicorn: values dropped per key: %s", dict(drops.counts))

    def release(self) -> None:
        pass

    def after_fork_in_child(self) -> None:
        pass


class GuestRun(Run):
    """A :class:`Run` of ``runicorn run``'s, seen from the command it runs: the same training
    calls (``log``, ``log_text``, ``log_image``, ``summary``, ``config``), lines sent down a pipe."""

    def __init__(self, settings: Settings, pipe: GuestPipe) -> None:
        self._attach(settings, pipe)

    def __repr__(self) -> str:
        return (
            f"GuestRun(id={self.id!r}, project={self.project!r}, name={self.name!r}, dir={str(self.dir)!r})"
        )
