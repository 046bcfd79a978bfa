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

A server's names are not trusted: a name that cannot be one local file name (``../x``, ``a/b``,
a NUL) is refused and listed in :attr:`MirrorStats.refused` by its remote path, and every local
write goes through the run folder opened without following links (see
:mod:`runicorn.remote.local_run`); the rest of the mirror goes on.
"""

from __future__ import annotations

import posixpath
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import paramiko

from runicorn import format as fmt
from runicorn.errors import HostKeyChanged, HostKeyUnknown, RemoteError
from runicorn.files import is_plain_name
from runicorn.remote.clock import ServerClock
from runicorn.remote.connect import Connection, Credentials, LoginRefused, Target, connect
from runicorn.remote.local_run import LocalRun, Refusals, place_run, refused_name
from runicorn.remote.registry import Registry
from runicorn.remote.remote_files import RemoteEntry, RemoteFiles
from runicorn.remote.run_copy import RunCopy
from runicorn.remote.sftp_files import SftpFiles

__all__ = ["FINISHED_CHECK_EVERY", "Mirror", "MirrorStats", "place_run"]

MAX_BACKOFF_S = 30.0
CHANNEL_TIMEOUT_S = 30.0
LINK_ERRORS = (OSError, EOFError, paramiko.SSHException, RemoteError)
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
    refused: list[str] = field(default_factory=list)  # "remote path: why", the first ones
    refused_count: int = 0  # everything refused (names, links), each once

    @property
    def lag_s(self) -> float | None:
        return None if self.last_sync_at is None else max(0.0, time.time() - self.last_sync_at)


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
        self._runs: dict[str, RunCopy] = {}
        self._files: set[Path] = set()
        self.clock = ServerClock()
        self._refusals = Refusals()
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
        """One cycle over the SSH link (connected when it is not): find new runs, copy what
        changed. Returns payload bytes landed."""
        if self.conn is None:
            self.connect()
        assert self.conn is not None
        return self.sync_files(SftpFiles(self.conn.sftp))

    def sync_files(self, files: RemoteFiles) -> int:
        """One cycle over ``files``: find new runs, copy what changed. Returns payload bytes landed."""
        s = self.stats
        before = s.bytes
        try:
            if not s.kind:
                self._discover_root(files)
            else:
                self._check_containers(files)
            for state in list(self._runs.values()):
                if not state.done:
                    state.sync_live(files, self)
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
    def stat(self, files: RemoteFiles, path: str) -> RemoteEntry:
        attr = files.stat(path)
        self.clock.saw([attr.mtime])
        return attr

    def listdir(self, files: RemoteFiles, path: str) -> list[RemoteEntry]:
        """The entries of ``path`` whose names can name a local file; the others are refused."""
        try:
            listed = files.listdir(path)
        except UnicodeDecodeError:
            self.refuse(path, "the server lists a name in it that is not UTF-8; the folder is not copied")
            return []
        entries = []
        for entry in listed:
            why = refused_name(entry.name)
            if why is None:
                entries.append(entry)
            else:
                self.refuse(f"{path.rstrip('/')}/{entry.name!r}", why)
        self.clock.saw(e.mtime for e in entries)
        return entries

    def refuse(self, where: str, why: str) -> None:
        """Report what was not copied (once), naming it; the mirror goes on with the rest."""
        if self._refusals.add(f"{self.target.origin}:{where}", why):
            self.stats.refused = list(self._refusals.items)
            self.stats.refused_count = self._refusals.count

    def landed(self, n_bytes: int, local: Path | None = None) -> None:
        """``n_bytes`` of payload landed (in ``local``, when a whole file of the run was checked)."""
        self.stats.bytes += n_bytes
        if local is not None:
            self._files.add(local)

    # --- folders that can hold new runs, and finished runs that may come back -------------------
    def _check_containers(self, files: RemoteFiles) -> None:
        cycle = self.stats.cycles
        finished: dict[str, list[RunCopy]] = {}
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
                now = self.stat(files, path).mtime
            except FileNotFoundError:
                del self._containers[path]
                finished.pop(path, None)  # its runs are gone: their local copies stay as they are
                continue
            if now == mtime and not (unsettled or sweep):
                continue
            listed_at = self.clock.local_now()
            entries = self.listdir(files, path)
            if sweep:
                moved = {e.name: e.mtime for e in entries}
                for state in finished.pop(path):
                    name = posixpath.basename(state.remote)
                    if name in moved and moved[name] != state.dir_mtime:
                        state.wake()
            self._walk(files, path, entries, now, listed_at, 0)
        for states in finished.values():  # runs with no listed parent: a mirror of one run
            for state in states:
                try:
                    if self.stat(files, state.remote).mtime != state.dir_mtime:
                        state.wake()
                except FileNotFoundError:
                    pass

    def _discover_root(self, files: RemoteFiles) -> None:
        try:
            listed_at = self.clock.local_now()
            root_attr = self.stat(files, self._root)
            entries = self.listdir(files, self._root)
        except FileNotFoundError as exc:
            raise RemoteError(
                f"{self.target.origin}:{self._root} does not exist",
                "pick an existing folder: a storage root, project, name, runs folder or run",
            ) from exc
        if not root_attr.is_dir:
            raise RemoteError(
                f"{self.target.origin}:{self._root} is not a folder",
                "pick a storage root, project, name, runs folder or run folder",
            )
        if any(e.name in fmt.RUN_MARKER_FILES for e in entries):
            self.stats.kind = "run"
            self._add_run(files, self._root)
            return
        self._walk(files, self._root, entries, root_attr.mtime, listed_at, 0)
        if posixpath.basename(self._root) == fmt.RUNS_DIR:
            self.stats.kind = "runs"
        elif self._runs:
            depth = min(len(posixpath.relpath(r, self._root).split("/")) for r in self._runs)
            self.stats.kind = {2: "name", 3: "project"}.get(depth, "root")
        else:
            self.stats.kind = "root"

    def _walk(
        self,
        files: RemoteFiles,
        path: str,
        entries: list[RemoteEntry],
        mtime: int | None,
        listed_at: float,
        depth: int,
    ) -> None:
        """Record ``path`` (listed as ``entries`` from local time ``listed_at``, its mtime then
        ``mtime``) as a folder that can hold runs, and go down into the folders it holds."""
        if any(e.name in fmt.RUN_MARKER_FILES for e in entries):
            # a run folder first listed before the SDK wrote its first file: a run after all
            self._containers.pop(path, None)
            self._add_run(files, path)
            return
        self._containers[path] = (mtime, listed_at)
        at_root = path == self._root  # the ignored names are skipped there only, as locally
        for entry in entries:
            if (
                not entry.is_dir
                or (at_root and entry.name in fmt.IGNORED_DIR_NAMES)
                or entry.name.startswith(".")
            ):
                continue
            child = posixpath.join(path, entry.name)
            if child in self._runs or child in self._containers:
                continue
            try:
                listed_at = self.clock.local_now()
                child_entries = self.listdir(files, child)
            except (FileNotFoundError, PermissionError):
                continue
            if any(e.name in fmt.RUN_MARKER_FILES for e in child_entries):
                self._add_run(files, child)
            elif depth + 1 < fmt.MAX_RUN_DEPTH:  # a run is at most MAX_RUN_DEPTH folders down
                self._walk(files, child, child_entries, entry.mtime, listed_at, depth + 1)

    def _add_run(self, files: RemoteFiles, remote_run: str) -> None:
        if not is_plain_name(posixpath.basename(remote_run)):
            self.refuse(remote_run, "a run folder needs a name of its own; not copied")
            return
        try:
            raw = files.read_range(posixpath.join(remote_run, fmt.META_FILE), 0, 1 << 20)
            meta = fmt.loads_json_object(raw)
        except OSError:
            meta = None
        wanted = place_run(self.local_root, remote_run, meta)
        try:
            local = self.registry.claim(wanted, self.target.origin)
        except FileExistsError:
            return  # two conflicting copies already there: leave both alone
        self._runs[remote_run] = RunCopy(remote=remote_run, local=LocalRun(self.local_root, local))

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
