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
- records (unit tests): one history record per row, one config record when the run has a config,
  one summary record when the program set summary values, one metric record per defined metric,
  one files record naming the files saved.
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
    wandb_fields = read_json(run_dir / fmt.META_FILE).get("wandb") or {}
    config["_wandb"] = {"value": dict(wandb_fields)}
    return config


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
        """meta.json's metric definitions (W&B's tests read its wire records: see the README)."""
        defined = read_json(run_dir_of(self.root, run_id) / fmt.META_FILE).get("metrics") or {}
        return [{"name": name, **record} for name, record in defined.items()]


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


def parse_run(run: Any) -> ParsedRecords:
    """What ``run`` wrote so far (its writer flushed first), as W&B's parsed records."""
    sdk_run = run.sdk_run
    if hasattr(sdk_run, "flush"):
        sdk_run.flush()
    run_dir = Path(sdk_run.dir)
    parsed = ParsedRecords()
    parsed.history = [as_json(row) for row in history_rows(run_dir)]
    config = {k: v for k, v in read_json(run_dir / fmt.CONFIG_FILE).items() if not k.startswith("_")}
    if config:
        parsed.config = [as_json(config)]
    values, note = fmt.split_summary(read_json(run_dir / fmt.SUMMARY_FILE))
    explicit = set((note or {}).get("explicit") or ())
    if explicit:
        parsed.summary = [as_json({k: v for k, v in values.items() if k in explicit})]
    meta = read_json(run_dir / fmt.META_FILE)
    parsed.metric = [{"name": n, **r} for n, r in (meta.get("metrics") or {}).items()]
    saved = files_of(run_dir)
    if saved:
        parsed.files = [FilesRecord([FileItem(p) for p in saved])]
    if (meta.get("wandb") or {}).get("preempting"):
        parsed.preempting = [True]
    return parsed
