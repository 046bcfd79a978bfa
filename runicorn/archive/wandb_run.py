"""Find W&B run folders and read one into plain values: :func:`find_runs` and :class:`WandbReader`.

A W&B run folder (``offline-run-<YYYYMMDD_HHMMSS>-<id>`` for offline runs, ``run-...`` for runs
that were online; same layout) holds the run's transaction log ``run-<id>.wandb`` and ``files/``
(media, saved files, ``output.log``, and in some versions ``config.yaml``,
``wandb-summary.json`` and ``wandb-metadata.json``). The log is the record of truth: its
records are read by :mod:`runicorn.archive.wandb_records` and decoded by
:mod:`runicorn.archive.wandb_wire`. History rows come out one at a time (a run of millions of
steps is never held whole); the run's identity, config, summary, console and exit are kept on
the reader. Where the log holds no run record (cut before it), ``files/`` stands in.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from runicorn.archive import wandb_wire as wire
from runicorn.archive.wandb_records import WANDB_LOG_SUFFIX, Damage, WandbLog
from runicorn.errors import ArchiveError

MAX_VALUE_DEPTH = 32  # nesting of a logged value's dicts and lists
MAX_SIDE_FILE_BYTES = 16 * 1024 * 1024  # config.yaml, wandb-summary.json, ... read as fallbacks
MAX_WALK_DEPTH = 8
FILES_DIR = "files"
INTERNAL_KEY = "_wandb"  # W&B's own entry in config and summary
STEP, TIMESTAMP, RUNTIME = "_step", "_timestamp", "_runtime"
# W&B's system metrics that have a Runicorn twin: gpu.<i>.<field> -> gpu<i>/<field>
_GPU_METRIC = re.compile(r"^gpu\.(\d{1,3})\.(gpu|memoryAllocatedBytes|temp|powerWatts)$")
_GPU_FIELDS = {
    "gpu": "util_percent",
    "memoryAllocatedBytes": "mem_used_bytes",
    "temp": "temp_c",
    "powerWatts": "power_w",
}
_FOLDER_TIME = re.compile(r"^(?:offline-)?run-(\d{8}_\d{6})-")
_HINT = (
    "the file was not written by W&B or was altered; "
    "nothing of this run was imported, runs listed before it were"
)


@dataclass(frozen=True)
class WandbRunFolder:
    dir: Path
    rel: str  # relative to the folder given to the import ("." for that folder)
    log: Path  # its transaction log
    log_size: int


def find_runs(path: Path) -> list[WandbRunFolder]:
    """Every W&B run folder at or under ``path`` (a folder holding a ``*.wandb`` file; not walked
    into), or the run of one ``.wandb`` file. Links are not followed (``latest-run`` is one), dot
    folders are skipped, and at most :data:`MAX_WALK_DEPTH` folders down."""
    path = Path(path)
    if path.is_file():
        if path.suffix != WANDB_LOG_SUFFIX:
            return []
        return [WandbRunFolder(path.parent, path.parent.name, path, path.stat().st_size)]
    runs: list[WandbRunFolder] = []
    _walk(path, path, 0, runs)
    return runs


def _walk(top: Path, folder: Path, depth: int, runs: list[WandbRunFolder]) -> None:
    try:
        children = sorted(folder.iterdir())
    except OSError:
        return
    logs = [p for p in children if p.suffix == WANDB_LOG_SUFFIX and p.is_file() and not p.is_symlink()]
    if logs:
        runs.append(
            WandbRunFolder(folder, folder.relative_to(top).as_posix(), logs[0], logs[0].stat().st_size)
        )
        return
    if depth < MAX_WALK_DEPTH:
        for child in children:
            if child.is_dir() and not child.is_symlink() and not child.name.startswith("."):
                _walk(top, child, depth + 1, runs)


def has_runs(path: Path) -> bool:
    """True for a ``.wandb`` file, or a folder with a W&B run folder at or under it."""
    return bool(find_runs(path)) if Path(path).exists() else False


@dataclass
class HistoryRow:
    step: int | None  # W&B's ``_step``
    wall_time: float | None  # W&B's ``_timestamp``
    values: dict[str, Any]  # the row's other values, nested as logged


@dataclass
class SystemSample:
    wall_time: float
    values: dict[str, float]  # Runicorn's system keys (gpu0/util_percent, ...)


@dataclass
class ConsoleLine:
    wall_time: float | None
    text: str


@dataclass
class WandbRunData:
    """What the log said about the run besides its history (filled while rows are read)."""

    info: wire.RunInfo | None = None
    config: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    console: list[ConsoleLine] = field(default_factory=list)
    exit_code: int | None = None  # None: no exit record (the process ended without finishing)
    saved_files: list[str] = field(default_factory=list)
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)  # define_metric, by name or glob


class WandbReader:
    """Reads one run's transaction log: :meth:`rows` yields the history; afterwards :attr:`data`
    holds the rest and :attr:`damage` the stretches of the log that could not be read."""

    def __init__(self, run: WandbRunFolder, max_record_bytes: int | None = None) -> None:
        self.run = run
        self.log = WandbLog(run.log) if max_record_bytes is None else WandbLog(run.log, max_record_bytes)
        self.data = WandbRunData()
        self._output: dict[bool, tuple[str, float | None]] = {}  # stream -> (unended text, its time)
        # The summary as W&B updates it, flat: key path -> value_json, the latest last; decoded at
        # the end (W&B writes a summary record beside every history record).
        self._summary: dict[tuple[str, ...], bytes] = {}
        self._recent: dict[bytes, tuple[list[wire.Item], list[wire.Item]]] = {}  # repeated records

    @property
    def damage(self) -> list[Damage]:
        return self.log.damage

    def peek_run_info(self, max_records: int = 1000) -> wire.RunInfo | None:
        """The run record, read from the log's first records (W&B writes it second), or None."""
        for count, (offset, raw) in enumerate(WandbLog(self.run.log).records()):
            if count >= max_records:
                break
            try:
                kind, body = wire.record_kind(raw)
                if kind == wire.RUN:
                    self.data.info = wire.run(body)
                    return self.data.info
            except wire.WireError as exc:
                raise ArchiveError(
                    f"cannot import {self.run.log}: the record at byte {offset} holds {exc}", _HINT
                ) from None
        return None

    def rows(self) -> Iterator[HistoryRow | SystemSample]:
        data = self.data
        for offset, raw in self.log.records():
            try:
                kind, body = wire.record_kind(raw)
                if kind == wire.HISTORY:
                    items, step = wire.history(body)
                    values = tree(items)
                    row_step = values.pop(STEP, step)
                    wall_time = values.pop(TIMESTAMP, None)
                    values.pop(RUNTIME, None)
                    yield HistoryRow(_int_or_none(row_step), _float_or_none(wall_time), values)
                elif kind == wire.SUMMARY:
                    self._update_summary(*self._updates(body))
                elif kind == wire.CONFIG:
                    update, remove = wire.updates(body)
                    _apply(data.config, update, remove)
                elif kind == wire.RUN:
                    info = wire.run(body)
                    data.info = data.info or info
                    _apply(data.config, info.config, [])
                    self._update_summary(info.summary, [])
                elif kind == wire.STATS:
                    sample = system_sample(*wire.stats(body))
                    if sample is not None:
                        yield sample
                elif kind in (wire.OUTPUT, wire.OUTPUT_RAW):
                    self._console(*wire.output(body))
                elif kind == wire.FILES:
                    data.saved_files.extend(wire.files(body))
                elif kind == wire.METRIC:
                    if defined := wire.metric(body):
                        data.metrics[defined[0]] = defined[1]
                elif kind == wire.EXIT:
                    data.exit_code = wire.exit_code(body)
            except (wire.WireError, BadValue) as exc:
                raise ArchiveError(
                    f"cannot import {self.run.log}: the record at byte {offset} holds {exc}", _HINT
                ) from None
        try:
            data.summary = tree(list(self._summary.items()))
        except BadValue as exc:
            raise ArchiveError(f"cannot import {self.run.log}: its summary holds {exc}", _HINT) from None
        for text, when in self._output.values():
            if text:
                data.console.append(ConsoleLine(when, text.rsplit("\r", 1)[-1]))
        data.config.pop(INTERNAL_KEY, None)
        data.summary.pop(INTERNAL_KEY, None)

    def _updates(self, body: bytes) -> tuple[list[wire.Item], list[wire.Item]]:
        found = self._recent.get(body)
        if found is None:
            if len(self._recent) >= 8:
                self._recent.clear()
            found = self._recent[body] = wire.updates(body)
        return found

    def _update_summary(self, update: list[wire.Item], remove: list[wire.Item]) -> None:
        flat = self._summary
        for path, _ in remove:
            for key in [key for key in flat if key[: len(path)] == path]:
                del flat[key]
        for path, raw in update:
            flat.pop(path, None)
            flat[path] = raw

    def _console(self, stderr: bool, when: float | None, text: str) -> None:
        """Console output comes as whole lines (``output``) or as written (``output_raw``: a
        line and its end may be two records); a line redrawn with ``\\r`` keeps its last state."""
        when = _float_or_none(when)
        pending, since = self._output.get(stderr, ("", None))
        text = pending + text
        since = since if pending else when
        *lines, rest = text.split("\n")
        for line in lines:
            self.data.console.append(ConsoleLine(since, line.rsplit("\r", 1)[-1]))
            since = when
        self._output[stderr] = (rest, since)

    def fall_back_on_files(self) -> None:
        """Config, summary and console from ``files/`` when the log gave none (cut before its run
        record, or a W&B version that wrote only the files)."""
        files = self.run.dir / FILES_DIR
        data = self.data
        if not data.config and (text := _side_text(files / "config.yaml")):
            data.config = _config_yaml(text)
        if not data.summary:
            data.summary = _side_json(files / "wandb-summary.json")
            data.summary.pop(INTERNAL_KEY, None)
        if not data.console and (text := _side_text(files / "output.log")):
            data.console = [ConsoleLine(None, line) for line in text.splitlines()]

    def start_time(self) -> float | None:
        """When the run started: its run record, else ``wandb-metadata.json``, else the time in
        the folder's name (local time, as W&B names it)."""
        if self.data.info is not None and _float_or_none(self.data.info.start_time):
            return self.data.info.start_time
        started = _side_json(self.run.dir / FILES_DIR / "wandb-metadata.json").get("startedAt")
        match = _FOLDER_TIME.match(self.run.dir.name)
        try:
            if isinstance(started, str):
                return _float_or_none(
                    datetime.datetime.fromisoformat(started.replace("Z", "+00:00")).timestamp()
                )
        except (ValueError, OverflowError, OSError):
            pass
        try:
            if match:
                return _float_or_none(datetime.datetime.strptime(match.group(1), "%Y%m%d_%H%M%S").timestamp())
        except (ValueError, OverflowError, OSError):
            pass
        return None


