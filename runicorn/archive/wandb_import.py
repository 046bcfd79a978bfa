"""Import W&B run folders (``offline-run-*``, ``run-*``): each becomes a Runicorn run.

History rows become ``metrics`` records at W&B's ``_step`` and ``_timestamp`` (nested dicts
flattened to ``a/b``; text, None and lists kept in them, as ``runicorn.wandb`` logs them), W&B
media (images, tables, histograms, audio, video, HTML) become our records with their files under
``media/``, console output ``logs.txt``; config, summary, tags,
notes, group and job type are kept, and the run's ``files/`` folder is copied as the run's files.
Each run is written in a staging folder inside the storage root and moved into place with one
rename, so a failed import leaves nothing.

The run id is ``<start time>_<6 hex of the sha256 over the run folder's name, its log's name and
size>``: importing the same run again finds it and skips it; a log that has grown since (the run
went on) is imported again as a new run beside the first, with a note naming it. See
``docs/wandb.md#importing-wb-run-folders``.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.archive.placement import (
    Outcome,
    earlier_imports,
    import_destination,
    move_into_place,
    staging_dir,
)
from runicorn.archive.run_writer import RunWriter
from runicorn.archive.wandb_media import MediaWriter
from runicorn.archive.wandb_run import (
    FILES_DIR,
    RUNTIME,
    STEP,
    TIMESTAMP,
    SystemSample,
    WandbReader,
    WandbRunFolder,
    find_runs,
    has_runs,
)
from runicorn.errors import ArchiveError, ConfigError

ProgressCallback = Callable[[int, int], None]  # (bytes read, bytes in all transaction logs)
DEFAULT_WANDB_PROJECT = "wandb"
MAX_RUN_FILES = 100_000  # files copied from one run's files/ folder


@dataclass(frozen=True)
class WandbImportResult:
    """What happened to one W&B run folder."""

    source: str  # the run folder's name (offline-run-...)
    outcome: Outcome
    run_id: str
    project: str
    name: str
    path: Path
    steps: int
    media: int
    files: int
    notes: tuple[str, ...] = ()


def is_wandb_source(path: Path) -> bool:
    """True for a ``.wandb`` file or a folder holding W&B run folders (or being one)."""
    return has_runs(Path(path))


def import_wandb(
    path: Path, root: Path, project: str | None = None, on_progress: ProgressCallback | None = None
) -> list[WandbImportResult]:
    """Import every W&B run folder at or under ``path`` into the storage root ``root``."""
    path, root = Path(path), Path(root).absolute()
    if not path.exists():
        raise ArchiveError(
            f"{path} does not exist", "pass a W&B run folder or the wandb/ folder holding them"
        )
    runs = find_runs(path)
    if not runs:
        raise ArchiveError(
            f"no W&B run folders (holding a run-*.wandb file) under {path}",
            "pass a wandb/ folder, an offline-run-* folder or a .wandb file",
        )
    if project is not None and fmt.folder_name(project, "") != project:
        raise ConfigError(
            f"--project {project!r} cannot name a project folder",
            "use letters, digits, '_', '-' and '.', not starting with '.', and not 'runs'",
        )
    total, done = sum(run.log_size for run in runs), 0
    results = []
    with staging_dir(root, "wandb-") as staging:
        for run in runs:
            results.append(_import_run(run, project, root, staging))
            done += run.log_size
            if on_progress:
                on_progress(done, total)
        return results


def _import_run(run: WandbRunFolder, project: str | None, root: Path, staging: Path) -> WandbImportResult:
    reader = WandbReader(run)
    info = reader.peek_run_info()
    started = reader.start_time() or run.log.stat().st_mtime
    project = project or fmt.folder_name(info.project if info else "", "") or DEFAULT_WANDB_PROJECT
    display_name = info.display_name if info else ""
    name = fmt.folder_name(display_name, fmt.DEFAULT_NAME)
    digest = _source_digest(run)
    dest = import_destination(root, project, name, started, digest)
    outcome, run_id, target = dest.outcome, dest.run_id, dest.target
    if outcome == "skipped":
        return WandbImportResult(run.dir.name, outcome, run_id, project, name, target, 0, 0, 0)
    writer = RunWriter(staging / run_id)
    media = MediaWriter(writer, run.dir / FILES_DIR)
    dropped: Counter[str] = Counter()
    steps = 0
    with writer.importing(run.dir, "the run folder"):
        step, wall_time = -1, started
        for row in reader.rows():
            if isinstance(row, SystemSample):
                writer.system(row.values, row.wall_time)
                continue
            step = row.step if row.step is not None else step + 1
            wall_time = row.wall_time if row.wall_time is not None else wall_time
            values: dict[str, Any] = {}
            _flatten(row.values, "", values, media, dropped, step, wall_time)
            if values:
                writer.row(values, step, wall_time)
            steps += 1
        reader.fall_back_on_files()
        for line in reader.data.console:
            writer.console(line.text, line.wall_time if line.wall_time is not None else started)
        copied = _copy_files(run.dir / FILES_DIR, writer, media.used, reader.data.saved_files)
    data = reader.data
    info = data.info or info
    ended = max(writer.last_time or started, started)
    source = fmt.ImportSource(
        kind=fmt.WANDB_SOURCE,
        run_dir=run.dir.name,
        files=[fmt.SourceFile(path=f"{run.dir.name}/{run.log.name}", size=run.log_size)],
        digest=digest,
    )
    meta: dict[str, Any] = {**fmt.new_meta(run_id, project, name, started), "source": source}
    meta["tags"] = list(info.tags) if info else []
    meta["notes"] = info.notes or None if info else None
    if info:
        extra = {"hostname": info.host, "group": info.group, "job_type": info.job_type}
        extra["display_name"] = display_name if display_name != name else ""
        meta.update({key: value for key, value in extra.items() if value})
    status = fmt.StatusData(status=fmt.FINISHED, started_at=started, heartbeat_at=ended, ended_at=ended)
    if data.exit_code is None:
        status["status"] = fmt.FAILED
        status["error"] = (
            "the W&B run has no exit record: its process was killed, or it was still running when imported"
        )
    elif data.exit_code != 0:
        status["status"] = fmt.FAILED
        status["exit_code"] = data.exit_code
        status["error"] = f"exit code {data.exit_code}"
    if dropped:
        status["dropped"] = dict(dropped)
    if data.metrics:
        meta[fmt.METRIC_DEFINITIONS_KEY] = data.metrics
    writer.finish(meta, data.config, status, _summary(data.summary, data.metrics))
    move_into_place(writer.dir, target, run_id)
    notes = _notes(reader, media, dropped) + [
        f"run {earlier} was imported earlier from the same W&B run folder, its log then of another size; "
        f"remove it with `runicorn rm {earlier}` if it is no longer wanted"
        for earlier in earlier_imports(root, dest.placement, run_id, run.dir.name)
    ]
    return WandbImportResult(
        run.dir.name, outcome, run_id, project, name, target, steps, media.count, copied, tuple(notes)
    )


def _flatten(
    values: dict[str, Any],
    prefix: str,
    values_out: dict[str, Any],
    media: MediaWriter,
    dropped: Counter[str],
    step: int,
    wall_time: float,
) -> None:
    """A history row's values into ``values_out`` (``a/b`` for nested dicts): numbers, and text,
    None and lists as ``runicorn.wandb`` keeps them in its rows (W&B's history keeps them; charts
    skip them); W&B media (dicts with ``_type``) to ``media``; a reserved key counted in
    ``dropped``."""
    for key, value in values.items():
        full = f"{prefix}{key}"
        kind = type(value)
        if kind is float or kind is int:
            if kind is int and not -(2**63) <= value < 2**63:  # as the SDK: a float, if one can hold it
                value = float(value) if abs(value) < 2**1023 else None
            if full in fmt.RESERVED_METRIC_KEYS or value is None:
                dropped[full] += 1
            else:
                values_out[full] = value
        elif kind is bool:
            values_out[full] = 1 if value else 0
        elif kind is dict:
            if "_type" in value:
                if not media.write(full, value, step, wall_time):
                    dropped[full] += 1
            else:
                _flatten(value, f"{full}/", values_out, media, dropped, step, wall_time)
        elif full in fmt.RESERVED_METRIC_KEYS:
            dropped[full] += 1
        else:  # text, None, lists (and anything else JSON holds), as the shim's rows keep them
            values_out[full] = _plain_json(value)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _plain_json(value: Any) -> Any:
    """A value read from W&B's JSON, writable as ours: text that is not valid UTF-8 (a lone
    surrogate from a ``\\ud800`` escape) gets U+FFFD in place of it, in lists and dicts too."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return _SURROGATE.sub("\ufffd", value)
        return value
    if isinstance(value, list):
        return [_plain_json(v) for v in value]
    if isinstance(value, dict):
        return {_plain_json(str(k)): _plain_json(v) for k, v in value.items()}
    return value


