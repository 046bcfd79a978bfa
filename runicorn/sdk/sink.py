"""Where a run's records go. One :class:`~runicorn.sdk.run.Run` does the training calls; behind it
a sink names the run and takes what it writes:

- :class:`LocalFiles`: the run's own folder (what ``rn.init`` makes): it holds the run's lock,
  owns ``status.json`` and its heartbeat, writes ``events.jsonl`` and ``logs.txt`` from a writer
  thread, and captures the console and samples the system.
- :class:`~runicorn.sdk.guest.GuestPipe`: the run of a ``runicorn run`` that started this process;
  lines go down the wrapper's pipe, and the wrapper keeps the status.

With logging off there is no sink and no run state at all: :class:`~runicorn.sdk.disabled.DisabledRun`.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from runicorn import format as fmt
from runicorn.errors import ConfigError, StorageError
from runicorn.files.storage_root import make_storage_root
from runicorn.sdk.config import Config, config_dict
from runicorn.sdk.console import ConsoleCapture
from runicorn.sdk.media import MediaWriter
from runicorn.sdk.run_folder import last_step, make_run_dir, refuse_id_of_another_run, write_meta
from runicorn.sdk.run_lock import RunLock
from runicorn.sdk.system import SystemSampler
from runicorn.sdk.values import DropLedger
from runicorn.settings import Settings

log = logging.getLogger("runicorn")

WriteJson = Callable[[str, dict[str, Any]], None]


class LineWriter(Protocol):
    """The queues of encoded ``events.jsonl`` and ``logs.txt`` lines, and what writes them out."""

    media: MediaWriter | None

    def queue(self, key: str) -> deque[bytes]: ...

    def flush(self) -> bool: ...

    def close(self) -> bool: ...

    @property
    def lost_lines(self) -> int: ...


class Sink(Protocol):
    """What a :class:`~runicorn.sdk.run.Run` needs from where it writes.

    Known before :meth:`open`: the run's names, id and folder, and the summary, config and last
    step it starts from (a resumed run's, read back)."""

    project: str
    name: str
    id: str
    dir: Path
    summary: dict[str, Any]
    config: dict[str, Any]
    step: int

    def open(self, config: Config, write_json: WriteJson, on_tick: Callable[[], None]) -> LineWriter:
        """The first writes (through ``write_json``, the run's), then the writer of its lines."""
        ...

    def start(self) -> None:
        """Once the run can take lines: the threads that add some of their own."""
        ...

    def update_status(self, values: dict[str, Any]) -> None: ...

    def append_encoded(self, file_name: str, line: bytes) -> None: ...

    def heartbeat(self) -> None: ...

    def final_status(self, status: str) -> str:
        """The status ``finish(status)`` records (warned and replaced when it is not one)."""
        ...

    def stop(self) -> None:
        """At finish, first: the threads that add lines (console, system sampler) stop."""
        ...

    def close(self, status: str, error: str | None, exit_status: int | None, drops: DropLedger) -> None:
        """At finish, after the forked processes' lines joined the queues: the last writes."""
        ...

    def release(self) -> None:
        """At finish, whatever happened before: what the run held is let go."""
        ...

    def after_fork_in_child(self) -> None:
        """In a forked process: what belongs to the run's process only is forgotten here."""
        ...


@dataclass(frozen=True)
class RunRequest:
    """Which run to start: ``rn.init``'s arguments once the storage root is resolved."""

    project: str = "default"
    name: str = "default"
    config: Any = None
    tags: list[str] | None = None
    notes: str | None = None
    run_id: str | None = None
    capture_console: bool = True
    system_metrics: bool = True


class LocalFiles:
    """The run's own folder under the storage root: made (or found again, to resume) and locked."""

    def __init__(self, settings: Settings, request: RunRequest, nvml: Any | None = None) -> None:
        project, name, run_id = request.project, request.name, request.run_id
        tags, notes = request.tags, request.notes
        for label, value in (("project", project), ("name", name)):
            if not isinstance(value, str) or not fmt.is_safe_id(value):
                raise ConfigError(
                    f"{label}={value!r} cannot name a folder",
                    "use letters, digits, '_', '-' and '.', not starting with '.' (max 128 characters)",
                )
        if run_id is not None and not fmt.is_safe_id(run_id):
            raise ConfigError(f"run_id={run_id!r} cannot name a folder", "pass run_id=None for a fresh id")
        config = config_dict(request.config)  # refused here, before a run folder exists
        self.project, self.name = project, name
        self.root = settings.storage
        self._settings = settings
        self._capture_console, self._system_metrics = request.capture_console, request.system_metrics
        self._nvml = nvml
        make_storage_root(self.root, settings.storage_is_fallback)
        if run_id is not None:
            refuse_id_of_another_run(self.root, project, name, run_id)
        self.id, self.dir, resumed = make_run_dir(self.root, project, name, run_id)
        self._run_lock = RunLock(self.dir)
        self._run_lock.acquire()
        self.step = last_step(self.dir) if resumed else 0
        self.summary: dict[str, Any] = {}
        now = time.time()
        self._created, started = now, now
        if resumed:  # a resumed run keeps its summary, config (updated by the one given now),
            # when it was created and started, its tags and notes
            self.summary = fmt.read_json(self.dir / fmt.SUMMARY_FILE) or {}
            config = {**(fmt.read_json(self.dir / fmt.CONFIG_FILE) or {}), **config}
            before = fmt.read_json(self.dir / fmt.META_FILE) or {}
            self._created = _number_or(before.get("created_at"), now)
            started = _number_or((fmt.read_json(self.dir / fmt.STATUS_FILE) or {}).get("started_at"), now)
            tags = tags if tags is not None else before.get("tags")
            notes = notes if notes is not None else before.get("notes")
        self.config = config
        self._tags, self._notes = tags, notes
        self._status = fmt.StatusData(status=fmt.RUNNING, started_at=started, heartbeat_at=now)

    def open(self, config: Config, write_json: WriteJson, on_tick: Callable[[], None]) -> LineWriter:
        self._write_json = write_json
        try:
            write_meta(
                self.dir, self.id, self.project, self.name, self.root, self._created, self._tags, self._notes
            )
            write_json(fmt.CONFIG_FILE, dict(config))
            write_json(fmt.STATUS_FILE, dict(self._status))
        except OSError as exc:
            self._run_lock.release()
            raise StorageError(
                f"cannot write the run folder {self.dir}: {exc.strerror or exc}",
                "check that the storage root is writable and the disk has space, "
                "or pass storage= / set RUNICORN_DIR to another folder",
            ) from exc

        from runicorn.sdk.frames_writer import FramesWriter
        from runicorn.sdk.writer import BufferedWriter

        settings = self._settings
        self._writer = BufferedWriter(
            {fmt.EVENTS_FILE: self.dir / fmt.EVENTS_FILE, fmt.LOGS_FILE: self.dir / fmt.LOGS_FILE},
            flush_interval_s=settings.flush_interval_s,
            max_pending_bytes=settings.max_pending_bytes,
            on_tick=on_tick,
            tick_interval_s=fmt.HEARTBEAT_INTERVAL_S,
            frames={fmt.EVENTS_FILE: FramesWriter(self.dir / fmt.EVENTS_FILE, self.dir / fmt.COLUMNS_FILE)},
        )
        return self._writer

    def start(self) -> None:
        """The console capture and the system sampler, once the run can take their lines."""
        self._console = ConsoleCapture(self._writer.queue(fmt.LOGS_FILE)) if self._capture_console else None
        if self._console:
            self._console.start()
        events = self._writer.queue(fmt.EVENTS_FILE)
        self._sampler = SystemSampler(events, self._settings.system_interval_s, self._nvml)
        if self._system_metrics:
            self._sampler.start()

    def update_status(self, values: dict[str, Any]) -> None:
        self._status.update(values)  # type: ignore[typeddict-item]
        self._write_json(fmt.STATUS_FILE, dict(self._status))

    def append_encoded(self, file_name: str, line: bytes) -> None:
        self._writer.queue(file_name).append(line)

    def heartbeat(self) -> None:
        self._status[fmt.HEARTBEAT_KEY] = time.time()  # type: ignore[literal-required]
        self._write_json(fmt.STATUS_FILE, dict(self._status))

    def final_status(self, status: str) -> str:
        if status not in fmt.FINAL_STATUSES:
            allowed = ", ".join(sorted(fmt.FINAL_STATUSES))
            log.warning("runicorn: finish(status=%r) is not one of %s; recorded as finished", status, allowed)
            return fmt.FINISHED
        return status

    def stop(self) -> None:
        self._sampler.stop()
        if self._console:
            self._console.stop()

    def close(self, status: str, error: str | None, exit_status: int | None, drops: DropLedger) -> None:
        all_written = self._writer.close()
        ended = time.time()
        self._status.update(fmt.StatusData(status=status, ended_at=ended, heartbeat_at=ended))
        if exit_status is not None:
            self._status.update(fmt.StatusData(exit_code=exit_status))
        if error:
            self._status.update(fmt.StatusData(error=error))
        if drops.counts:
            self._status.update(fmt.StatusData(dropped=dict(drops.counts)))
        if self._writer.lost_lines:
            self._status.update(fmt.StatusData(lost_events=self._writer.lost_lines))
        self._write_json(fmt.STATUS_FILE, dict(self._status))
        if not all_written:
            log.warning(
                "runicorn: run %s finished but some events could not be written to %s", self.id, self.dir
            )

    def release(self) -> None:
        self._run_lock.release()

    def after_fork_in_child(self) -> None:
        self._run_lock.forget()  # the lock stays the run process's: this copy goes


def _number_or(value: Any, default: float) -> float:
    """``value`` when it is a plain number (read back from a run's JSON), else ``default``."""
    return float(value) if type(value) in (int, float) else default
