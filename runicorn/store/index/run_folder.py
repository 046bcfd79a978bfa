"""One run folder's files as a scan reads them: which files are looked at, their stamps, and
the meta, status, summary and config they hold."""

from __future__ import annotations

import os
from pathlib import Path
from stat import S_ISLNK
from typing import Any

from runicorn import format as fmt
from runicorn.files import OutsideRunFolder, read_run_file, read_run_json, stat_run_file
from runicorn.store.index.run_info import FileStamp, RunInfo, not_json_warning

# Files whose (size, mtime) decide whether a run's cached JSON is still current.
_JSON_FILES = (fmt.META_FILE, fmt.STATUS_FILE, fmt.SUMMARY_FILE, fmt.CONFIG_FILE)
# Files whose mtime counts as activity of a run without heartbeat.
_ACTIVITY_FILES = (fmt.STATUS_FILE, fmt.EVENTS_FILE, fmt.LOGS_FILE, fmt.SUMMARY_FILE)
_STAT_FILES = tuple(dict.fromkeys(_JSON_FILES + _ACTIVITY_FILES))
_REFUSED: FileStamp = (-1, 0)  # the stamp of a file that is a link leading out of its run folder


RunStamps = dict[str, FileStamp | None]


def stat_run_files(path_str: str) -> tuple[RunStamps, int]:
    """The (size, mtime) stamp of each file a scan looks at (None: missing; ``_REFUSED``: a link
    leading outside the folder), and the newest mtime of the activity files (0: none)."""
    stamps: RunStamps = {}
    newest = 0
    folder_is_link = os.path.islink(path_str)
    for name in _STAT_FILES:
        stamp = stamp_run_file(path_str, name, folder_is_link)
        stamps[name] = stamp
        if stamp is not None and name in _ACTIVITY_FILES:
            newest = max(newest, stamp[1])
    return stamps, newest


def stamp_run_file(path_str: str, name: str, folder_is_link: bool) -> FileStamp | None:
    """A run file's stamp as :func:`stat_run_files` takes it (None: missing; ``_REFUSED``: a
    link leading outside the folder): a file that is no link, in a folder that is no link, by
    one ``lstat`` (what :func:`~runicorn.files.stat_run_file` would find in three calls)."""
    if not folder_is_link:
        try:
            st = os.lstat(os.path.join(path_str, name))
        except FileNotFoundError:
            return None
        except OSError:
            st = None
        if st is not None and not S_ISLNK(st.st_mode):
            return (st.st_size, st.st_mtime_ns)
    try:
        st = stat_run_file(path_str, name)
    except OutsideRunFolder:
        return _REFUSED
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def last_activity(newest_ns: int, dir_mtime_ns: int) -> float:
    """A run's last activity: its newest activity file's mtime, else its folder's."""
    return newest_ns / 1e9 if newest_ns else dir_mtime_ns / 1e9


def load_run_files(info: RunInfo, path_str: str, stat: tuple[RunStamps, int] | None = None) -> None:
    """Read the run folder's JSON files into ``info`` where their (size, mtime) changed, and its
    last activity; a file that is a link leading outside the folder is refused with a warning.
    ``stat``: what :func:`stat_run_files` just said about the folder, if the caller asked it."""
    stamps, newest = stat_run_files(path_str) if stat is None else stat
    info.last_activity = last_activity(newest, info._dir_mtime_ns)
    for name, attr in zip(_JSON_FILES, ("meta", "status", "summary", "config"), strict=True):
        if name in info._stamps and stamps.get(name) == info._stamps.get(name):
            continue
        value: dict[str, Any] | None = {}
        info._file_warnings.pop(name, None)
        if stamps.get(name) == _REFUSED:
            info._file_warnings[name] = f"{name} is a link leading outside the run folder; not read"
        elif name == fmt.SUMMARY_FILE and stamps.get(name) is not None:
            try:
                info.set_summary_bytes(read_run_file(path_str, name))
            except OSError:  # gone or unreadable since the stat: not JSON, as read_run_json says
                info.set_summary_bytes(b"")
            continue
        elif stamps.get(name) is not None:
            value = read_run_json(path_str, name)
            if value is None:
                info._file_warnings[name] = not_json_warning(name)
                value = {}
        setattr(info, attr, value)
    info._stamps = stamps
    info._created_at = None


def read_new_run(info: RunInfo) -> RunInfo:
    """``info``, a run not read yet, with its folder's files read now (left empty when the
    folder is gone)."""
    path_str = os.fspath(info.path)
    try:
        info._dir_mtime_ns = os.stat(path_str).st_mtime_ns
    except OSError:
        return info
    load_run_files(info, path_str)
    return info


def read_run_folder(path: Path) -> RunInfo:
    """One run folder's files read now, as a scan reads them (meta, status, heartbeat, last
    activity): for a caller that needs one run's state this moment, not a whole index. Its place
    under a root (project, name, key) is not looked at: ``project`` and ``name`` are empty."""
    path = Path(path)
    return read_new_run(RunInfo(path.name, path.name, "", "", path, path.name, ""))
