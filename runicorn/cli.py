"""The ``runicorn`` command line: argument parsing and messages only; the work lives elsewhere."""

from __future__ import annotations

import argparse
import signal
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from runicorn.errors import ConfigError, RunicornError

if TYPE_CHECKING:
    from pathlib import Path

    from rich.progress import Progress, TaskID


def _add_config(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="show or set the user-level settings")
    p.add_argument("--show", action="store_true", help="print the resolved settings and where they come from")
    p.add_argument("--set-user-root", metavar="PATH", help="remember PATH as the default storage root")
    p.add_argument(
        "--set",
        nargs=2,
        metavar=("KEY", "VALUE"),
        help="remember a setting in the user config (KEY as in --show, or dotted: notify.slack.webhook)",
    )
    p.set_defaults(handler=_run_config)


def _run_config(args: argparse.Namespace) -> int:
    from pathlib import Path

    from runicorn import settings

    if args.set_user_root:
        root = Path(args.set_user_root).expanduser().absolute()
        path = settings.write_user_config({"user_root": str(root)})
        print(f"user storage root set to {root} (saved in {path})")
    if args.set:
        name = settings.setting_name(args.set[0])
        path = settings.write_user_config({name: args.set[1]})
        shown = "(hidden)" if name in settings.SECRET_SETTINGS else repr(args.set[1])
        print(f"{name} set to {shown} (saved in {path})")
    if args.show or not (args.set_user_root or args.set):
        from runicorn.notify.redact import redact_url

        resolved = settings.resolve()
        print(f"config file : {settings.user_config_path()}")
        for s in settings.SETTINGS_TABLE:
            value = getattr(resolved, s.name)
            if s.name in settings.SECRET_SETTINGS and value:
                value = redact_url(value) if "://" in value else "*** (set)"
            print(f"{s.name:<18}: {value}  (env {s.env}; {s.help})")
    return 0


def _add_viewer(sub: argparse._SubParsersAction) -> None:
    """``runicorn viewer`` (runicorn.viewer.server)."""
    p = sub.add_parser("viewer", help="serve the read-only web viewer over a storage root")
    p.add_argument(
        "--storage",
        metavar="PATH",
        help="storage root to show (default: the configured one), or s3://BUCKET/PREFIX to show "
        "the runs synced there (read through a local cache)",
    )
    p.add_argument("--endpoint-url", metavar="URL", help="with s3://: the object store's endpoint")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1; any other address requires a token)",
    )
    p.add_argument("--port", type=int, default=8000, help="port to bind (default 8000; 0 picks a free one)")
    p.add_argument("--open", action="store_true", help="open the viewer in a web browser")
    p.add_argument("--token", metavar="T", help="require this token (default: a random one off loopback)")
    p.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="allow this web origin (scheme://host:port, never '*') to call the API "
        "and change things (repeatable; none by default)",
    )
    p.add_argument(
        "--resume-mirrors",
        action="store_true",
        help="restart the SSH mirrors listed in the storage root's mirror file (default: connect nowhere)",
    )
    p.set_defaults(handler=_run_viewer)


def _run_viewer(args: argparse.Namespace) -> int:
    from runicorn import settings
    from runicorn.viewer.server import serve

    if args.storage and args.storage.startswith("s3://"):
        from runicorn.sync.command import start_bucket_cache

        url_settings = settings.resolve(sync_endpoint_url=args.endpoint_url)
        cache, _loop = start_bucket_cache(args.storage, url_settings)
        print(f"bucket         : {args.storage} (read-only, cached in {cache})", flush=True)
        args.storage = str(cache)
    resolved = settings.resolve(storage=args.storage)
    return serve(
        resolved,
        host=args.host,
        port=args.port,
        token=args.token,
        open_browser=args.open,
        cors_origins=args.cors_origin,
        resume_mirrors=args.resume_mirrors,
    )


