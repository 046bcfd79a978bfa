"""What the index knows about one run folder (:class:`RunInfo`), and pages and groups of runs."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.store.index.logged_summary import LoggedValues, read_logged
from runicorn.store.index.summary_values import SummaryValues

FileStamp = tuple[int, int]  # (size, mtime_ns)


_NO_SUMMARY: tuple[SummaryValues, fmt.SummaryNote | None] = (SummaryValues.of_nothing(), None)


def not_json_warning(name: str) -> str:
    """The warning of a run JSON file that is not a JSON object."""
    return f"{name} is not a valid JSON object; shown as empty"


@dataclass
class RunInfo:
    """What the index knows about one run folder. Treat as read-only.

    ``status`` is the raw ``status.json``; :meth:`state` derives the status to show (``crashed``
    for a running run whose heartbeat, or newest file write without a heartbeat, is older than
    :data:`runicorn.format.STALE_AFTER_S`).
    """

    key: str
    id: str
    project: str
    name: str
    path: Path
    relpath: str
    layout: str
    meta: dict[str, Any] = field(default_factory=dict)
    status: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    last_activity: float = 0.0  # newest mtime of status/events/logs/summary (unix seconds)
    _file_warnings: dict[str, str] = field(default_factory=dict, repr=False)
    _stamps: dict[str, FileStamp | None] = field(default_factory=dict, repr=False)
    _dir_mtime_ns: int = field(default=-1, repr=False)
    _created_at: float | None = field(default=None, repr=False)
    # summary.json's bytes as the scan read them, parsed into (values, note) when first asked for
    _summary_bytes: bytes | None = field(default=None, repr=False)
    _summary_parts: tuple[SummaryValues, fmt.SummaryNote | None] | None = field(
        default_factory=lambda: _NO_SUMMARY, repr=False
    )
    # the events' last values read so far, and the summary shown for the events file's stamp
    _logged: LoggedValues | None = field(default=None, repr=False)
    _shown: tuple[FileStamp | None, SummaryValues] | None = field(default=None, repr=False)
    # (the config / summary dict, its nested keys flattened), see runicorn.store.query.fields
    _flat: dict[str, tuple[Mapping[str, Any], dict[str, Any]]] = field(default_factory=dict, repr=False)

    @property
    def warnings(self) -> list[str]:
        """Problems met reading this run's JSON files, e.g. a summary.json that is not JSON."""
        self._summary_file_parts()
        return [self._file_warnings[k] for k in sorted(self._file_warnings)]

    @property
    def summary_file(self) -> SummaryValues:
        """summary.json's values, its note left out."""
        return self._summary_file_parts()[0]

    def set_summary_bytes(self, raw: bytes) -> None:
        """summary.json as a scan read it: parsed when the summary is first asked for (a scan
        of runs whose summaries hold 1,500 metrics' last values would spend most of its time
        parsing them, and a chart of metrics never looks at them)."""
        self._summary_bytes = raw  # before the parts are dropped: never both None
        self._summary_parts = None
        self._shown = None

    def _summary_file_parts(self) -> tuple[SummaryValues, fmt.SummaryNote | None]:
        """(summary.json's values, its note), parsed now if not yet. Two threads may both parse
        the bytes: the parts are set before the bytes are dropped, so neither misses them."""
        parts = self._summary_parts
        if parts is not None:
            return parts
        raw = self._summary_bytes
        if raw is None:  # parsed by another thread since
            parts = self._summary_parts
            assert parts is not None
            return parts
        value = fmt.loads_json_object(raw)
        if value is None:
            self._file_warnings[fmt.SUMMARY_FILE] = not_json_warning(fmt.SUMMARY_FILE)
            value = {}
        parts = (SummaryValues.of(value, leave_out=fmt.SUMMARY_NOTE_KEY), fmt.summary_note(value))
        self._summary_parts = parts
        self._summary_bytes = None
        return parts

    def summary_events_bytes(self) -> int:
        """How many bytes of events.jsonl :attr:`summary` reads (once) for the last logged
        values: 0 when summary.json holds them (it is parsed now if not yet)."""
        if fmt.has_last_values(self._summary_file_parts()[1]):
            return 0
        stamp = self._stamps.get(fmt.EVENTS_FILE)
        return 0 if stamp is None else max(0, stamp[0])

    def parsed_summary(self) -> tuple[SummaryValues, fmt.SummaryNote | None] | None:
        """(summary.json's values, its note) when parsed already; else None (nothing parsed now)."""
        return self._summary_parts

    def take_parsed_summary(
        self, stamp: FileStamp, values: SummaryValues, note: fmt.SummaryNote | None
    ) -> bool:
        """summary.json's parts parsed elsewhere (:mod:`~runicorn.store.index.parsed_summaries`)
        from the file with ``stamp``: taken when this run's file has that stamp and is not parsed
        yet (the parts are set before the bytes are dropped, as :meth:`_summary_file_parts` does)."""
        if self._summary_parts is not None or self._stamps.get(fmt.SUMMARY_FILE) != stamp:
            return False
        self._summary_parts = (values, note)
        self._summary_bytes = None
        return True

    @property
    def summary(self) -> SummaryValues:
        """The summary to show: summary.json's, with each metric's last logged value where the
        file does not hold them (:func:`runicorn.format.shown_summary`), read from events.jsonl
        when first asked for and again only when that file changed. A read-only mapping
        (:meth:`SummaryValues.to_dict` makes a dict)."""
        values, note = self._summary_file_parts()
        if fmt.has_last_values(note):
            return values
        stamp = self._stamps.get(fmt.EVENTS_FILE)
        shown = self._shown
        if shown is not None and shown[0] == stamp and stamp is not None:
            return shown[1]
        if stamp is None:
            return values
        self._logged = read_logged(self.path, self._logged)
        merged = fmt.shown_summary(values, note, self._logged.values)
        self._shown = (stamp, SummaryValues.of(merged))
        return self._shown[1]

    @summary.setter
    def summary(self, value: Mapping[str, Any]) -> None:
        """summary.json as read (its note taken out)."""
        values = SummaryValues.of(value, leave_out=fmt.SUMMARY_NOTE_KEY)
        self._summary_parts = (values, fmt.summary_note(value))
        self._summary_bytes = None
        self._shown = None

    def logged_keys(self) -> tuple[str, ...]:
        """The metric keys the run logged a history of, as far as its summary tells: with the SDK's
        summary note, the number keys of summary.json but those the program set and did not log
        (``explicit`` keys, unless a ``define_metric`` names them); else the keys of
        ``events.jsonl``'s last values (read as for :attr:`summary`). Runs whose summaries share
        their keys and hold only numbers share the tuple returned (it is their summary's key set)."""
        values, note = self._summary_file_parts()
        if fmt.has_last_values(note):
            explicit = set((note or {}).get("explicit") or ())
            defined = self.meta.get(fmt.METRIC_DEFINITIONS_KEY)
            defined = defined if isinstance(defined, dict) else {}
            if values.floats and not (explicit - defined.keys()):
                return values.key_set.keys
            numbers = (k for k, v in values.items() if v.__class__ in (int, float))
            return tuple(k for k in numbers if k not in explicit or k in defined)
        self.summary  # noqa: B018 (reads the events' last values, once per change of the file)
        return tuple(self._logged.values) if self._logged is not None else ()

    @property
    def tags(self) -> list[str]:
        tags = self.meta.get("tags")
        return [str(t) for t in tags] if isinstance(tags, list) else []

    @property
    def notes(self) -> str:
        notes = self.meta.get("notes")
        return notes if isinstance(notes, str) else ""

    @property
    def hostname(self) -> str | None:
        host = self.meta.get("hostname")
        return host if isinstance(host, str) else None

    @property
    def created_at(self) -> float:
        """``meta.created_at``, else ``started_at``, else the time in the run id, else last activity."""
        if self._created_at is None:
            self._created_at = self._find_created_at()
        return self._created_at

    def _find_created_at(self) -> float:
        for value in (self.meta.get("created_at"), self.status.get(fmt.STARTED_AT_KEY)):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
        if fmt.RUN_ID_PATTERN.match(self.id):
            try:
                return time.mktime(time.strptime(self.id[:15], "%Y%m%d_%H%M%S"))
            except ValueError:
                pass
        return self.last_activity

    @property
    def ended_at(self) -> float | None:
        value = self.status.get(fmt.ENDED_AT_KEY)
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    @property
    def exit_code(self) -> int | None:
        """The exit status of the wrapped command, when a command wrapper recorded one."""
        value = self.status.get(fmt.EXIT_CODE_KEY)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def heartbeat_at(self) -> float | None:
        value = self.status.get(fmt.HEARTBEAT_KEY)
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    def state(self, now: float | None = None) -> str:
        """The status to show: the written one, or ``crashed`` for a stale running run."""
        written = self.status.get(fmt.STATUS_KEY)
        if not isinstance(written, str) or written not in fmt.ALL_STATUSES:
            written = fmt.RUNNING if not self.status else str(written or fmt.RUNNING)
        if written != fmt.RUNNING:
            return written
        now = time.time() if now is None else now
        alive_at = self.heartbeat_at or self.last_activity
        return fmt.CRASHED if now - alive_at > fmt.STALE_AFTER_S else fmt.RUNNING

    def duration_s(self, now: float | None = None) -> float | None:
        start = self.status.get(fmt.STARTED_AT_KEY)
        if not isinstance(start, (int, float)) or isinstance(start, bool):
            start = self.meta.get("created_at")
        if not isinstance(start, (int, float)) or isinstance(start, bool):
            return None
        end = self.ended_at
        if end is None:
            end = (
                self.last_activity
                if self.state(now) != fmt.RUNNING
                else (time.time() if now is None else now)
            )
        return max(0.0, end - float(start))

    def as_dict(self, now: float | None = None) -> dict[str, Any]:
        """A JSON-ready view (no paths outside the root: ``relpath`` is relative to it)."""
        return {
            "key": self.key,
            "id": self.id,
            "project": self.project,
            "name": self.name,
            "relpath": self.relpath,
            "layout": self.layout,
            "status": self.state(now),
            "written_status": self.status.get(fmt.STATUS_KEY),
            "created_at": self.created_at,
            "ended_at": self.ended_at,
            "heartbeat_at": self.heartbeat_at,
            "last_activity": self.last_activity,
            "duration_s": self.duration_s(now),
            "hostname": self.hostname,
            "tags": self.tags,
            "notes": self.notes,
            "meta": self.meta,
            "status_file": self.status,
            "summary": self.summary.to_dict(),
            "config": self.config,
            "warnings": self.warnings,
        }


@dataclass
class RunPage:
    """One page of a filtered, sorted run list; ``total`` counts all matches."""

    total: int
    offset: int
    limit: int | None
    runs: list[RunInfo]
    matched: list[RunInfo] | None = None  # every matching run in order (None: not known yet)


@dataclass
class GroupInfo:
    """A project (``name`` = project) or an experiment name within one project."""

    name: str
    run_count: int
    last_created_at: float
    running: int
