"""What W&B's ported tests read back: a run's files, where W&B's tests read what its SDK sent.

W&B's system tests inspect what a fake W&B server received (``wandb_backend_spy``); its unit
tests inspect the records its SDK queued (``record_q``, ``parse_records``). Here nothing is
sent: these readers open the files the real offline run wrote under the test's storage root and
present them in the shapes those tests read.

- history: the run's metrics rows (events.jsonl), ``a/b`` keys nested back into ``{"a": {"b":
  ...}}`` as W&B's history keeps a logged nested dict, the step under ``_step``.
- summary: summary.json's values, nested the same way.
- config: config.json as W&B's ``{"key": {"value": ...}}``, with ``_wandb`` holding the run's
  W&B fields from meta.json (pinned config keys, the logged code's artifact).
- uploaded files: the files in the run's ``files/`` folder (what W&B would upload from it).
- records (unit tests): one history record per row, one config record per write of config.json
  (the keys it changed), one summary record when the program set summary values, one metric
  record per write of the metric definitions, one files record naming the files saved.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runicorn import format as fmt


def run_dir_of(root: Path, run_id: str) -> Path:
    found = [p for p in fmt.run_dirs_with_id(root, run_id) if fmt.is_run_dir(p)]
    assert found, f"no run {run_id!r} under {root}"
    return found[0]


def nested(flat: dict[str, Any]) -> dict[str, Any]:
    """``{"a/b": 1}`` -> ``{"a": {"b": 1}}`` (a key that is also a prefix keeps its own value)."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        parts = key.split("/")
        node = out
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        if isinstance(value, dict) and isinstance(node.get(parts[-1]), dict):
            node[parts[-1]].update(value)
        else:
            node[parts[-1]] = value
    return out


def history_rows(run_dir: Path) -> list[dict[str, Any]]:
    """The run's metrics rows, as W&B's history rows (``_step``, nested keys)."""
    path = run_dir / fmt.EVENTS_FILE
    if not path.exists():
        return []
    rows = []
    for line in path.read_bytes().splitlines():
        record = fmt.decode_event(line)
        if record is None or record.get("type") != fmt.METRICS:
            continue
        data = dict(record["data"])
        step = data.pop(fmt.STEP_KEY, None)
        data.pop(fmt.TIME_KEY, None)
        row = nested(data)
        row["_step"] = step
        rows.append(row)
    return rows


def read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def summary_of(run_dir: Path) -> dict[str, Any]:
    values, _ = fmt.split_summary(read_json(run_dir / fmt.SUMMARY_FILE))
    return nested(values)


def config_of(run_dir: Path) -> dict[str, Any]:
    config = {k: {"value": v} for k, v in read_json(run_dir / fmt.CONFIG_FILE).items()}
    wandb_fields = dict(read_json(run_dir / fmt.META_FILE).get(fmt.WANDB_FIELDS_KEY) or {})
    if "code_artifact" in wandb_fields:  # W&B's name for it in the config
        wandb_fields["code_path"] = wandb_fields.pop("code_artifact")
    config["_wandb"] = {"value": wandb_fields}
    return config


# W&B's encoding of a metric definition in the run config (``_wandb.m``): protobuf field numbers
_SUMMARY_CODES = {"min": 1, "max": 2, "mean": 3, "best": 4, "last": 5, "none": 6, "copy": 7, "first": 8}
_GOAL_CODES = {"minimize": 1, "maximize": 2}


def encoded_metrics(definitions: dict[str, Any], logged_keys: list[str]) -> list[dict[str, Any]]:
    """meta.json's definitions as W&B's run config encodes them: a glob stands for each logged
    key it matches (the first glob defined that matches), and a step metric is defined too."""
    concrete = {n: d for n, d in definitions.items() if not n.endswith("*")}
    globs = [(n, d) for n, d in definitions.items() if n.endswith("*")]
    for key in logged_keys:
        name = key.replace("/", ".")
        if name in concrete:
            continue
        for glob_name, definition in globs:
            if name.startswith(glob_name[:-1]):
                concrete[name] = definition
                break
    out: list[dict[str, Any]] = []
    index: dict[str, int] = {}

    def encode(name: str, definition: dict[str, Any]) -> None:
        if name in index:
            return
        index[name] = len(out)
        out.append({})
        record: dict[str, Any] = {"1": name}
        step = definition.get("step_metric")
        if step:
            encode(step, concrete.get(step, {}))
            record["5"] = index[step] + 1
        options = [1] if definition.get("step_sync") else []
        record["6"] = [*options, *([2] if definition.get("hidden") else []), 3]
        if definition.get("summary"):
            record["7"] = sorted(_SUMMARY_CODES[s] for s in definition["summary"])
        if definition.get("goal"):
            record["8"] = _GOAL_CODES[definition["goal"]]
        out[index[name]] = record

    for name, definition in list(concrete.items()):
        encode(name, definition)
    return out


def logged_keys(run_dir: Path) -> list[str]:
    """The keys of the run's metrics rows, in the order they were first logged."""
    keys: dict[str, None] = {}
    path = run_dir / fmt.EVENTS_FILE
    for line in path.read_bytes().splitlines() if path.exists() else ():
        record = fmt.decode_event(line)
        if record is not None and record.get("type") == fmt.METRICS:
            keys.update(dict.fromkeys(k for k in record["data"] if k not in (fmt.STEP_KEY, fmt.TIME_KEY)))
    return list(keys)


