"""A training run: the object ``rn.init`` returns.

``init`` (the constructor) fails loudly on misconfiguration. After that, no method raises into the
training loop and none blocks on the disk: metric lines are encoded on the caller's thread and
appended to an in-memory queue that :class:`~runicorn.sdk.writer.BufferedWriter` writes out.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from types import TracebackType
from typing import Any

from runicorn import format as fmt
from runicorn.files import write_json_atomic
from runicorn.sdk import exit_code
from runicorn.sdk.config import Config, config_dict
from runicorn.sdk.console import LineAssembler
from runicorn.sdk.exit_hooks import EndsWithBlock, ExitHooks
from runicorn.sdk.forked import ForkAware
from runicorn.sdk.media import MediaWriter
from runicorn.sdk.run_media import MediaCalls
from runicorn.sdk.run_summary import SummaryState
from runicorn.sdk.sink import LocalFiles, RunRequest, Sink
from runicorn.sdk.values import (
    DROP,
    INT64_MAX,
    INT64_MIN,
    DropLedger,
    clean_text,
    key_text,
    short_repr,
    to_json_value,
    to_number,
)
from runicorn.settings import Settings

log = logging.getLogger("runicorn")

_STEP = fmt.STEP_KEY
_TIME = fmt.TIME_KEY
_STAGE = fmt.STAGE_KEY
_METRICS = fmt.METRICS
_encode = fmt.encode_event
_SUMMARY_SAVE_S = fmt.SUMMARY_SAVE_INTERVAL_S
_now = time.time

_process_warnings: set[str] = set()


def warn_once_per_process(topic: str, message: str) -> None:
    """A warning through the ``runicorn`` logger, the first time ``topic`` comes up in this process."""
    if topic not in _process_warnings:
        _process_warnings.add(topic)
        log.warning("runicorn: %s", message)


def warn_no_run(call: str) -> None:
    warn_once_per_process(
        "no run",
        f"rn.{call} was called with no run started (before rn.init or after rn.finish): "
        "nothing was recorded (warned once per process)",
    )


class Run(MediaCalls, SummaryState, ExitHooks, EndsWithBlock, ForkAware):
    """One run folder being written. Use as a context manager to finish it on exit."""

    def __init__(self, settings: Settings, request: RunRequest, nvml: Any | None = None) -> None:
        """Start the run ``request`` names under ``settings.storage`` (``rn.init`` makes one)."""
        self._attach(settings, LocalFiles(settings, request, nvml))

    def _attach(self, settings: Settings, sink: Sink) -> None:
        """Start writing over ``sink`` (the run's own folder, or a guest's pipe)."""
        self._sink = sink
        self.project, self.name, self.id, self.dir = sink.project, sink.name, sink.id, sink.dir
        self.root = settings.storage
        self._settings = settings
        self._finished = False
        self._step = sink.step
        self._lock = threading.Lock()
        self._drops = DropLedger()
        self._summary: dict[str, Any] = {}  # set by the program since the key's last log
        self._last: dict[str, Any] = {}  # each logged metric's last value (reserved keys too)
        self._keeps_last: Any = None  # a key -> bool test (summary_keeps_last), None: every key
        self._keeps_values = False  # history_keeps_values: text, None and lists stay in the rows
        self._summary_lock = threading.Lock()
        self._summary_dirty = False
        self._summary_saved_at = time.monotonic()
        self._summary_complete = self._take_summary(sink.summary, sink.step)
        self._warned_topics: set[str] = set()
        self.config = Config(lambda c: self._write_json(fmt.CONFIG_FILE, c), sink.config, self._drops.drop)
        self._writer = sink.open(self.config, self._write_json, self._heartbeat)
        self._media = MediaWriter(self.dir, self._writer.queue(fmt.EVENTS_FILE), self._drops.drop)
        self._writer.media = self._media  # images are encoded and written by the writer thread
        self._events = self._writer.queue(fmt.EVENTS_FILE).append
        self._logs = self._writer.queue(fmt.LOGS_FILE)
        sink.start()
        self._install_exit_hooks()
        self._watch_forks()  # rn.log in a forked process reaches this run (runicorn/sdk/forked.py)

    # --- the training-loop API -------------------------------------------------------------
    def log(
        self,
        data: dict[str, Any] | None = None,
        step: int | None = None,
        stage: str | None = None,
        **metrics: Any,
    ) -> None:
        """Record metric values at ``step`` (the last step + 1 when omitted).

        Values follow :data:`runicorn.sdk.values.VALUE_RULES`; a call left with no value to record
        writes no line and does not move the step."""
        if self._finished:
            warn_no_run("log")
            return
        try:
            if metrics:
                data = {**(data or {}), **metrics}
            if not data:
                return  # nothing to record: no line, and the step does not move
            now = _now()
            record = {}
            for key, value in data.items():
                kind = type(value)
                if kind is float or (kind is int and INT64_MIN <= value <= INT64_MAX):
                    record[key] = value
                else:
                    self._slow_value(record, key, value)
            n = len(record)
            record[_STEP] = 0  # its place in the line; the step is known once something is kept
            record[_TIME] = now
            if stage is not None:
                record[_STAGE] = stage if type(stage) is str else _stage_text(stage)
                n += 1
            elif _STAGE in record:  # a metric named "stage": dropped below like the other reserved keys
                del record[_STAGE]
            if len(record) != n + 2:
                record = self._without_reserved(data, record)
                n = len(record) - 2
            if n == (stage is not None):
                return  # every value was dropped: no line, and the step does not move
            before = self._step
            if step is None:
                step = self._step = self._step + 1
            else:
                step = self._step = int(step)
            record[_STEP] = step
            try:
                line: bytes | None = _encode(_METRICS, record, now)
            except TypeError:  # a key that is not a str, text UTF-8 cannot hold (a lone surrogate)
                line, record = self._encode_odd_keys(record, now, n - (stage is not None))
            if line is None:
                self._step = before  # nothing was left to record: the step does not move
                return
            self._events(line)
            if self._keeps_last is None:  # the summary's default: each metric's last value
                self._last.update(record)
                if self._summary:
                    self._replace_explicit(record)
            else:
                self._remember_some(record)
            self._summary_dirty = True
        except Exception as exc:  # noqa: BLE001 - never raise into the training loop
            if not isinstance(data, dict):
                got = type(data).__name__
                self._warn_once("log", f"rn.log takes a dict of metric names to numbers, got {got}: skipped")
            else:
                self._warn_once("log", f"rn.log failed and was skipped: {exc!r}")

    def log_text(self, text: str) -> None:
        """Append a line (or lines) of text to the run's log, as ``HH:MM:SS | text``."""
        if self._finished:
            warn_no_run("log_text")
            return
        try:
            now = time.time()
            for line in str(text).splitlines() or [""]:
                self._logs.append(fmt.text_line(line, now).encode("utf-8", "replace"))
        except Exception as exc:  # noqa: BLE001
            self._warn_once("log_text", f"rn.log_text failed and was skipped: {exc!r}")

    def alert(self, title: str, text: str = "", level: str = "info") -> None:
        """Record an alert in the run (an ``alert`` line in events.jsonl, at the current step)
        and send it through the configured notification channels (docs/notify.md), in the
        background. ``level``: ``info``, ``success``, ``warning`` or ``error``."""
        if self._finished:
            warn_no_run("alert")
            return
        try:
            level = str(level).lower()
            if level not in fmt.ALERT_LEVELS:
                self._warn_once(
                    "alert level",
                    f"rn.alert level={level!r} is not one of {', '.join(fmt.ALERT_LEVELS)}; recorded as info",
                )
                level = "info"
            data = fmt.AlertData(
                title=clean_text(str(title))[: fmt.ALERT_TITLE_MAX_CHARS],
                text=clean_text(str(text))[: fmt.ALERT_TEXT_MAX_CHARS],
                level=level,
                step=self._step,
            )
            self._events(_encode(fmt.ALERT, dict(data), _now()))
            if self.__dict__.get("_alerts") is None:
                from runicorn.sdk.alert_sender import AlertSender

                self._alerts = AlertSender(self._settings, self.project, self.name, self.id, self._note)
            self._alerts.send(data["title"], data["text"], level, data["step"])
        except Exception as exc:  # noqa: BLE001 - never raise into the training loop
            self._warn_once("alert", f"rn.alert failed and was skipped: {exc!r}")

    def log_checkpoint(self, path: Any, step: int | None = None) -> None:
        """Record that the script saved a checkpoint at ``path`` (a ``checkpoint`` line in
        events.jsonl; a relative path is made absolute in the current folder). ``step``: the
        run's last logged step when not given. ``runicorn resume JOB`` starts from the latest."""
        if self._finished:
            warn_no_run("log_checkpoint")
            return
        try:
            where = os.path.abspath(os.fspath(path))
            at = self._step if step is None else int(step)
            data = fmt.CheckpointData(path=where, step=at)
            self._events(_encode(fmt.CHECKPOINT, dict(data), _now()))
        except Exception as exc:  # noqa: BLE001 - never raise into the training loop
            self._warn_once("checkpoint", f"rn.log_checkpoint failed and was skipped: {exc!r}")

    def summary(self, values: dict[str, Any]) -> None:
        """Set summary values (final numbers: best accuracy, test loss...) and write summary.json.

        Without it a metric's summary is its last logged value; a value set here wins until the
        key is logged again (W&B's rule). Numbers in any form (numpy, torch) are written as
        numbers; text, bools, lists and nested dicts stay as they are
        (:data:`runicorn.sdk.values.VALUE_RULES`)."""
        if self._finished:
            warn_no_run("summary")
            return
        try:
            self._summary.update(config_dict(values, "rn.summary's argument", self._drops.drop))
            self._save_summary()
        except Exception as exc:  # noqa: BLE001
            self._warn_once("summary", f"rn.summary failed: {exc!r}")

    def summary_keeps_last(self, keeps: Any) -> None:
        """Which logged keys take their last value as summary by default: ``keeps(key)`` is
        asked once per key (None: every key, the default). The summaries of the other keys are
        the caller's to set with :meth:`summary`, and later logs leave them alone (for W&B's
        ``define_metric(summary=...)``)."""
        self._keeps_last = keeps
        self.__dict__["_keeps_of"] = {}

    def history_keeps_values(self, keep: bool = True) -> None:
        """Keep text, None and lists in the logged rows instead of dropping them, as W&B's
        history does (for ``runicorn.wandb``); charts skip them, the summary keeps the last."""
        self._keeps_values = bool(keep)

    def log_artifact(
        self,
        artifact_or_path: Any,
        name: str | None = None,
        type: str | None = None,
        aliases: list[str] | None = None,
    ) -> Any:
        """Store an artifact (a :class:`runicorn.artifacts.Draft`, or a file or folder path) as a
        version in the storage root's artifact store and record it as logged by this run
        (docs/artifacts.md). Returns the stored version, or None (one warning) when it failed."""
        from runicorn.artifacts.usage import log_artifact

        return log_artifact(self.root, self.dir, artifact_or_path, name=name, type=type, aliases=aliases)

    def use_artifact(self, spec: str, type: str | None = None) -> Any:
        """The stored version ``spec`` names (``name``, ``name:latest``, ``name:v1``), recorded as
        used by this run; raises :class:`runicorn.errors.ArtifactError` when there is none."""
        from runicorn.artifacts.usage import use_artifact

        return use_artifact(self.root, self.dir, spec, type=type)

    def on_finish(self, callback: Any) -> None:
        """Call ``callback()`` when the run finishes, before its final status is written (files
        saved at the end, runicorn/wandb/save.py). A failing callback is one warning."""
        self.__dict__.setdefault("_finish_callbacks", []).append(callback)

    def _run_finish_callbacks(self) -> None:
        for callback in self.__dict__.get("_finish_callbacks", ()):
            try:
                callback()
            except Exception as exc:  # noqa: BLE001
                log.warning("runicorn: a finishing step of run %s failed: %r", self.id, exc)

    def flush(self) -> None:
        """Write buffered events and logs to disk now (they are written every flush interval anyway)."""
        try:
            self._writer.flush()
        except Exception:  # noqa: BLE001
            pass

    # --- for a wrapper that records a command into this run (runicorn run) ----------------
    def write_console(self, text: str) -> None:
        """Append console output, as a terminal received it, to logs.txt (``[HH:MM:SS] line``;
        ``\r`` redraws kept in their last state). Used by ``runicorn run`` for its pty."""
        if self._finished:
            return
        if self.__dict__.get("_wrapped_console") is None:
            self._wrapped_console = LineAssembler(self._logs)
        self._wrapped_console.feed(text)

    def close_console(self) -> None:
        """Write the console's unfinished last line, if any; the next text starts a new line."""
        if self.__dict__.get("_wrapped_console") is not None:
            self._wrapped_console.close()

    def append_encoded(self, file_name: str, line: bytes) -> None:
        """Append one complete, already-encoded line to events.jsonl or logs.txt: the lines a
        guest process (runicorn/sdk/guest.py) sends to the run's one writer."""
        if not self._finished and line.endswith(b"\n"):
            self._sink.append_encoded(file_name, line)

    def update_meta(self, values: dict[str, Any]) -> None:
        """Merge ``values`` into meta.json (the command that ran, a guest's tags and notes)."""
        meta = fmt.read_json(self.dir / fmt.META_FILE) or {}
        self._write_json(fmt.META_FILE, {**meta, **values})

    def update_status(self, values: dict[str, Any]) -> None:
        """Merge ``values`` into status.json now and at finish (exit code, attempts, reason)."""
        if self._finished:
            return
        self._sink.update_status(values)

    def finish(
        self, status: str = fmt.FINISHED, error: str | None = None, exit_code: int | None = None
    ) -> None:
        """Write everything buffered and mark the run ``finished`` (or ``failed``/``interrupted``).

        Any other ``status`` is recorded as ``finished`` with a warning naming the allowed ones.
        ``exit_code``: the process's exit status to record with it (status.json ``exit_code``)."""
        self._end(status, error, exit_code)

    def _end(self, status: str, error: str | None = None, exit_status: int | None = None) -> None:
        """Finish the run; ``exit_status`` is the process's own when its end finishes the run."""
        self._close_alerts()
        if self._child is not None:  # a forked process: the run is its parent's to finish
            self._end_child()
            return
        with self._lock:
            if self._finished:
                return
            self._finished = True
        status = self._sink.final_status(status)
        self._run_finish_callbacks()
        try:
            self._sink.stop()
            self._remove_exit_hooks()
            self._close_forks()  # what forked processes sent joins the queues first
            if self._summary_dirty:
                self._save_summary()
            self._sink.close(status, error, exit_status, self._drops)
        except Exception as exc:  # noqa: BLE001
            log.warning("runicorn: finishing run %s failed: %r", self.id, exc)
        finally:
            self._sink.release()

    @property
    def finished(self) -> bool:
        return self._finished

    @property
    def step(self) -> int:
        """The step of the last metrics line logged (of a resumed run: read back from its events)."""
        return self._step

    def _end_by_exception(
        self, kind: type[BaseException] | None, exc: BaseException, tb: TracebackType | None
    ) -> None:
        if isinstance(exc, SystemExit):
            code = exit_code.code_of(exc.code)
            self._end(
                fmt.FINISHED if code == 0 else fmt.FAILED, None if code == 0 else f"SystemExit: {code}", code
            )
        else:  # the exit status the exception gives the process (1; Ctrl-C 130), as W&B records it
            self._fail(kind, exc, tb, process_ends=True)

    def __repr__(self) -> str:
        return f"Run(id={self.id!r}, project={self.project!r}, name={self.name!r}, dir={str(self.dir)!r})"

    # --- internals ---------------------------------------------------------------------------
    def _slow_value(self, record: dict[str, Any], key: Any, value: Any, depth: int = 0) -> None:
        name = key if isinstance(key, str) else key_text(key)
        if name is None:
            self._drops.drop(short_repr(key), value, "the key is not text (its str() fails)")
            return
        if isinstance(value, dict) and depth < 8:  # flattened: {"val": {"loss": 1}} logs "val/loss"
            for inner, inner_value in value.items():
                inner_name = inner if isinstance(inner, str) else key_text(inner)
                inner_path = f"{name}/{inner_name if inner_name is not None else short_repr(inner)}"
                if inner_name is None:
                    self._drops.drop(inner_path, inner_value, "the key is not text (its str() fails)")
                else:
                    self._slow_value(record, inner_path, inner_value, depth + 1)
            return
        try:
            number = to_number(value)
        except Exception:  # noqa: BLE001 - a value whose item() or float() fails in a new way
            number = DROP
        if number is DROP and self._keeps_values and (value is None or isinstance(value, (str, list, tuple))):
            number = to_json_value(value, self._drops.drop, name)
        if number is DROP:
            self._drops.drop(name, value, f"a {type(value).__name__} is not a number (see docs/sdk.md)")
        else:
            record[name] = number

    def _encode_odd_keys(
        self, record: dict[str, Any], now: float, n_values: int
    ) -> tuple[bytes | None, dict[str, Any]]:
        """The line of a row that orjson refused, and the row it holds: each key made text, a key
        that has none (or holds a lone surrogate) dropped and counted, the stage cleaned; None
        when no value is left."""
        clean: dict[str, Any] = {}
        for key, value in record.items():
            name = key_text(key)
            if name is None:
                why = "the key is not valid text (its str() fails, or it has a lone surrogate)"
                self._drops.drop(key if isinstance(key, str) else short_repr(key), value, why)
                n_values -= 1
            else:
                clean[name] = value
        if n_values <= 0:
            return None, clean
        if isinstance(clean.get(_STAGE), str):
            clean[_STAGE] = clean_text(clean[_STAGE])
        return _encode(_METRICS, clean, now), clean

    def _without_reserved(self, data: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
        """``record`` without the reserved keys ``data`` brought (each one counted as dropped)."""
        for key in fmt.RESERVED_METRIC_KEYS.intersection(data):
            self._drops.drop(key, data[key], f"'{key}' is reserved by Runicorn (pass step= / stage= instead)")
        return record

    def _write_json(self, file_name: str, value: dict[str, Any]) -> None:
        if self._child is not None:  # a forked process: its changes go to the run's process
            self._send_json(file_name, value)
            return
        try:
            write_json_atomic(self.dir / file_name, value)
        except OSError as exc:
            self._warn_once(
                file_name,
                f"cannot write {self.dir / file_name} ({exc.strerror or exc}); "
                "training continues, it is written again at the next change",
            )

    def _close_alerts(self) -> None:
        """Wait a bounded time for alerts still being sent, while the run's log is still open."""
        alerts = self.__dict__.get("_alerts")
        if alerts is not None and not self._finished:
            alerts.close()

    def _note(self, text: str) -> None:
        """A line of Runicorn's own in the run's log (from any thread), while the run is open."""
        if not self._finished:
            self.log_text(f"runicorn: {text}")
        warn_once_per_process("notify refused", f"{text} (more in the run's logs.txt)")

    def _warn_once(self, topic: str, message: str) -> None:
        if topic not in self._warned_topics:
            self._warned_topics.add(topic)
            log.warning("runicorn: %s", message)

    def _heartbeat(self) -> None:
        """The writer thread's tick: the heartbeat, and summary.json when logs changed it."""
        if not self._finished:
            self._sink.heartbeat()
            if self._summary_dirty and time.monotonic() - self._summary_saved_at >= _SUMMARY_SAVE_S:
                self._save_summary()


def _stage_text(stage: Any) -> str:
    try:
        return str(stage)
    except Exception:  # noqa: BLE001 - a stage whose str() fails: the row is kept, without a name
        return ""
