"""The SSH mirror: keeps a local copy of remote run folders up to date, cycle after cycle.

The remote path may be a storage root, a project, a name (experiment), a ``runs`` folder or a single
run. Every run found below it lands where the local viewer expects it,
``<local root>/<project>/<name>/runs/<run_id>``, with project and name read from the run's
``meta.json`` (falling back to the remote folder's position). A run folder that exists locally but
belongs to another server (or to no mirror at all) is never written: the incoming run lands in
``<run_id>-<host>_<port>`` beside it (see :mod:`runicorn.remote.registry`).

Each cycle costs little when nothing changes: the folders that can hold new runs are checked with
one ``stat`` each and listed again only when their mtime moved; runs whose status is final and
fully copied leave the cycle. Every ``FINISHED_CHECK_EVERY`` cycles one listing of each folder
holding such runs gives all their folder mtimes at once: a status rewrite (temp file + rename, as
the SDK does when a run is resumed) moves its run folder's mtime and brings the run back. A dropped
link is retried with exponential backoff; copying resumes from the local file sizes, so nothing is
lost or doubled.
"""

from __future__ import annotations

import posixpath
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paramiko

from runicorn import format as fmt
from runicorn.errors import HostKeyChanged, HostKeyUnknown, RemoteError
from runicorn.remote.clock import ServerClock
from runicorn.remote.connect import Connection, Credentials, LoginRefused, Target, connect
from runicorn.remote.registry import Registry
from runicorn.remote.transfer import continue_append, read_range, sync_append, sync_whole

MAX_DEPTH = 6
MAX_BACKOFF_S = 30.0
CHANNEL_TIMEOUT_S = 30.0
LINK_ERRORS = (OSError, EOFError, paramiko.SSHException, RemoteError)
# A live run is fully listed when its folder's mtime moves (a rename, a new file), for a second
# after that (mtimes have one-second steps), after a record naming a media file, and at least this often.
FULL_LISTING_EVERY = 10
APPEND_READ_LIMIT = 8 * 1024 * 1024
_MEDIA_MARKS = tuple(f'"{kind}"'.encode() for kind in fmt.MEDIA_FILE_KINDS)
# Remote mtimes move in whole seconds: after a live run's folder mtime moves, it is listed on every
# cycle until this long after, so a second change within the same second is not missed. (Folders
# that can hold runs follow the same rule by the server's clock, see clock.py.)
SETTLE_S = 1.2
# Folders that can hold new runs are checked (one stat each) every few cycles: ``runs`` folders
# every RUNS_DIR_CHECK_EVERY cycles, the folders above them (root, projects, names) less often.
RUNS_DIR_CHECK_EVERY = 2
UPPER_DIR_CHECK_EVERY = 10
# Runs that left the cycle (final status, fully copied) are checked for a moved folder mtime this
# often: one listing per folder holding them, whatever their number.
FINISHED_CHECK_EVERY = 10


@dataclass
class MirrorStats:
    """What a status line or the API shows about one mirror."""

    kind: str = ""  # run | runs | name | project | root
    alive: bool = False
    runs: int = 0
    active_runs: int = 0
    files: int = 0
    bytes: int = 0  # payload bytes landed locally
    wire_bytes: int = 0  # bytes sent + received on the SSH socket
    cycles: int = 0
    last_sync_at: float | None = None
    last_error: str | None = None
    stopped: bool = False
    fatal: bool = False  # stopped by an error a retry cannot fix (host key, login refused)

    @property
    def lag_s(self) -> float | None:
        return None if self.last_sync_at is None else max(0.0, time.time() - self.last_sync_at)


@dataclass
class _RunState:
    remote: str
    local: Path
    done: bool = False
    media_mtime: int | None = None
    heads_checked: set[str] = field(default_factory=set)
    dir_mtime: int | None = None
    stat_at: float = 0.0  # local time the stat that saw dir_mtime started (see clock.py)
    list_next: bool = True
    settle_until: float | None = None
    since_listing: int = 0
    append_names: set[str] = field(default_factory=set)
    handles: dict[str, paramiko.SFTPFile] = field(default_factory=dict)

    def drop_handles(self) -> None:
        for f in self.handles.values():
            try:
                f.close()
            except Exception:  # noqa: BLE001 - a handle on a dead link
                pass
        self.handles.clear()