def files_of(run_dir: Path) -> list[str]:
    files = run_dir / fmt.FILES_DIR
    if not files.is_dir():
        return []
    return sorted(p.relative_to(files).as_posix() for p in files.rglob("*") if p.is_file() or p.is_symlink())


class Snapshot:
    """The runs under the storage root, read once the test's runs have finished."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def history(self, run_id: str) -> list[dict[str, Any]]:
        return history_rows(run_dir_of(self.root, run_id))

    def summary(self, run_id: str) -> dict[str, Any]:
        return summary_of(run_dir_of(self.root, run_id))

    def config(self, run_id: str) -> dict[str, Any]:
        return config_of(run_dir_of(self.root, run_id))

    def uploaded_files(self, run_id: str) -> list[str]:
        return files_of(run_dir_of(self.root, run_id))

    def metrics(self, run_id: str) -> list[dict[str, Any]]:
        """meta.json's metric definitions, encoded as W&B's run config holds them."""
        run_dir = run_dir_of(self.root, run_id)
        defined = read_json(run_dir / fmt.META_FILE).get(fmt.METRIC_DEFINITIONS_KEY) or {}
        return encoded_metrics(defined, logged_keys(run_dir))

    def telemetry(self, run_id: str) -> dict[str, Any]:
        """W&B's usage telemetry: Runicorn records none."""
        return {}


class WandbBackendSpy:
    """``wandb_backend_spy``: ``with spy.freeze() as snapshot`` reads the runs' files."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @contextmanager
    def freeze(self) -> Iterator[Snapshot]:
        yield Snapshot(self.root)


# --- the unit tests' record queue --------------------------------------------------------------
@dataclass
class FileItem:
    path: str


@dataclass
class FilesRecord:
    files: list[FileItem]


@dataclass
class PreemptingRecord:
    def HasField(self, name: str) -> bool:  # noqa: N802 - the protobuf call W&B's tests make
        return name == "preempting"


@dataclass
class ParsedRecords:
    history: list[dict[str, str]] = field(default_factory=list)
    partial_history: list[dict[str, str]] = field(default_factory=list)
    config: list[dict[str, str]] = field(default_factory=list)
    summary: list[dict[str, str]] = field(default_factory=list)
    metric: list[dict[str, Any]] = field(default_factory=list)
    files: list[FilesRecord] = field(default_factory=list)
    preempting: list[Any] = field(default_factory=list)

    @property
    def records(self) -> list[Any]:
        return [*self.history, *self.config, *self.summary, *self.metric, *self.files, *self.preempting]


def as_json(values: dict[str, Any]) -> dict[str, str]:
    """W&B's records carry each value JSON-encoded (``value_json``)."""
    return {k: json.dumps(v) for k, v in values.items() if not k.startswith("_")}


class WriteLog:
    """One run's writes of config.json and of its metric definitions (meta.json), each read back
    from the file as it is written: W&B sends one record per config change and per
    ``define_metric`` call, Runicorn writes the file once per each."""

    def __init__(self, run: Any) -> None:
        self.run = run
        self.config: list[dict[str, Any]] = []
        self.metric: list[dict[str, Any]] = []
        self.run_dir = Path(run._sdk.dir)
        self._config_seen = read_json(self.run_dir / fmt.CONFIG_FILE)
        sdk_run = run._sdk
        write_meta = sdk_run.update_meta

        def update_meta(values: dict[str, Any]) -> None:
            write_meta(values)
            if fmt.METRIC_DEFINITIONS_KEY in values:
                meta = read_json(self.run_dir / fmt.META_FILE)
                self.metric.append(dict(meta.get(fmt.METRIC_DEFINITIONS_KEY) or {}))

        sdk_run.update_meta = update_meta
        run.config._set_callback(self._config_written)

    def _config_written(self, key: Any = None, val: Any = None, data: Any = None) -> None:
        now = read_json(self.run_dir / fmt.CONFIG_FILE)
        changed = {k: v for k, v in now.items() if k not in self._config_seen or self._config_seen[k] != v}
        self._config_seen = now
        if changed:
            self.config.append(changed)


def parse_run(writes: WriteLog) -> ParsedRecords:
    """What the run wrote so far (its writer flushed first), as W&B's parsed records."""
    run = writes.run
    sdk_run = run._sdk
    if hasattr(sdk_run, "flush"):
        sdk_run.flush()
    run_dir = Path(sdk_run.dir)
    parsed = ParsedRecords()
    parsed.history = [as_json(row) for row in history_rows(run_dir)]
    parsed.config = [as_json(change) for change in writes.config]
    values, note = fmt.split_summary(read_json(run_dir / fmt.SUMMARY_FILE))
    explicit = set((note or {}).get("explicit") or ())
    if explicit:
        parsed.summary = [as_json({k: v for k, v in values.items() if k in explicit})]
    meta = read_json(run_dir / fmt.META_FILE)
    parsed.metric = list(writes.metric)
    saved = files_of(run_dir)
    if saved:
        parsed.files = [FilesRecord([FileItem(p) for p in saved])]
    if (meta.get(fmt.WANDB_FIELDS_KEY) or {}).get("preempting"):
        parsed.preempting = [PreemptingRecord()]
    return parsed