def _add_mirror(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("mirror", help="copy runs from an SSH server into the local storage, live")
    p.add_argument(
        "source",
        metavar="USER@HOST[:PORT]:/REMOTE/PATH",
        help="a remote storage root, project, name, runs folder or single run",
    )
    p.add_argument("--storage", metavar="LOCAL", help="local storage root (default: the configured one)")
    p.add_argument(
        "--interval", type=float, default=2.0, metavar="SECONDS", help="seconds between sync cycles"
    )
    p.add_argument("--key", metavar="PATH", help="private key file (default: SSH agent, then ~/.ssh keys)")
    p.add_argument(
        "--password-prompt", action="store_true", help="ask for the password (kept in memory only)"
    )
    p.add_argument(
        "--trust-fingerprint",
        metavar="SHA256:...",
        help="accept an unknown host key with this fingerprint without asking",
    )
    p.set_defaults(handler=_run_mirror)


def _run_mirror(args: argparse.Namespace) -> int:
    from runicorn.remote.mirror_command import run_mirror_command

    return run_mirror_command(args)


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
    p.add_argument("--storage", metavar="ROOT", help="storage root to export from")
    p.add_argument("--project", action="append", default=[], metavar="P", help="only runs of project P")
    p.add_argument("--name", action="append", default=[], metavar="N", help="only runs of experiment name N")
    p.add_argument("--run", action="append", default=[], metavar="ID", nargs="+", help="only these run ids")
    p.add_argument("--force", action="store_true", help="replace OUT if it already exists")
    p.set_defaults(handler=_run_export)
    p = sub.add_parser(
        "import",
        help="import runs from archives (ours or the PyPI Runicorn package's) or TensorBoard log directories",
    )
    p.add_argument(
        "files",
        nargs="+",
        metavar="PATH",
        help="archives (.zip, .tar, .tar.gz), TensorBoard log directories or events.out.tfevents.* files",
    )
    p.add_argument("--storage", metavar="ROOT", help="storage root to import into")
    p.add_argument(
        "--project",
        metavar="P",
        help="project of runs imported from TensorBoard (default: the log directory's name)",
    )
    p.set_defaults(handler=_run_import)


def _add_sync(sub: argparse._SubParsersAction) -> None:
    """``runicorn sync`` and ``runicorn pull`` (runicorn.sync)."""
    p = sub.add_parser("sync", help="upload the runs of a storage root to s3://BUCKET/PREFIX (resumable)")
    p.add_argument("root", metavar="ROOT", help="the storage root to upload")
    p.add_argument("url", metavar="s3://BUCKET/PREFIX", help="where the runs go")
    p.add_argument("--watch", action="store_true", help="keep running runs in sync until Ctrl-C")
    p.add_argument(
        "--interval", type=float, default=2.0, metavar="SECONDS", help="with --watch: seconds between syncs"
    )
    p.add_argument("--endpoint-url", metavar="URL", help="the object store's endpoint (non-AWS stores)")
    p.set_defaults(handler=_run_sync)
    p = sub.add_parser("pull", help="bring runs from s3://BUCKET/PREFIX back as ordinary run folders")
    p.add_argument(
        "url", metavar="s3://BUCKET/PREFIX", help="a prefix that `runicorn sync` wrote, or one run"
    )
    p.add_argument("root", metavar="ROOT", help="the storage root the runs land in")
    p.add_argument("--endpoint-url", metavar="URL", help="the object store's endpoint (non-AWS stores)")
    p.set_defaults(handler=_run_pull)


def _bar(description: str) -> AbstractContextManager[Callable[[int, int], None]]:
    from contextlib import contextmanager

    @contextmanager
    def bar() -> Iterator[Callable[[int, int], None]]:
        with _progress() as progress:
            yield _updater(progress, progress.add_task(description, total=None))

    return bar()


def _run_sync(args: argparse.Namespace) -> int:
    from pathlib import Path

    from runicorn import settings
    from runicorn.sync.command import run_sync_command

    resolved = settings.resolve(sync_endpoint_url=args.endpoint_url)
    root = Path(args.root).expanduser().absolute()
    return run_sync_command(root, args.url, resolved, args.watch, args.interval, _bar)


def _run_pull(args: argparse.Namespace) -> int:
    from pathlib import Path

    from runicorn import settings
    from runicorn.sync.command import run_pull_command

    resolved = settings.resolve(sync_endpoint_url=args.endpoint_url)
    return run_pull_command(args.url, Path(args.root).expanduser().absolute(), resolved, _bar)


def _progress() -> Progress:
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    console = Console(stderr=True)
    return Progress(*columns, console=console, transient=True, disable=not console.is_terminal)


def _updater(bar: Progress, task: TaskID) -> Callable[[int, int], None]:
    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return update


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

    resolved = settings.resolve(storage=args.storage)
    limits = archive.ArchiveLimits.from_settings(resolved)
    failed = 0
    for file in args.files:
        if archive.is_tensorboard_source(Path(file)):
            failed += _import_tensorboard(Path(file), resolved.storage, args)
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


def _import_tensorboard(path: Path, storage: Path, args: argparse.Namespace) -> int:
    """Import one TensorBoard log directory; 1 when it failed (the error printed), else 0."""
    from runicorn import archive

    try:
        with _progress() as bar:
            task = bar.add_task(f"importing {path.name or path}", total=None)
            results = archive.import_tensorboard(path, storage, args.project, _updater(bar, task))
    except RunicornError as err:
        _print_error(err, args.debug)
        return 1
    for r in results:
        where = f"{r.project}/{r.name}"
        if r.outcome == "skipped":
            print(f"skipped  {r.source}: already imported as {r.run_id} in {where}")
            continue
        counts = f"{r.scalars} scalars, {r.images} images, {r.histograms} histograms, {r.texts} texts"
        print(f"imported {r.source} as {r.run_id} into {where} ({counts})")
        for note in r.notes:
            print(f"  note: {note}")
    return 0


def _add_ls(sub: argparse._SubParsersAction) -> None:
    """``runicorn ls`` (runicorn.runs_admin.run_table)."""
    from runicorn import format as fmt

    p = sub.add_parser("ls", help="list runs, newest first")
    p.add_argument("--storage", metavar="ROOT", help="storage root to list (default: the configured one)")
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
    from runicorn.store.run_columns import parse_columns

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


def _print_query_error(err: RunicornError, query: str | None) -> None:
    """``error: ... at column N``, the query with a caret under that column, then the hint."""
    print(f"error: {err.message}", file=sys.stderr)
    column = getattr(err, "column", 0)
    if query is not None and "\n" not in query and len(query) <= 200:
        print(f"  {query}", file=sys.stderr)
        print("  " + " " * (column - 1) + "^", file=sys.stderr)
    if err.hint:
        print(f"hint: {err.hint}", file=sys.stderr)


def _add_tag(sub: argparse._SubParsersAction) -> None:
    """``runicorn tag`` (runicorn.runs_admin.tags)."""
    p = sub.add_parser(
        "tag",
        help="show or change a run's tags",
        usage="runicorn tag [--storage ROOT] RUN [+TAG | -TAG | TAG ...]",
    )
    p.add_argument("--storage", metavar="ROOT", help="storage root of the run (default: the configured one)")
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
    from runicorn.errors import ConfigError

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
    p.add_argument("--storage", metavar="ROOT", help="storage root of the runs (default: the configured one)")
    p.add_argument("--purge", action="store_true", help="delete every run in the trash for good")
    p.add_argument("--yes", action="store_true", help="with --purge: do not ask for confirmation")
    p.set_defaults(handler=_run_rm)
    p = sub.add_parser("restore", help="put runs from the trash back where they were (none: list the trash)")
    p.add_argument("runs", nargs="*", metavar="RUN", help="run ids (or trash entries) to put back")
    p.add_argument(
        "--storage", metavar="ROOT", help="storage root of the trash (default: the configured one)"
    )
    p.set_defaults(handler=_run_restore)


def _run_rm(args: argparse.Namespace) -> int:
    from runicorn import runs_admin, settings
    from runicorn.errors import ConfigError
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
    from runicorn.errors import ConfigError

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


def _human_bytes(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    size = float(n)
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            break
    return f"{size:.1f} {unit}"


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


def _add_run(sub: argparse._SubParsersAction) -> None:
    """``runicorn run`` (runicorn.launch): a command recorded as a run."""
    p = sub.add_parser(
        "run",
        help="run a command on a pty and record it as a run (console, exit code, git, system metrics)",
        usage="runicorn run [options] [--] CMD [ARGS...]",
    )
    p.add_argument("--project", metavar="P", help="project (default: the git repository's or folder's name)")
    p.add_argument("--name", metavar="N", help="experiment name (default: the script's name)")
    p.add_argument("--tag", action="append", default=[], metavar="T", help="a tag (repeatable)")
    p.add_argument("--notes", metavar="TEXT", help="notes about the run")
    p.add_argument("--storage", metavar="ROOT", help="storage root (default: the configured one)")
    p.add_argument(
        "--timeout",
        metavar="0|SECONDS|5h|2d",
        help="stop each attempt after this long: SIGTERM, SIGKILL after a grace, exit 124 "
        "(default: RUNICORN_RUN_TIMEOUT, 0 = none)",
    )
    p.add_argument("--retries", type=int, default=0, metavar="K", help="run again up to K times on failure")
    p.add_argument("--retry-delay", default="0", metavar="S", help="wait between attempts (seconds, 5m...)")
    p.add_argument("--retry-on-timeout", action="store_true", help="also retry an attempt that timed out")
    p.add_argument(
        "--notify",
        action="append",
        default=[],
        metavar="CHANNEL",
        help="send notifications to this channel only (repeatable; default: every configured "
        "channel; none: no notification). See docs/notify.md",
    )
    p.add_argument("--require-clean", action="store_true", help="refuse to start with uncommitted changes")
    p.add_argument(
        "--run-id",
        metavar="ID",
        help="record into the run with this id (continued when it exists, as a job's attempts are)",
    )
    p.add_argument("command", nargs=argparse.REMAINDER, metavar="CMD", help="the command and its arguments")
    p.set_defaults(handler=_run_run)


def _run_run(args: argparse.Namespace) -> int:
    from runicorn import settings
    from runicorn.launch import Launcher, LaunchOptions
    from runicorn.launch.notify_observer import NotifyObserver
    from runicorn.launch.timeout import parse_duration

    command = list(args.command)
    if command[:1] == ["--"]:
        command = command[1:]
    resolved = settings.resolve(storage=args.storage)
    timeout = args.timeout if args.timeout is not None else resolved.run_timeout
    options = LaunchOptions(
        command=command,
        project=args.project,
        name=args.name,
        tags=args.tag,
        notes=args.notes,
        timeout_s=parse_duration(timeout, "--timeout"),
        retries=args.retries,
        retry_delay_s=parse_duration(args.retry_delay, "--retry-delay") or 0.0,
        retry_on_timeout=args.retry_on_timeout,
        grace_s=resolved.run_grace_s,
        notify=args.notify,
        require_clean=args.require_clean,
        run_id=args.run_id,
    )
    launcher = Launcher(resolved, options)
    notify = NotifyObserver.from_settings(resolved, options.notify, report=launcher.note)
    launcher.observers.append(notify)
    if not resolved.sync_url:
        return launcher.launch().exit_code
    from runicorn.sync import SyncObserver

    sync = SyncObserver(resolved, report=lambda text: print(text, file=sys.stderr))
    launcher.observers.append(sync)
    try:
        return launcher.launch().exit_code
    finally:
        sync.finish()


def _add_sweep(sub: argparse._SubParsersAction) -> None:
    """``runicorn sweep CONFIG`` / ``runicorn sweep run ID -- CMD`` (runicorn.sweep)."""
    p = sub.add_parser(
        "sweep",
        help="create a hyper-parameter sweep from a YAML/JSON file, or run its trials: sweep run ID -- CMD",
        usage="runicorn sweep CONFIG.yaml [--project P]\n"
        "       runicorn sweep run SWEEP_ID [--count N] -- CMD [ARGS...]",
    )
    p.add_argument(
        "--project", metavar="P", help="project of the sweep's runs (default: the file's, else 'default')"
    )
    p.add_argument("--count", type=int, metavar="N", help="with run: run at most N trials here")
    p.add_argument("--storage", metavar="ROOT", help="storage root (default: the configured one)")
    p.add_argument("words", nargs=argparse.REMAINDER, metavar="CONFIG | run ID -- CMD")
    p.set_defaults(handler=_run_sweep)


def _run_sweep(args: argparse.Namespace) -> int:
    from pathlib import Path

    from runicorn import settings

    words = list(args.words)
    head = words[: words.index("--")] if "--" in words else words
    tail = words[len(head) :]
    # the options may also come after CONFIG or `run ID` (argparse leaves them in `words`)
    late = argparse.ArgumentParser(prog="runicorn sweep", add_help=False)
    late.add_argument("--project")
    late.add_argument("--count", type=int)
    late.add_argument("--storage")
    late.add_argument("positional", nargs="*")
    found = late.parse_args(head)
    for name in ("project", "count", "storage"):
        if getattr(found, name) is not None:
            setattr(args, name, getattr(found, name))
    head = found.positional
    resolved = settings.resolve(storage=args.storage)
    if head[:1] == ["run"]:
        from runicorn.sweep import open_sweep
        from runicorn.sweep.command import run_trials

        if len(head) != 2:
            raise ConfigError(
                "runicorn sweep run needs one sweep id", "runicorn sweep run SWEEP_ID -- CMD [ARGS...]"
            )
        command = tail[1:] if tail[:1] == ["--"] else tail
        if not command:
            raise ConfigError(
                "no command to run", "give it after --: runicorn sweep run SWEEP_ID -- python train.py"
            )
        if args.count is not None and args.count < 1:
            raise ConfigError(f"--count {args.count} is below 1", "give 1 or more, or leave it out")
        sweep = open_sweep(resolved.storage, head[1])
        ran = run_trials(resolved, sweep, command, count=args.count, grace_s=resolved.run_grace_s)
        print(f"ran {ran} trial{'s' if ran != 1 else ''} of sweep {sweep.id}")
        return 0
    if len(head) != 1 or tail:
        raise ConfigError(
            "runicorn sweep takes one configuration file",
            "runicorn sweep CONFIG.yaml [--project P], or runicorn sweep run SWEEP_ID -- CMD",
        )
    from runicorn.sweep import create_sweep, parse_sweep_config
    from runicorn.sweep.config_file import read_config_file

    config = parse_sweep_config(read_config_file(Path(head[0])))
    project = args.project or config.raw.get("project") or "default"
    sweep = create_sweep(resolved.storage, config, str(project))
    print(sweep.id)
    return 0


def _add_agent(sub: argparse._SubParsersAction) -> None:
    """``runicorn agent`` (runicorn.agent.server) and its clients: submit, jobs, cancel, resume."""
    p = sub.add_parser("agent", help="serve the job queue of a storage root (GPU scheduling, retries)")
    p.add_argument("--storage", metavar="ROOT", help="storage root (default: the configured one)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (any but loopback requires a token)")
    p.add_argument("--port", type=int, default=8100, help="port to bind (default 8100; 0 picks a free one)")
    p.add_argument("--token", metavar="T", help="require this token (default: a random one off loopback)")
    p.add_argument("--gpus", default="auto", metavar="auto|0,1|none", help="GPUs to schedule (default auto)")
    p.add_argument(
        "--slots-per-gpu", type=int, default=1, metavar="N", help="jobs sharing one GPU (default 1)"
    )
    p.add_argument("--max-parallel", type=int, metavar="N", help="jobs running at once (default: CPU count)")
    p.add_argument(
        "--min-free-mem", type=int, default=1024, metavar="MIB", help="a GPU with less free memory is busy"
    )
    p.add_argument("--grace", type=float, default=10.0, metavar="S", help="SIGTERM to SIGKILL on cancel")
    p.add_argument(
        "--executor",
        choices=("process", "slurm"),
        default="process",
        help="where a job that names none runs: on this machine, or as a Slurm batch job",
    )
    p.add_argument("--partition", metavar="P", help="Slurm partition of the jobs (default: the cluster's)")
    p.add_argument("--account", metavar="A", help="Slurm account the jobs are charged to")
    p.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="allow this web origin (a viewer: http://127.0.0.1:8000) to call the API (repeatable)",
    )
    p.set_defaults(handler=_run_agent)

    def client_options(q: argparse.ArgumentParser) -> None:
        q.add_argument("--agent", metavar="URL", help="the agent (default RUNICORN_AGENT_URL, else :8100)")
        q.add_argument("--token", metavar="T", help="the agent's token (default RUNICORN_AGENT_TOKEN)")

    q = sub.add_parser(
        "submit",
        help="queue a command as a job of the agent",
        usage="runicorn submit [options] -- CMD [ARGS...]",
    )
    q.add_argument("--gpus", default="0", metavar="N|0,1", help="GPUs: a count, or indices (default 0: CPU)")
    where = q.add_mutually_exclusive_group()
    where.add_argument("--image", metavar="IMG", help="run in a new container of this image")
    where.add_argument("--container", metavar="NAME", help="run inside this running container")
    q.add_argument(
        "--executor", choices=("process", "docker", "slurm"), help="where it runs (default: the agent's)"
    )
    q.add_argument("--timeout", metavar="S|5h", help="stop each attempt after this long (exit 124)")
    q.add_argument("--retries", type=int, default=0, metavar="K", help="start again up to K times on failure")
    q.add_argument("--retry-delay", default="0", metavar="S", help="wait between attempts")
    q.add_argument("--project", metavar="P")
    q.add_argument("--name", metavar="N")
    q.add_argument("--tag", action="append", default=[], metavar="T")
    q.add_argument("--workdir", metavar="DIR", help="where the command runs (default: the current folder)")
    q.add_argument("--env", action="append", default=[], metavar="K=V", help="an environment variable")
    q.add_argument("--requires", action="append", default=[], metavar="PATH", help="wait until it exists")
    q.add_argument("--resume-from", metavar="PATH", help="a checkpoint (RUNICORN_RESUME_FROM in the job)")
    client_options(q)
    q.add_argument("command", nargs=argparse.REMAINDER, metavar="CMD")
    q.set_defaults(handler=_run_submit)

    q = sub.add_parser("jobs", help="list the agent's jobs (or show one)")
    q.add_argument("job", nargs="?", metavar="JOB", help="show this job in full")
    q.add_argument("--status", metavar="S", help="pending, running, succeeded, failed or cancelled")
    q.add_argument("--project", metavar="P")
    q.add_argument("--limit", type=int, default=50)
    client_options(q)
    q.set_defaults(handler=_run_jobs)

    q = sub.add_parser("cancel", help="cancel a job (pending: never starts; running: stopped)")
    q.add_argument("job", metavar="JOB")
    client_options(q)
    q.set_defaults(handler=_run_cancel)

    q = sub.add_parser("resume", help="start an ended job again from a checkpoint (default: its latest)")
    q.add_argument("job", metavar="JOB")
    q.add_argument("--checkpoint", metavar="PATH")
    client_options(q)
    q.set_defaults(handler=_run_resume)


def _run_agent(args: argparse.Namespace) -> int:
    from runicorn import settings
    from runicorn.agent.scheduler import SchedulerOptions
    from runicorn.agent.server import serve
    from runicorn.agent.service import AgentOptions

    if args.slots_per_gpu < 1 or (args.max_parallel is not None and args.max_parallel < 1):
        raise ConfigError("--slots-per-gpu and --max-parallel must be 1 or more", "give a positive number")
    resolved = settings.resolve(storage=args.storage)
    scheduler = SchedulerOptions(
        slots_per_gpu=args.slots_per_gpu,
        min_free_bytes=args.min_free_mem * 2**20,
        grace_s=args.grace,
        **({"max_parallel": args.max_parallel} if args.max_parallel else {}),
    )
    options = AgentOptions(
        gpus=args.gpus,
        scheduler=scheduler,
        executor=args.executor,
        slurm_partition=args.partition,
        slurm_account=args.account,
    )
    return serve(
        resolved, options, host=args.host, port=args.port, token=args.token, cors_origins=args.cors_origin
    )


def _client(args: argparse.Namespace) -> Any:
    from runicorn import settings
    from runicorn.agent.client import AgentClient

    return AgentClient.from_settings(settings.resolve(), args.agent, args.token)


def _run_submit(args: argparse.Namespace) -> int:
    import os

    command = list(args.command)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        raise ConfigError(
            "no command to submit", "give it after the options: runicorn submit -- python train.py"
        )
    gpus: int | list[int] = [int(g) for g in args.gpus.split(",")] if "," in args.gpus else int(args.gpus)
    env = dict(item.split("=", 1) for item in args.env if "=" in item)
    body = {
        "command": command,
        "project": args.project,
        "name": args.name,
        "tags": args.tag,
        "workdir": os.path.abspath(args.workdir or os.getcwd()),
        "env": env,
        "gpus": gpus,
        "image": args.image,
        "container": args.container,
        "executor": args.executor,
        "timeout": args.timeout,
        "max_retries": args.retries,
        "retry_delay": args.retry_delay,
        "requires": args.requires,
        "resume_from": args.resume_from,
    }
    job = _client(args).call("POST", "/api/jobs", body)
    print(f"{job['id']} {job['status']}  {job['project']}/{job['name']} run {job['run_id']}")
    return 0


def _run_jobs(args: argparse.Namespace) -> int:
    import json
    from urllib.parse import urlencode

    client = _client(args)
    if args.job:
        print(json.dumps(client.call("GET", f"/api/jobs/{args.job}"), indent=2))
        return 0
    query = {k: v for k, v in (("status", args.status), ("project", args.project)) if v}
    query["limit"] = str(args.limit)
    answer = client.call("GET", "/api/jobs?" + urlencode(query))
    print(f"{'JOB':<13} {'STATUS':<10} {'TRIES':<5} {'GPUS':<6} {'EXIT':<5} PROJECT/NAME  COMMAND")
    for job in answer["jobs"]:
        gpus = ",".join(map(str, job["gpu_ids"])) or "-"
        code = "" if job["exit_code"] is None else str(job["exit_code"])
        command = " ".join(job["command"] or [])[:60]
        print(
            f"{job['id']:<13} {job['status']:<10} {job['attempts']:<5} {gpus:<6} {code:<5} "
            f"{job['project']}/{job['name']}  {command}"
        )
        if job["status"] == "running" and job.get("detail"):
            print(f"{'':<13} {job['detail']}")  # where it is: Slurm's pending reason, its node
    if answer["total"] > len(answer["jobs"]):
        print(f"({answer['total'] - len(answer['jobs'])} more: --limit, --status, --project)")
    return 0


def _run_cancel(args: argparse.Namespace) -> int:
    job = _client(args).call("POST", f"/api/jobs/{args.job}/cancel")
    what = "cancelled" if job["cancel"] == "cancelled" else "being stopped (SIGTERM, then SIGKILL)"
    print(f"{job['id']} {what}")
    return 0


def _run_resume(args: argparse.Namespace) -> int:
    job = _client(args).call("POST", f"/api/jobs/{args.job}/resume", {"checkpoint": args.checkpoint})
    print(f"{job['id']} {job['status']}: resumes from {job['resume_from']}")
    return 0


def _add_notify(sub: argparse._SubParsersAction) -> None:
    """``runicorn notify test [CHANNEL]`` (runicorn.notify)."""
    p = sub.add_parser("notify", help="check the chat and e-mail notification channels")
    actions = p.add_subparsers(dest="notify_action", metavar="ACTION", required=True)
    t = actions.add_parser("test", help="send a test message through the configured channels")
    t.add_argument(
        "channel", nargs="?", metavar="CHANNEL", help="only this one: dingtalk, feishu, slack, ..."
    )
    t.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help="per attempt (default 10)")
    t.set_defaults(handler=_run_notify_test)


