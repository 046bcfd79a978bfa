"""One mirrored run: what the mirror knows of it, and one cycle of copying it (see mirror.py).

A live run is fully listed when its folder's mtime moves (a rename, a new file), for a second
after that (mtimes have one-second steps), after a record naming a media file, and at least every
``FULL_LISTING_EVERY`` cycles; between those, only the new bytes of its append-only files are read
through open handles. Every file lands through the local run folder opened without following links
(:class:`~runicorn.remote.local_run.LocalRun`): a link planted there is refused and reported, never
written through.
"""

from __future__ import annotations

import posixpath
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from runicorn import format as fmt
from runicorn.files import LinkRefused, PinnedFolder
from runicorn.remote.clock import ServerClock
from runicorn.remote.local_run import LocalRun
from runicorn.remote.remote_files import RemoteEntry, RemoteFile, RemoteFiles
from runicorn.remote.transfer import continue_append, sync_append, sync_whole

FULL_LISTING_EVERY = 10
APPEND_READ_LIMIT = 8 * 1024 * 1024
# A file is read whole into memory: one the server says is larger is refused (a size a server
# claims is not trusted: 2**63 bytes would have the read ask for it).
MAX_FILE_BYTES = 4 * 1024 * 1024 * 1024
_MEDIA_MARKS = tuple(f'"{kind}"'.encode() for kind in fmt.MEDIA_FILE_KINDS)
# Remote mtimes move in whole seconds: after a live run's folder mtime moves, it is listed on every
# cycle until this long after, so a second change within the same second is not missed. (Folders
# that can hold runs follow the same rule by the server's clock, see clock.py.)
SETTLE_S = 1.2


class Site(Protocol):
    """What a run's copy needs of its mirror: the server's listings and clock, and where to report."""

    clock: ServerClock

    def stat(self, files: RemoteFiles, path: str) -> RemoteEntry: ...

    def listdir(self, files: RemoteFiles, path: str) -> list[RemoteEntry]: ...

    def refuse(self, where: str, why: str) -> None: ...

    def landed(self, n_bytes: int, local: Path | None = None) -> None: ...


def _events_before_columns(name: str) -> tuple[bool, str]:
    """Sort key: events.columns after events.jsonl, so a frame lands after the lines it stands for."""
    return name == fmt.COLUMNS_FILE, name


def _skip_file(name: str) -> bool:
    return not fmt.is_copied_name(name)


def _not_written(exc: LinkRefused) -> str:
    return f"not written: {exc.strerror or exc}"


def _read_status(folder: PinnedFolder) -> dict[str, Any]:
    """The local copy of status.json ({} when missing, unreadable or refused)."""
    try:
        raw = folder.read_head(fmt.STATUS_FILE, 1 << 20)
    except OSError:
        return {}
    return fmt.loads_json_object(raw) or {}