def system_sample(when: float | None, items: list[wire.Item]) -> SystemSample | None:
    """The GPU metrics of one W&B system sample, under Runicorn's system keys; None when it has
    none or no time (W&B's other system metrics have no Runicorn twin)."""
    values = {}
    for (key, *_), raw in items:
        match = _GPU_METRIC.match(key)
        if match:
            try:
                value = orjson.loads(raw)
            except orjson.JSONDecodeError:
                continue
            if type(value) in (int, float):
                values[f"gpu{int(match.group(1))}/{_GPU_FIELDS[match.group(2)]}"] = float(value)
    wall_time = _float_or_none(when)
    return SystemSample(wall_time, values) if values and wall_time is not None else None


class BadValue(ValueError):
    """A value_json that is not JSON, or nested deeper than :data:`MAX_VALUE_DEPTH`."""


def _loads(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    try:  # NaN and Infinity, which W&B writes as bare words; orjson refuses them
        return json.loads(raw)
    except RecursionError:
        raise BadValue(f"a value nested more than {MAX_VALUE_DEPTH} levels deep") from None
    except ValueError:
        raise BadValue("a value that is not JSON") from None


def tree(items: list[wire.Item]) -> dict[str, Any]:
    """Items ``(key path, value_json)`` as one nested dict: W&B writes a logged dict either as
    one item holding it or as one item per leaf (``nested_key`` ``["val", "acc"]``)."""
    out: dict[str, Any] = {}
    loads = orjson.loads
    for path, raw in items:
        if not raw:
            continue
        try:
            value = loads(raw)
        except orjson.JSONDecodeError:
            value = _loads(raw)
        if len(path) == 1 and type(value) is not dict:
            out[path[0]] = value
            if type(value) is list:
                _check_depth(value, 1)
            continue
        if isinstance(value, (dict, list)):
            _check_depth(value, len(path))
        node = out
        for part in path[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        last = path[-1]
        if isinstance(value, dict) and isinstance(node.get(last), dict):
            node[last].update(value)
        else:
            node[last] = value
    return out


def _check_depth(value: Any, depth: int) -> None:
    stack = [(value, depth)]
    while stack:
        node, level = stack.pop()
        if level > MAX_VALUE_DEPTH:
            raise BadValue(f"a value nested more than {MAX_VALUE_DEPTH} levels deep")
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))