def _run_notify_test(args: argparse.Namespace) -> int:
    import socket

    from runicorn import settings
    from runicorn.errors import ConfigError
    from runicorn.notify import CHANNEL_NAMES, Message, Notifier, channels_from_settings

    resolved = settings.resolve()
    channels = channels_from_settings(resolved)
    if args.channel:
        if args.channel not in CHANNEL_NAMES:
            raise ConfigError(
                f"no channel is called {args.channel!r}", f"use one of {', '.join(CHANNEL_NAMES)}"
            )
        channels = [c for c in channels if c.name == args.channel]
    if not channels:
        which = args.channel or "notification channel"
        raise ConfigError(f"no {which} is configured", "see `runicorn config --show` and docs/notify.md")
    answers: dict[str, tuple[bool, str]] = {}
    notifier = Notifier(
        channels,
        on_result=lambda name, ok, detail: answers.__setitem__(name, (ok, detail)),
        timeout_s=args.timeout,
        max_attempts=2,
        retry_backoff_s=1.0,
    )
    message = Message(
        "Runicorn test message",
        f"Sent by `runicorn notify test` on {socket.gethostname()}.",
        fields={"events": resolved.notify_events},
        link=resolved.viewer_url or None,
    )
    notifier.send(message, event=None)
    notifier.close(timeout_s=2 * args.timeout + 5)
    for channel in channels:
        ok, detail = answers.get(channel.name, (False, "no answer before the time ran out"))
        print(f"{channel.name:<9} {'ok' if ok else 'failed: ' + detail}")
    return 0 if all(answers.get(c.name, (False, ""))[0] for c in channels) else 1