@dataclass
class RunCopy:
    remote: str
    local: LocalRun
    done: bool = False
    media_mtime: int | None = None
    heads_checked: set[str] = field(default_factory=set)
    dir_mtime: int | None = None
    stat_at: float = 0.0  # local time the stat that saw dir_mtime started (see clock.py)
    list_next: bool = True
    settle_until: float | None = None
    since_listing: int = 0
    append_names: set[str] = field(default_factory=set)
    handles: dict[str, RemoteFile] = field(default_factory=dict)

    def drop_handles(self) -> None:
        for f in self.handles.values():
            try:
                f.close()
            except Exception:  # noqa: BLE001 - a handle on a dead link
                pass
        self.handles.clear()

    def wake(self) -> None:
        """A finished run whose folder changed (resumed, or deleted and made again): back in the cycle."""
        self.done = False
        self.list_next = True
        self.heads_checked.clear()

    def sync_live(self, files: RemoteFiles, site: Site) -> None:
        """A run not known to be final: a full listing when something else than appends can have
        changed, otherwise only the new bytes of its append-only files through open handles."""
        stat_at = site.clock.local_now()
        try:
            mtime = site.stat(files, self.remote).mtime
        except FileNotFoundError:
            self.done = True  # deleted on the server: keep the local copy as it is
            self.drop_handles()
            return
        moved = mtime != self.dir_mtime
        self.dir_mtime = mtime
        self.stat_at = stat_at
        clock = time.monotonic()
        if moved:
            self.settle_until = clock + SETTLE_S
        settling = self.settle_until is not None
        if moved or settling or self.list_next or self.since_listing >= FULL_LISTING_EVERY:
            if settling and self.settle_until is not None and clock > self.settle_until:
                self.settle_until = None
            self.list_next = False
            self.since_listing = 0
            self.sync_run(files, site)
            if self.done:
                self.drop_handles()
            return
        self.since_listing += 1
        folder = self._folder(site)
        if folder is None:
            return
        with folder:
            for name in sorted(self.append_names, key=_events_before_columns):
                f = self.handles.get(name)
                if f is None:
                    f = self.handles[name] = files.open(posixpath.join(self.remote, name))
                try:
                    complete = continue_append(f, folder, name, APPEND_READ_LIMIT)
                except LinkRefused as exc:
                    site.refuse(posixpath.join(self.remote, name), _not_written(exc))
                    self.append_names.discard(name)
                    continue
                site.landed(len(complete))
                if any(mark in complete for mark in _MEDIA_MARKS):
                    self.list_next = True  # its media file is new

    def _folder(self, site: Site) -> PinnedFolder | None:
        """The local run folder; None (reported, the run out of the cycle) when a link is in the way."""
        try:
            return self.local.folder()
        except LinkRefused as exc:
            site.refuse(self.remote, _not_written(exc))
            self.done = True
            self.drop_handles()
            return None

    def sync_run(self, files: RemoteFiles, site: Site) -> None:
        """List the run and copy what changed."""
        try:
            entries = site.listdir(files, self.remote)
        except FileNotFoundError:
            self.done = True  # deleted on the server: keep the local copy as it is
            return
        folder = self._folder(site)
        if folder is None:
            return
        with folder:
            self._sync_files(files, site, entries, folder)

    def _sync_files(
        self,
        files: RemoteFiles,
        site: Site,
        entries: list[RemoteEntry],
        folder: PinnedFolder,
    ) -> None:
        self.append_names = {e.name for e in entries if e.name in fmt.APPEND_ONLY_FILES}
        complete = True
        plain = [e for e in entries if not e.is_dir and not _skip_file(e.name)]
        # meta.json first (a run never shows up nameless), then the append-only files (events
        # before the frames that stand for them), status last: a final status never lands before
        # its events
        plain.sort(
            key=lambda e: (
                e.name != fmt.META_FILE,
                e.name not in fmt.APPEND_ONLY_FILES,
                e.name == fmt.STATUS_FILE,
                _events_before_columns(e.name),
            )
        )
        for entry in plain:
            complete = self._sync_file(files, site, self.remote, folder, entry) and complete
        media = next((e for e in entries if e.is_dir and e.name == fmt.MEDIA_DIR), None)
        if media is not None and media.mtime != self.media_mtime:
            media_ok = self._sync_media(files, site, posixpath.join(self.remote, fmt.MEDIA_DIR))
            if media_ok:
                self.media_mtime = media.mtime
            complete = complete and media_ok
        status = _read_status(folder)
        final = complete and status.get(fmt.STATUS_KEY) in fmt.FINAL_STATUSES
        # a final run leaves the cycle once no rewrite can hide behind its folder's mtime, so that
        # the finished-run check sees a later one (a resume) move it
        self.done = final and site.clock.settled(self.dir_mtime, self.stat_at)
        if final and not self.done:
            self.list_next = True

    def _sync_media(self, files: RemoteFiles, site: Site, remote_media: str) -> bool:
        """Copy the changed files of the run's media folder; True when all match."""
        entries = [e for e in site.listdir(files, remote_media) if not e.is_dir and not _skip_file(e.name)]
        if not entries:
            return True
        try:
            folder = self.local.folder(fmt.MEDIA_DIR)
        except LinkRefused as exc:
            site.refuse(remote_media, _not_written(exc))
            return True  # nothing to do until the local folder is mended
        media_ok = True
        with folder:
            for entry in entries:
                media_ok = self._sync_file(files, site, remote_media, folder, entry) and media_ok
        return media_ok

    def _sync_file(
        self,
        files: RemoteFiles,
        site: Site,
        remote_dir: str,
        folder: PinnedFolder,
        entry: RemoteEntry,
    ) -> bool:
        """Copy one file as its rules say; True when the local copy matches (and is settled), or
        when it is refused (a link in its place locally: never written through)."""
        name = entry.name
        remote = posixpath.join(remote_dir, name)
        size = entry.size
        if size > MAX_FILE_BYTES:
            site.refuse(
                remote, f"the server says it holds {size} bytes, more than {MAX_FILE_BYTES}; not copied"
            )
            return True
        try:
            if remote_dir == self.remote and name in fmt.APPEND_ONLY_FILES:
                check = name not in self.heads_checked
                n, ok = sync_append(files, remote, folder, name, size, check_head=check)
                self.heads_checked.add(name)
            else:
                rewritten = remote_dir == self.remote and name in fmt.REWRITTEN_FILES
                n, ok = sync_whole(
                    files,
                    remote,
                    folder,
                    name,
                    size,
                    entry.mtime,
                    must_parse=rewritten,
                    clock=site.clock if rewritten else None,
                )
                if not ok:
                    self.list_next = True  # unsettled or caught mid-write: fetch it again next cycle
        except LinkRefused as exc:
            site.refuse(remote, _not_written(exc))
            return True
        site.landed(n, folder.path / name if folder.lstat(name) is not None else None)
        return ok