def place_run(local_root: Path, remote_run: str, meta: dict[str, Any] | None) -> Path:
    """Where a remote run folder lands under ``local_root`` (before ownership is checked)."""
    run_id = posixpath.basename(remote_run.rstrip("/"))
    from_meta = fmt.project_name_from_meta(meta) if meta else None
    if from_meta:
        project, name = from_meta
    else:
        parts = remote_run.rstrip("/").split("/")
        if len(parts) >= 4 and parts[-2] == fmt.RUNS_DIR and fmt.RUNS_DIR not in parts[-4:-2]:
            project, name = parts[-4], parts[-3]
        else:
            project, name = fmt.DEFAULT_PROJECT, fmt.DEFAULT_NAME
    if not (fmt.is_safe_place(project, name) and fmt.is_safe_id(run_id)):
        project, name = fmt.DEFAULT_PROJECT, fmt.DEFAULT_NAME
    if "/" in name:  # the PyPI package's nested paths keep its own layout, which readers understand
        return Path(local_root, fmt.RUNS_DIR, project, *name.split("/"), run_id)
    return fmt.run_dir(local_root, project, name, run_id)


def _is_dir(attr: paramiko.SFTPAttributes) -> bool:
    return attr.st_mode is not None and stat.S_ISDIR(attr.st_mode)


def _events_before_columns(name: str) -> tuple[bool, str]:
    """Sort key: events.columns after events.jsonl, so a frame lands after the lines it stands for."""
    return name == fmt.COLUMNS_FILE, name


def _skip_file(name: str) -> bool:
    return name.startswith(".") or name.endswith(fmt.TEMP_SUFFIX) or name.endswith(fmt.LOCK_SUFFIX)