def _summary(summary: dict[str, Any], metrics: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """W&B's summary with nested dicts flattened as the history's keys are (``val/acc``), media
    values left out (they are records), and W&B's own keys (``_step``, ``_runtime``, ...) too.
    A metric defined with a summary keeps its dict (``{"min": 0.12}``), as ``runicorn.wandb``
    writes it."""
    summarised = [name for name, definition in metrics.items() if definition.get("summary")]
    out: dict[str, Any] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        for key, value in node.items():
            full = f"{prefix}{key}"
            if isinstance(value, dict):
                if any(
                    fnmatch.fnmatchcase(full, name) or full == name.replace(".", "/") for name in summarised
                ):
                    out[full] = value
                elif "_type" not in value:
                    walk(value, f"{full}/")
            elif full not in (STEP, TIMESTAMP, RUNTIME):
                out[full] = value

    walk(summary, "")
    return out


def _copy_files(files_dir: Path, writer: RunWriter, used: set[Path], saved: list[str]) -> int:
    """The W&B run's ``files/`` as the run's files (media already written as records left out);
    how many were copied. Links are not followed, but for a file the log records as saved
    (``wandb.save`` links the file in place instead of copying it), when it leads to a plain file."""
    copied = 0
    if files_dir.is_symlink() or not files_dir.is_dir():
        return 0
    for dirpath, dirnames, filenames in os.walk(files_dir):
        folder = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not (folder / d).is_symlink())
        for filename in sorted(filenames):
            path = folder / filename
            rel = path.relative_to(files_dir).as_posix()
            if path in used or not path.is_file():
                continue
            if path.is_symlink() and not any(fnmatch.fnmatchcase(rel, pattern) for pattern in saved):
                continue
            if copied >= MAX_RUN_FILES:
                return copied
            writer.run_file(rel, path)
            copied += 1
    return copied


