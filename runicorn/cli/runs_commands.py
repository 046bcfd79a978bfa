"""`runicorn ls`, `tag`, `rm` and `restore`: managing runs from the shell."""

from __future__ import annotations

import argparse
import sys

from runicorn.cli.options import add_storage
from runicorn.cli.output import _human_bytes, _print_error, _print_query_error
from runicorn.errors import ConfigError, RunicornError


def _add_ls(sub: argparse._SubParsersAction) -> None:
    """``runicorn ls`` (runicorn.runs_admin.run_table)."""
    from runicorn import format as fmt

    p = sub.add_parser("ls", help="list runs, newest first")
    add_storage(p, "to list")
    p.add_argument("--project", metavar="P", help="only runs of project P")
    p.add_argument("--name", metavar="N", help="only runs of experiment name N")
    p.add_argument("--status", choices=fmt.ALL_STATUSES, help="only runs with this status")
    p.add_argument("--tag", metavar="T", help="only runs tagged T")
    p.add_argument(
        "-q",
        "--query",
        metavar="QUERY",
        help="only runs matching QUERY, e.g. 'config.lr < 0.01 and summary.val/acc > 0.9' "
        "(plain words: a text search); see docs/viewer.md#queries",
    )
    p.add_argument(
        "--columns",
        metavar="FIELDS",
        help="comma-separated fields to show as extra columns, e.g. config.lr,summary.val/acc",
    )
    p.add_argument("--json", action="store_true", help="print a JSON array (times in unix seconds)")
    p.set_defaults(handler=_run_ls)


def _run_ls(args: argparse.Namespace) -> int:
    import json

    from rich.console import Console

    from runicorn import runs_admin, settings
    from runicorn.errors import QueryError
    from runicorn.runs_admin.run_table import rich_table
    from runicorn.store.query.columns import parse_columns

    root = settings.resolve(storage=args.storage).storage
    index = runs_admin.open_index(root)
    try:
        columns = parse_columns(args.columns)
        rows = runs_admin.list_rows(
            index, args.project, args.name, args.status, args.tag, args.query, args.columns
        )
    except QueryError as err:
        _print_query_error(err, args.query if err.column else None)
        return 2
    if args.json:
        print(json.dumps([row.as_json() for row in rows], indent=2))
        return 0
    if not rows:
        filters = [
            f"--{f} {getattr(args, f)}"
            for f in ("project", "name", "status", "tag", "query")
            if getattr(args, f)
        ]
        if filters:
            print(f"no runs match {' '.join(filters)} under {root}")
        elif not root.is_dir():
            print(f"no runs under {root}: the folder does not exist")
        else:
            print(f"no runs under {root}")
        return 0
    console = Console()
    if console.is_terminal:
        console.print(rich_table(rows, columns))
    else:
        print(runs_admin.plain_table(rows, columns))
    return 0


def _add_tag(sub: argparse._SubParsersAction) -> None:
    """``runicorn tag`` (runicorn.runs_admin.tags)."""
    p = sub.add_parser(
        "tag",
        help="show or change a run's tags",
        usage="runicorn tag [--storage ROOT] RUN [+TAG | -TAG | TAG ...]",
    )
    add_storage(p, "of the run")
    p.add_argument("run", metavar="RUN", help="a run id, or the run key the viewer and `runicorn ls` show")
    p.add_argument(
        "changes",
        nargs=argparse.REMAINDER,
        metavar="+TAG | -TAG",
        help="+TAG or TAG adds, -TAG removes; none prints the run's tags",
    )
    p.set_defaults(handler=_run_tag)


def _run_tag(args: argparse.Namespace) -> int:
    from runicorn import runs_admin, settings

    words, storage = _storage_among(args.changes, args.storage)
    changes = runs_admin.parse_tag_changes(words)
    root = settings.resolve(storage=storage).storage
    run = runs_admin.find_run(runs_admin.open_index(root), args.run)
    tags = runs_admin.change_tags(run.path, changes) if changes else runs_admin.run_tags(run.path)
    print(f"{run.key}: {', '.join(tags) if tags else 'no tags'}")
    return 0