def _print_error(err: RunicornError, debug: bool) -> None:
    """The CLI's error shape: ``error: what happened`` then ``hint: what to do`` (traceback with --debug)."""
    if debug:
        traceback.print_exc()
    print(f"error: {err.message}", file=sys.stderr)
    if err.hint:
        print(f"hint: {err.hint}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="runicorn", description="Local-first, offline experiment tracker.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_config(sub)
    _add_viewer(sub)
    _add_mirror(sub)
    _add_sync(sub)
    _add_archive(sub)
    _add_ls(sub)
    _add_tag(sub)
    _add_rm(sub)
    _add_run(sub)
    _add_notify(sub)
    _add_sweep(sub)
    _add_agent(sub)
    return parser


def _unblock_stop_signals() -> None:
    """Unblock SIGINT and SIGTERM in this (main) thread before any other thread starts: a mask
    inherited from the program that started us would make Ctrl-C and ``kill`` do nothing, and
    the viewer and the mirror run until stopped."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


def main(argv: Sequence[str] | None = None) -> int:
    _unblock_stop_signals()
    try:
        code = _main(argv)
        sys.stdout.flush()  # inside the try: a reader gone early is met here, not at exit
        return code
    except BrokenPipeError:
        if not _stdout_reader_gone():
            raise
        _silence_stdout()
        return 0


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from runicorn import __version__

        print(__version__)
        return 0
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except RunicornError as err:
        _print_error(err, args.debug)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _stdout_reader_gone() -> bool:
    """Whether stdout is a pipe whose reader has closed it (``runicorn ... | head -1``), rather
    than some other connection (an SSH link) that broke."""
    import select

    if not hasattr(select, "poll"):
        return True  # cannot ask: a broken pipe in a command that prints is most likely stdout
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        events = poller.poll(0)
    except (OSError, ValueError):
        return False
    return any(mask & (select.POLLERR | select.POLLHUP) for _fd, mask in events)


def _silence_stdout() -> None:
    """Point stdout at the null device, so the interpreter's last flush at exit has somewhere to
    go (the recipe in Python's ``signal`` docs); the output the reader did not want is dropped."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