def _notes(reader: WandbReader, media: MediaWriter, dropped: Counter[str]) -> list[str]:
    notes = []
    name, size = reader.run.log.name, reader.log.size
    for damage in reader.damage:
        if damage.cut:
            notes.append(
                f"{name}: the last {damage.end - damage.start} bytes are not a complete record (the "
                f"writer stopped mid-write); the {damage.start} bytes before them were imported"
            )
        elif damage.end >= size:
            notes.append(
                f"{name}: the last {damage.end - damage.start} bytes are damaged (no record can be read "
                f"from them); the {damage.start} bytes before them were imported"
            )
        else:
            notes.append(
                f"{name}: bytes {damage.start} to {damage.end} are damaged and were skipped; the "
                "records before and after them were imported"
            )
    if dropped:
        keys = ", ".join(sorted(dropped)[:5]) + (", ..." if len(dropped) > 5 else "")
        notes.append(
            f"{sum(dropped.values())} history values that are not kept in a run's rows (reserved keys, "
            f"unknown media) were left out ({keys}); status.json counts them"
        )
    notes.extend(media.notes())
    return notes


def _source_digest(run: WandbRunFolder) -> str:
    return hashlib.sha256(f"{run.dir.name}/{run.log.name}\0{run.log_size}\n".encode()).hexdigest()
