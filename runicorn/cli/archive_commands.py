"""`runicorn export` and `runicorn import` (archives, TensorBoard log directories, W&B run folders)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from runicorn.errors import ConfigError, RunicornError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


from runicorn.cli.options import add_storage
from runicorn.cli.output import _print_error, _progress, _updater


def _add_archive(sub: argparse._SubParsersAction) -> None:
    """``runicorn export`` and ``runicorn import`` (runicorn.archive)."""
    p = sub.add_parser(
        "export",
        help="write runs into a .zip, .tar.gz or .tar archive with a manifest",
        usage="runicorn export [--storage ROOT] [--project P] [--name N] [--run ID [ID ...]] [--force] OUT",
    )
    p.add_argument(
        "out",
        nargs="?",
        metavar="OUT",
        help="the archive to write: OUT.zip, OUT.tar.gz or OUT.tar (may follow the --run ids)",
    )
    add_storage(p, help="storage root to export from")
    p.add_argument("--project", action="append", default=[], metavar="P", help="only runs of project P")
    p.add_argument("--name", action="append", default=[], metavar="N", help="only runs of experiment name N")
    p.add_argument("--run", action="append", default=[], metavar="ID", nargs="+", help="only these run ids")
    p.add_argument("--force", action="store_true", help="replace OUT if it already exists")
    p.set_defaults(handler=_run_export)
    p = sub.add_parser(
        "import",
        help="import runs from archives (ours or the PyPI Runicorn package's), TensorBoard log directories "
        "or W&B run folders",
    )
    p.add_argument(
        "files",
        nargs="+",
        metavar="PATH",
        help="archives (.zip, .tar, .tar.gz), TensorBoard log directories or events.out.tfevents.* files, "
        "W&B run folders (wandb/, offline-run-*) or .wandb files",
    )
    add_storage(p, help="storage root to import into")
    p.add_argument(
        "--project",
        metavar="P",
        help="project of runs imported from TensorBoard or W&B (default: the log directory's name; "
        "W&B: the run's project)",
    )
    p.set_defaults(handler=_run_import)


def _run_export(args: argparse.Namespace) -> int:
    from runicorn import archive, settings

    resolved = settings.resolve(storage=args.storage)
    out, run_ids = _export_target(args.out, [run_id for group in args.run for run_id in group])
    archive.archive_kind(out)
    runs = archive.select_runs(resolved.storage, args.project, args.name, run_ids)
    with _progress() as bar:
        task = bar.add_task(f"exporting {len(runs)} runs", total=None)
        result = archive.export_runs(resolved.storage, out, runs, _updater(bar, task), replace=args.force)
    print(f"exported {result.runs} runs ({result.files} files, {result.bytes} bytes) to {result.path}")
    return 0


def _export_target(out: str | None, run_ids: list[str]) -> tuple[Path, list[str]]:
    """``runicorn export --run ID1 ID2 OUT.zip``: ``--run`` takes every word after it, so OUT,
    when not given elsewhere, is its last word if that names an archive."""
    from pathlib import Path

    from runicorn import archive

    if out is None and run_ids and archive.kind_named(run_ids[-1]):
        out, run_ids = run_ids[-1], run_ids[:-1]
    if out is None:
        ids = "".join(f" {run_id}" for run_id in run_ids)
        example = f"runicorn export --run{ids} OUT.zip" if run_ids else "runicorn export OUT.zip"
        raise ConfigError("no archive to write: name it last, as OUT.zip, OUT.tar.gz or OUT.tar", example)
    return Path(out), run_ids


def _run_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from runicorn import archive, settings
    from runicorn.files.storage_root import make_storage_root

    resolved = settings.resolve(storage=args.storage)
    make_storage_root(resolved.storage, resolved.storage_is_fallback)
    limits = archive.ArchiveLimits.from_settings(resolved)
    failed = 0
    for file in args.files:
        if archive.is_wandb_source(Path(file)):
            failed += _import_log_folder(
                archive.import_wandb, Path(file), resolved.storage, args, _wandb_counts
            )
            continue
        if archive.is_tensorboard_source(Path(file)):
            failed += _import_log_folder(
                archive.import_tensorboard, Path(file), resolved.storage, args, _tensorboard_counts
            )
            continue
        try:
            with _progress() as bar:
                task = bar.add_task(f"importing {Path(file).name}", total=None)
                results = archive.import_archive(Path(file), resolved.storage, limits, _updater(bar, task))
        except RunicornError as err:
            _print_error(err, args.debug)
            failed += 1
            continue
        for r in results:
            where = f"{r.project}/{r.name}"
            if r.outcome == "imported":
                print(f"imported {r.run_id} into {where} ({r.files} files)")
            elif r.outcome == "skipped":
                print(f"skipped  {r.run_id}: an identical run is already in {where}")
            else:
                print(f"imported {r.run_id} as {r.new_id} into {where}: a different run already has that id")
    return 1 if failed else 0


def _tensorboard_counts(r: Any) -> str:
    return f"{r.scalars} scalars, {r.images} images, {r.histograms} histograms, {r.texts} texts"


def _wandb_counts(r: Any) -> str:
    return f"{r.steps} steps, {r.media} media, {r.files} files"


def _import_log_folder(
    import_runs: Callable[..., list[Any]],
    path: Path,
    storage: Path,
    args: argparse.Namespace,
    counts: Callable[[Any], str],
) -> int:
    """Import a TensorBoard log directory or W&B run folders (``import_runs``) under a progress bar
    and print a line per run imported or skipped (``counts`` says what an imported run held); 1
    when it failed (the error printed), else 0."""
    try:
        with _progress() as bar:
            task = bar.add_task(f"importing {path.name or path}", total=None)
            results = import_runs(path, storage, args.project, _updater(bar, task))
    except RunicornError as err:
        _print_error(err, args.debug)
        return 1
    for r in results:
        where = f"{r.project}/{r.name}"
        if r.outcome == "skipped":
            print(f"skipped  {r.source}: already imported as {r.run_id} in {where}")
            continue
        print(f"imported {r.source} as {r.run_id} into {where} ({counts(r)})")
        for note in r.notes:
            print(f"  note: {note}")
    return 0
