"""Import a TensorBoard log directory: every run directory under it becomes a Runicorn run.

Scalars become metrics at their steps and wall times, images media, histograms ``histogram``
records, text log lines and hparams the run's config. Each run is written into a staging folder
inside the storage root and moved into place with one rename, so a failed import leaves nothing.

The run id is ``<first event's time>_<6 hex of the sha256 over the event files' paths and
sizes>``: importing the same files again finds the run and skips it; files that have grown since
(a run that went on) are imported again as a new run, beside the earlier one, with a note naming
it. See ``docs/integrations.md#tensorboard-event-files``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.archive.placement import (
    Outcome,
    Placement,
    earlier_imports,
    import_destination,
    move_into_place,
    staging_dir,
)
from runicorn.archive.run_writer import RunWriter
from runicorn.archive.tensorboard import (
    EVENTS_FILE_PREFIX,
    EventReader,
    Histogram,
    HParams,
    Image,
    Scalar,
    TensorBoardRun,
    Text,
    find_runs,
    require_reader,
)
from runicorn.errors import ArchiveError, ConfigError

ProgressCallback = Callable[[int, int], None]  # (bytes read, bytes in all event files)
DEFAULT_TENSORBOARD_PROJECT = "tensorboard"


@dataclass(frozen=True)
class TensorBoardImportResult:
    """What happened to one run directory of a log directory."""

    source: str  # the run directory relative to the log directory ("." for the log directory)
    outcome: Outcome  # imported / skipped (the same files were imported before) / renamed (id taken)
    run_id: str
    project: str
    name: str
    path: Path
    scalars: int
    images: int
    histograms: int
    texts: int
    notes: tuple[str, ...] = ()


def is_tensorboard_source(path: Path) -> bool:
    """True for a folder, or an ``events.out.tfevents.*`` file: what ``runicorn import`` reads as
    TensorBoard event files rather than as an archive."""
    path = Path(path)
    return path.is_dir() or (path.is_file() and path.name.startswith(EVENTS_FILE_PREFIX))


def import_tensorboard(
    path: Path,
    root: Path,
    project: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> list[TensorBoardImportResult]:
    """Import every run under the log directory (or run directory, or events file) ``path``."""
    path, root = Path(path), Path(root).absolute()
    if not path.exists():
        raise ArchiveError(f"{path} does not exist", "pass a TensorBoard log directory or an events file")
    logdir, runs = find_runs(path)
    if not runs:
        raise ArchiveError(
            f"no TensorBoard event files (events.out.tfevents.*) under {path}",
            "pass a TensorBoard log directory, a W&B run folder (wandb/, offline-run-*) "
            "or an archive (.zip, .tar, .tar.gz)",
        )
    project = _project(logdir, project)
    require_reader()
    total = sum(run.bytes for run in runs)
    progress = _Progress(total, on_progress)
    with staging_dir(root, "tensorboard-") as staging:
        return [_import_run(run, logdir, project, root, staging, progress) for run in runs]


def _import_run(
    run: TensorBoardRun, logdir: Path, project: str, root: Path, staging: Path, progress: _Progress
) -> TensorBoardImportResult:
    name = _run_name(logdir, run)
    digest = _source_digest(run)
    reader = EventReader(run, progress.add)
    first = reader.first_wall_time()
    dest = import_destination(root, project, name, first if first is not None else 0, digest)
    outcome, run_id, target = dest.outcome, dest.run_id, dest.target
    if outcome == "skipped":
        progress.add(run.bytes)
        return TensorBoardImportResult(run.rel, outcome, run_id, project, name, target, 0, 0, 0, 0)
    writer = RunWriter(staging / run_id)
    config: dict[str, Any] = {}
    with writer.importing(run.dir, "the event files"):
        for record in reader.records():
            if isinstance(record, Scalar):
                writer.metric(record.tag, record.value, record.step, record.wall_time)
            elif isinstance(record, Image):
                writer.image(record.tag, record.encoded, record.step, record.wall_time)
            elif isinstance(record, Histogram):
                writer.histogram(record.tag, record.edges, record.counts, record.step, record.wall_time)
            elif isinstance(record, Text):
                writer.text(f"{record.tag} (step {record.step}): {record.text}", record.wall_time)
            elif isinstance(record, HParams):
                config.update(record.values)
    started = writer.first_time if writer.first_time is not None else first or 0.0
    ended = writer.last_time if writer.last_time is not None else started
    source = fmt.ImportSource(
        kind=fmt.TENSORBOARD_SOURCE,
        run_dir=run.rel,
        files=[fmt.SourceFile(path=f.rel, size=f.size) for f in run.files],
        digest=digest,
    )
    meta: fmt.ImportedMetaData = {
        **fmt.new_meta(run_id, project, name, started),
        "tags": [],
        "source": source,
    }
    meta["notes"] = None
    status = fmt.StatusData(status=fmt.FINISHED, started_at=started, heartbeat_at=ended, ended_at=ended)
    writer.finish(dict(meta), config, status)
    move_into_place(writer.dir, target, run_id)
    counts = writer.counts
    return TensorBoardImportResult(
        run.rel,
        outcome,
        run_id,
        project,
        name,
        target,
        counts[fmt.METRICS],
        counts[fmt.IMAGE],
        counts[fmt.HISTOGRAM],
        counts["text"],
        tuple(_notes(reader, root, dest.placement, run_id, run.rel)),
    )


def _notes(reader: EventReader, root: Path, placement: Placement, run_id: str, run_rel: str) -> list[str]:
    notes = []
    for damage in reader.damaged:
        unread = damage.size - damage.read_bytes
        notes.append(
            f"{damage.file}: the last {unread} bytes are not a complete record (cut short or damaged); "
            f"the {damage.read_bytes} bytes before them were imported"
        )
    for kind, count in sorted(reader.skipped.items()):
        notes.append(f"{count} {kind} values not imported: Runicorn has no record for them")
    for earlier in earlier_imports(root, placement, run_id, run_rel):
        notes.append(
            f"run {earlier} was imported earlier from the same run directory with other event files; "
            f"remove it with `runicorn rm {earlier}` if it is no longer wanted"
        )
    return notes


def _source_digest(run: TensorBoardRun) -> str:
    digest = hashlib.sha256()
    for file in run.files:
        digest.update(f"{file.rel}\0{file.size}\n".encode())
    return digest.hexdigest()


def _project(logdir: Path, project: str | None) -> str:
    """``--project`` as given, or the log directory's name (its parent's name when it is called
    ``runs``, PyTorch's default log directory and a folder name of the storage layout)."""
    if project is not None:
        if not fmt.is_safe_id(project) or project == fmt.RUNS_DIR or project in fmt.IGNORED_DIR_NAMES:
            raise ConfigError(
                f"--project {project!r} cannot name a project folder",
                "use letters, digits, '_', '-' and '.', not starting with '.', and not 'runs'",
            )
        return project
    logdir = logdir.absolute()
    names = [logdir.name, logdir.parent.name] if logdir.name == fmt.RUNS_DIR else [logdir.name]
    for candidate in names:
        if candidate != fmt.RUNS_DIR and (name := fmt.folder_name(candidate, "")):
            return name
    return DEFAULT_TENSORBOARD_PROJECT


def _run_name(logdir: Path, run: TensorBoardRun) -> str:
    """The run directory's path under the log directory, or the log directory's own name."""
    parts = run.rel.split("/") if run.rel != "." else [logdir.absolute().name]
    safe = [fmt.folder_name(part, "") for part in parts]
    return "/".join(part for part in safe if part) or fmt.DEFAULT_NAME


class _Progress:
    def __init__(self, total: int, on_progress: ProgressCallback | None) -> None:
        self.total, self.done = total, 0
        self._on_progress = on_progress

    def add(self, count: int) -> None:
        self.done += count
        if self._on_progress:
            self._on_progress(min(self.done, self.total), self.total)