def _storage_among(words: list[str], storage: str | None) -> tuple[list[str], str | None]:
    """``--storage ROOT`` given after RUN (argparse leaves it among the tag changes)."""

    rest: list[str] = []
    it = iter(words)
    for word in it:
        if word == "--storage":
            storage = next(it, None)
            if storage is None:
                raise ConfigError("--storage needs a folder", "write --storage ROOT")
        elif word.startswith("--storage="):
            storage = word.split("=", 1)[1]
        else:
            rest.append(word)
    return rest, storage


def _add_rm(sub: argparse._SubParsersAction) -> None:
    """``runicorn rm`` and ``runicorn restore`` (runicorn.runs_admin.trash)."""
    p = sub.add_parser("rm", help="move runs to the trash under the storage root (or empty it: --purge)")
    p.add_argument("runs", nargs="*", metavar="RUN", help="run ids, or the run keys `runicorn ls` shows")
    add_storage(p, "of the runs")
    p.add_argument("--purge", action="store_true", help="delete every run in the trash for good")
    p.add_argument("--yes", action="store_true", help="with --purge: do not ask for confirmation")
    p.set_defaults(handler=_run_rm)
    p = sub.add_parser("restore", help="put runs from the trash back where they were (none: list the trash)")
    p.add_argument("runs", nargs="*", metavar="RUN", help="run ids (or trash entries) to put back")
    add_storage(p, "of the trash")
    p.set_defaults(handler=_run_restore)


def _run_rm(args: argparse.Namespace) -> int:
    from runicorn import runs_admin, settings
    from runicorn.store import RunInfo

    if args.purge:
        if args.runs:
            raise ConfigError(
                "--purge empties the whole trash and takes no run ids", "run `runicorn rm --purge` alone"
            )
        return _purge(args)
    if not args.runs:
        raise ConfigError("no runs named", "name runs to move to the trash: runicorn rm RUN ...")
    root = settings.resolve(storage=args.storage).storage
    index = runs_admin.open_index(root)
    chosen: dict[str, RunInfo] = {}
    failed: list[RunicornError] = []
    for ref in args.runs:
        try:
            run = runs_admin.find_run(index, ref)
            runs_admin.refuse_live(run, "move to the trash")
            chosen[run.relpath] = run
        except RunicornError as err:
            failed.append(err)
    for error in failed:
        _print_error(error, args.debug)
    if failed:
        print("nothing was moved to the trash", file=sys.stderr)
        return 1
    for run in chosen.values():
        entry = runs_admin.move_to_trash(root, run)
        print(f"moved {run.key} ({run.relpath}) to the trash; `runicorn restore {entry.run_id}` puts it back")
    return 0


def _purge(args: argparse.Namespace) -> int:
    from runicorn import format as fmt
    from runicorn import runs_admin, settings

    root = settings.resolve(storage=args.storage).storage

    size = runs_admin.trash_size(root)
    trash = root / fmt.TRASH_DIR
    if not size.entries:
        print(f"the trash is empty ({trash})")
        return 0
    runs = "1 run" if size.entries == 1 else f"{size.entries} runs"
    what = f"{runs} ({_human_bytes(size.bytes)}) in {trash}"
    if not args.yes:
        if not sys.stdin.isatty():
            raise ConfigError(
                f"not deleting {what} without confirmation", "add --yes to delete them for good"
            )
        if input(f"delete {what} for good? [y/N] ").strip().lower() not in ("y", "yes"):
            print("nothing was deleted")
            return 1
    runs_admin.purge_trash(root)
    print(f"deleted {what}")
    return 0


def _run_restore(args: argparse.Namespace) -> int:
    import time

    from runicorn import runs_admin, settings

    root = settings.resolve(storage=args.storage).storage
    if not args.runs:
        entries = runs_admin.trash_entries(root)
        if not entries:
            print(f"the trash under {root} is empty")
        for e in entries:
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e.trashed_at))
            print(f"{e.name}  from {e.relpath}  trashed {when}")
        return 0
    failed = 0
    for ref in args.runs:
        try:
            entry = runs_admin.find_trash_entry(root, ref)
            runs_admin.restore_run(root, entry)
        except RunicornError as err:
            _print_error(err, args.debug)
            failed += 1
            continue
        print(f"restored {entry.run_id} to {entry.relpath}")
    return 1 if failed else 0