class Mirror:
    """Mirrors ``target.path`` into ``local_root``. ``sync_once`` for one cycle, ``start`` for a thread."""

    def __init__(
        self,
        target: Target,
        creds: Credentials,
        local_root: Path,
        registry: Registry | None = None,
        interval_s: float = 2.0,
        trust_fingerprint: str | None = None,
        compress: bool = True,
    ) -> None:
        self.compress = compress
        self.target = target
        self.creds = creds
        self.local_root = Path(local_root)
        self.registry = registry or Registry(self.local_root)
        self.interval_s = interval_s
        self.trust_fingerprint = trust_fingerprint
        self.conn: Connection | None = None
        self.stats = MirrorStats()
        self.fatal_error: RemoteError | None = None  # what stopped the loop for good, hint and all
        self._wire_before = 0
        # folders that can hold runs -> (mtime, local time their last listing started)
        self._containers: dict[str, tuple[int | None, float]] = {}
        self._runs: dict[str, _RunState] = {}
        self._files: set[Path] = set()
        self.clock = ServerClock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._root = posixpath.normpath(target.path) if target.path != "/" else "/"

    # --- connection ---------------------------------------------------------------------------
    def connect(self) -> None:
        self.close()
        t = self.target
        self.conn = connect(
            t.host,
            t.port,
            t.user,
            self.creds,
            trust_fingerprint=self.trust_fingerprint,
            compress=self.compress,
        )
        self.conn.sftp.get_channel().settimeout(CHANNEL_TIMEOUT_S)
        for state in self._runs.values():
            state.heads_checked.clear()
            state.handles.clear()  # they belonged to the old link
            state.list_next = True

    def close(self) -> None:
        for state in list(self._runs.values()):
            # dropped while the link is up, each open handle closes itself without waiting for an
            # answer; one outliving the link would complain when the interpreter exits
            state.handles.clear()
        if self.conn is not None:
            self._wire_before += self.conn.wire_bytes
            self.conn.close()
            self.conn = None

    @property
    def wire_bytes(self) -> int:
        return self._wire_before + (self.conn.wire_bytes if self.conn else 0)

    # --- one cycle ----------------------------------------------------------------------------
    def sync_once(self) -> int:
        """One cycle: find new runs, copy what changed. Returns payload bytes landed."""
        if self.conn is None:
            self.connect()
        assert self.conn is not None
        sftp = self.conn.sftp
        s = self.stats
        before = s.bytes
        try:
            if not s.kind:
                self._discover_root(sftp)
            else:
                self._check_containers(sftp)
            for state in list(self._runs.values()):
                if not state.done:
                    self._sync_live(sftp, state)
        finally:  # a cycle cut short (a link drop, Ctrl-C) still counts what it copied
            s.runs = len(self._runs)
            s.active_runs = sum(not r.done for r in self._runs.values())
            s.files = len(self._files)
        s.wire_bytes = self.wire_bytes
        s.cycles += 1
        s.last_sync_at = time.time()
        s.alive = True
        s.last_error = None
        return s.bytes - before

    # --- what the server answers, its mtimes teaching the clock ---------------------------------
    def _stat(self, sftp: paramiko.SFTPClient, path: str) -> paramiko.SFTPAttributes:
        attr = sftp.stat(path)
        self.clock.saw([attr.st_mtime])
        return attr

    def _listdir(self, sftp: paramiko.SFTPClient, path: str) -> list[paramiko.SFTPAttributes]:
        entries = sftp.listdir_attr(path)
        self.clock.saw(e.st_mtime for e in entries)
        return entries

    # --- folders that can hold new runs, and finished runs that may come back -------------------
    def _check_containers(self, sftp: paramiko.SFTPClient) -> None:
        cycle = self.stats.cycles
        finished: dict[str, list[_RunState]] = {}
        if cycle % FINISHED_CHECK_EVERY == 0:
            for state in self._runs.values():
                if state.done:
                    finished.setdefault(posixpath.dirname(state.remote), []).append(state)
        for path, (mtime, listed_at) in list(self._containers.items()):
            sweep = path in finished
            # listed within a second of its mtime: a change later that second would keep it
            unsettled = not self.clock.settled(mtime, listed_at)
            every = (
                RUNS_DIR_CHECK_EVERY if posixpath.basename(path) == fmt.RUNS_DIR else UPPER_DIR_CHECK_EVERY
            )
            if not (sweep or unsettled or cycle % every == 0):
                continue
            try:
                now = self._stat(sftp, path).st_mtime
            except FileNotFoundError:
                del self._containers[path]
                finished.pop(path, None)  # its runs are gone: their local copies stay as they are
                continue
            if now == mtime and not (unsettled or sweep):
                continue
            listed_at = self.clock.local_now()
            entries = self._listdir(sftp, path)
            if sweep:
                moved = {e.filename: e.st_mtime for e in entries}
                for state in finished.pop(path):
                    name = posixpath.basename(state.remote)
                    if name in moved and moved[name] != state.dir_mtime:
                        self._wake(state)
            self._walk(sftp, path, entries, now, listed_at, 0)
        for states in finished.values():  # runs with no listed parent: a mirror of one run
            for state in states:
                try:
                    if self._stat(sftp, state.remote).st_mtime != state.dir_mtime:
                        self._wake(state)
                except FileNotFoundError:
                    pass

    @staticmethod
    def _wake(state: _RunState) -> None:
        """A finished run whose folder changed (resumed, or deleted and made again): back in the cycle."""
        state.done = False
        state.list_next = True
        state.heads_checked.clear()

    def _discover_root(self, sftp: paramiko.SFTPClient) -> None:
        try:
            listed_at = self.clock.local_now()
            root_attr = self._stat(sftp, self._root)
            entries = self._listdir(sftp, self._root)
        except FileNotFoundError as exc:
            raise RemoteError(
                f"{self.target.origin}:{self._root} does not exist",
                "pick an existing folder: a storage root, project, name, runs folder or run",
            ) from exc
        if not _is_dir(root_attr):
            raise RemoteError(
                f"{self.target.origin}:{self._root} is not a folder",
                "pick a storage root, project, name, runs folder or run folder",
            )
        if any(e.filename in fmt.RUN_MARKER_FILES for e in entries):
            self.stats.kind = "run"
            self._add_run(sftp, self._root)
            return
        self._walk(sftp, self._root, entries, root_attr.st_mtime, listed_at, 0)
        if posixpath.basename(self._root) == fmt.RUNS_DIR:
            self.stats.kind = "runs"
        elif self._runs:
            depth = min(len(posixpath.relpath(r, self._root).split("/")) for r in self._runs)
            self.stats.kind = {2: "name", 3: "project"}.get(depth, "root")
        else:
            self.stats.kind = "root"

    def _walk(
        self,
        sftp: paramiko.SFTPClient,
        path: str,
        entries: list[paramiko.SFTPAttributes],
        mtime: int | None,
        listed_at: float,
        depth: int,
    ) -> None:
        """Record ``path`` (listed as ``entries`` from local time ``listed_at``, its mtime then
        ``mtime``) as a folder that can hold runs, and go down into the folders it holds."""
        if any(e.filename in fmt.RUN_MARKER_FILES for e in entries):
            # a run folder first listed before the SDK wrote its first file: a run after all
            self._containers.pop(path, None)
            self._add_run(sftp, path)
            return
        self._containers[path] = (mtime, listed_at)
        for entry in entries:
            if (
                not _is_dir(entry)
                or entry.filename in fmt.IGNORED_DIR_NAMES
                or entry.filename.startswith(".")
            ):
                continue
            child = posixpath.join(path, entry.filename)
            if child in self._runs or child in self._containers:
                continue
            try:
                listed_at = self.clock.local_now()
                child_entries = self._listdir(sftp, child)
            except (FileNotFoundError, PermissionError):
                continue
            if any(e.filename in fmt.RUN_MARKER_FILES for e in child_entries):
                self._add_run(sftp, child)
            elif depth < MAX_DEPTH:
                self._walk(sftp, child, child_entries, entry.st_mtime, listed_at, depth + 1)

    def _add_run(self, sftp: paramiko.SFTPClient, remote_run: str) -> None:
        try:
            raw = read_range(sftp, posixpath.join(remote_run, fmt.META_FILE), 0, 1 << 20)
            meta = fmt.loads_json_object(raw)
        except OSError:
            meta = None
        wanted = place_run(self.local_root, remote_run, meta)
        try:
            local = self.registry.claim(wanted, self.target.origin)
        except FileExistsError:
            return  # two conflicting copies already there: leave both alone
        self._runs[remote_run] = _RunState(remote=remote_run, local=local)

    def _sync_live(self, sftp: paramiko.SFTPClient, state: _RunState) -> None:
        """A run not known to be final: a full listing when something else than appends can have
        changed, otherwise only the new bytes of its append-only files through open handles."""
        stat_at = self.clock.local_now()
        try:
            mtime = self._stat(sftp, state.remote).st_mtime
        except FileNotFoundError:
            state.done = True  # deleted on the server: keep the local copy as it is
            state.drop_handles()
            return
        moved = mtime != state.dir_mtime
        state.dir_mtime = mtime
        state.stat_at = stat_at
        clock = time.monotonic()
        if moved:
            state.settle_until = clock + SETTLE_S
        settling = state.settle_until is not None
        if moved or settling or state.list_next or state.since_listing >= FULL_LISTING_EVERY:
            if settling and state.settle_until is not None and clock > state.settle_until:
                state.settle_until = None
            state.list_next = False
            state.since_listing = 0
            self._sync_run(sftp, state)
            if state.done:
                state.drop_handles()
            return
        state.since_listing += 1
        for name in sorted(state.append_names, key=_events_before_columns):
            f = state.handles.get(name)
            if f is None:
                f = state.handles[name] = sftp.open(posixpath.join(state.remote, name), "rb")
            complete = continue_append(f, state.local / name, APPEND_READ_LIMIT)
            self.stats.bytes += len(complete)
            if any(mark in complete for mark in _MEDIA_MARKS):
                state.list_next = True  # its media file is new

    def _sync_run(self, sftp: paramiko.SFTPClient, state: _RunState) -> None:
        try:
            entries = self._listdir(sftp, state.remote)
        except FileNotFoundError:
            state.done = True  # deleted on the server: keep the local copy as it is
            return
        state.append_names = {e.filename for e in entries if e.filename in fmt.APPEND_ONLY_FILES}
        complete = True
        files = [e for e in entries if not _is_dir(e) and not _skip_file(e.filename)]
        # meta.json first (a run never shows up nameless), then the append-only files (events
        # before the frames that stand for them), status last: a final status never lands before
        # its events
        files.sort(
            key=lambda e: (
                e.filename != fmt.META_FILE,
                e.filename not in fmt.APPEND_ONLY_FILES,
                e.filename == fmt.STATUS_FILE,
                _events_before_columns(e.filename),
            )
        )
        for entry in files:
            complete = self._sync_file(sftp, state, state.remote, state.local, entry) and complete
        media = next((e for e in entries if _is_dir(e) and e.filename == fmt.MEDIA_DIR), None)
        if media is not None and media.st_mtime != state.media_mtime:
            remote_media = posixpath.join(state.remote, fmt.MEDIA_DIR)
            media_ok = True
            for entry in self._listdir(sftp, remote_media):
                if not _is_dir(entry) and not _skip_file(entry.filename):
                    ok = self._sync_file(sftp, state, remote_media, state.local / fmt.MEDIA_DIR, entry)
                    media_ok = media_ok and ok
            if media_ok:
                state.media_mtime = media.st_mtime
            complete = complete and media_ok
        status = fmt.read_json(state.local / fmt.STATUS_FILE) or {}
        final = complete and status.get(fmt.STATUS_KEY) in fmt.FINAL_STATUSES
        # a final run leaves the cycle once no rewrite can hide behind its folder's mtime, so that
        # the finished-run check sees a later one (a resume) move it
        state.done = final and self.clock.settled(state.dir_mtime, state.stat_at)
        if final and not state.done:
            state.list_next = True

    def _sync_file(
        self,
        sftp: paramiko.SFTPClient,
        state: _RunState,
        remote_dir: str,
        local_dir: Path,
        entry: paramiko.SFTPAttributes,
    ) -> bool:
        """Copy one file as its rules say; True when the local copy matches (and is settled)."""
        name = entry.filename
        remote, local = posixpath.join(remote_dir, name), local_dir / name
        size = entry.st_size or 0
        if remote_dir == state.remote and name in fmt.APPEND_ONLY_FILES:
            check = name not in state.heads_checked
            n, ok = sync_append(sftp, remote, local, size, check_head=check)
            state.heads_checked.add(name)
        else:
            rewritten = remote_dir == state.remote and name in fmt.REWRITTEN_FILES
            n, ok = sync_whole(
                sftp,
                remote,
                local,
                size,
                entry.st_mtime,
                must_parse=rewritten,
                clock=self.clock if rewritten else None,
            )
            if not ok:
                state.list_next = True  # unsettled or caught mid-write: fetch it again next cycle
        self.stats.bytes += n
        if local.exists():
            self._files.add(local)
        return ok

    # --- the loop -----------------------------------------------------------------------------
    def run(self, on_cycle: Callable[[MirrorStats], None] | None = None) -> None:
        """Cycle until :meth:`stop`; link errors are retried with backoff (1 s doubling to 30 s)."""
        backoff = 1.0
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self.sync_once()
                backoff = 1.0
                wait = max(0.0, self.interval_s - (time.monotonic() - started))
            except (HostKeyUnknown, HostKeyChanged, LoginRefused) as exc:
                self._fail(exc)
                self.fatal_error = exc
                self.stats.stopped = self.stats.fatal = True
                break
            except LINK_ERRORS as exc:
                self._fail(exc)
                wait, backoff = backoff, min(backoff * 2, MAX_BACKOFF_S)
            if on_cycle is not None:
                on_cycle(self.stats)
            self._stop.wait(wait)
        self.close()
        self.stats.alive = False

    def _fail(self, exc: BaseException) -> None:
        self.stats.alive = False
        self.stats.last_error = str(getattr(exc, "message", None) or exc) or type(exc).__name__
        self.stats.wire_bytes = self.wire_bytes
        try:
            self.close()
        except Exception:  # noqa: BLE001 - the link is already broken
            self.conn = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name=f"mirror {self.target.origin}", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        # ident is None for a thread whose start() a Ctrl-C cut short: there is nothing to wait for
        if self._thread is not None and self._thread.ident is not None:
            self._thread.join(timeout_s)
        self.stats.stopped = True