def _apply(target: dict[str, Any], update: list[wire.Item], remove: list[wire.Item]) -> None:
    for path, _ in remove:
        node: Any = target
        for part in path[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(path[-1], None)
    if update:
        merged = tree(update)
        _merge(target, merged)


def _merge(target: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict) and "_type" not in value:
            _merge(target[key], value)
        else:
            target[key] = value


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None
    return int(value) if abs(value) < 2**63 else None


def _float_or_none(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if 0.0 <= value < 95_000_000_000.0 else None  # a time from 1970 to before 5000


def _side_text(path: Path) -> str | None:
    """A small text file of ``files/`` (a plain file, not a link), or None."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_SIDE_FILE_BYTES:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _side_json(path: Path) -> dict[str, Any]:
    """A small JSON object of ``files/``; empty when missing, not JSON, not an object or nested
    deeper than :data:`MAX_VALUE_DEPTH`."""
    text = _side_text(path)
    try:
        loaded = _loads(text.encode()) if text else None
        if isinstance(loaded, dict):
            _check_depth(loaded, 1)
            return loaded
    except BadValue:
        pass
    return {}


def _config_yaml(text: str) -> dict[str, Any]:
    """W&B's ``config.yaml``: ``{key: {"desc": ..., "value": ...}}`` plus its ``_wandb`` entry."""
    import yaml

    try:  # aliases could stand for a tree far larger than the file: such a file is not read
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=yaml.SafeLoader)):
            return {}
        loaded = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    if not isinstance(loaded, dict):
        return {}
    try:
        _check_depth(loaded, 1)
    except BadValue:
        return {}
    config = {}
    for key, entry in loaded.items():
        if key != INTERNAL_KEY and key != "wandb_version" and isinstance(key, str):
            config[key] = entry.get("value") if isinstance(entry, dict) and "value" in entry else entry
    return config
