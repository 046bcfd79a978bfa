"""Copy rules for one remote file into its local twin, read through :class:`RemoteFiles`.

- Append-only files (``format.APPEND_ONLY_FILES``) continue from the local size; only complete
  lines (whole frames, for ``events.columns``) land, so a half-written remote line never lands
  half. A remote file that shrank, or whose
  first bytes differ from the local ones (checked once per connection), is fetched whole.
- Every other file (the rewritten JSON files, media, git diff, ...) is fetched whole when it is
  missing locally or its size or mtime differs, into a temp file renamed over the old one, and
  its mtime set to the remote one: an unchanged file is never fetched twice, across restarts too.
  A rewritten JSON file that does not parse (caught mid-write) is left for the next cycle.
- A whole file read less than a second (server time) after its mtime is *unsettled*: a rewrite of
  the same size within that second would keep size and mtime (see :mod:`runicorn.remote.clock`).
  Its local copy gets the mtime one second before the remote one, so the next cycle, and a
  restarted mirror too, fetches it again until a copy is settled.

Every local write goes through a :class:`~runicorn.files.PinnedFolder` of the local run
folder (or its ``media`` folder): a link planted there is refused (LinkRefused), never written
through.
"""

from __future__ import annotations

from runicorn import format as fmt
from runicorn.codec.frames import whole_frames_length
from runicorn.files import PinnedFolder
from runicorn.remote.clock import ServerClock
from runicorn.remote.remote_files import RemoteFile, RemoteFiles

HEAD_BYTES = 64


def _replace(
    folder: PinnedFolder, name: str, data: bytes, mtime: int | None, must_parse: bool = False
) -> bool:
    """Put ``data`` at ``name`` by temp file + rename; False (nothing changed) if it must parse
    and does not."""
    if must_parse and fmt.loads_json_object(data) is None:
        return False
    folder.replace(name, data, mtime)
    return True


def _whole_units(name: str, data: bytes) -> bytes:
    """The start of ``data`` (read from a unit boundary) that is whole units: frames for
    events.columns, lines for the other append-only files."""
    if name == fmt.COLUMNS_FILE:
        return data[: whole_frames_length(data)]
    return data[: data.rfind(b"\n") + 1]


def sync_append(
    files: RemoteFiles,
    remote: str,
    folder: PinnedFolder,
    name: str,
    remote_size: int,
    check_head: bool,
) -> tuple[int, bool]:
    """Bring the append-only file ``name`` of ``folder`` up to date. Returns (bytes landed, True
    when fully caught up)."""
    local_size = folder.size(name)
    whole = remote_size < local_size
    if not whole and check_head and local_size > 0:
        n = min(HEAD_BYTES, local_size)
        whole = files.read_range(remote, 0, n) != folder.read_head(name, n)
    if whole:
        data = files.read_range(remote, 0, remote_size)
        keep = _whole_units(name, data)
        _replace(folder, name, keep, None)
        return len(keep), len(keep) == remote_size
    if remote_size == local_size:
        return 0, True
    chunk = files.read_range(remote, local_size, remote_size - local_size)
    complete = _whole_units(name, chunk)
    if complete:
        folder.append(name, complete)
    return len(complete), local_size + len(complete) == remote_size


def needs_whole(folder: PinnedFolder, name: str, remote_size: int, remote_mtime: int | None) -> bool:
    st = folder.lstat(name)
    if st is None:
        return True
    return st.st_size != remote_size or (remote_mtime is not None and int(st.st_mtime) != remote_mtime)


def sync_whole(
    files: RemoteFiles,
    remote: str,
    folder: PinnedFolder,
    name: str,
    remote_size: int,
    remote_mtime: int | None,
    must_parse: bool,
    clock: ServerClock | None = None,
) -> tuple[int, bool]:
    """Fetch the whole file ``name`` of ``folder`` when it changed. Returns (bytes landed, True
    when local matches remote).

    With a ``clock``, a copy that is not settled (read within a second of its mtime, server time)
    is kept with its mtime one second early and reported as not matching: fetch it again.
    """
    if not needs_whole(folder, name, remote_size, remote_mtime):
        return 0, True
    read_at = clock.local_now() if clock is not None else 0.0
    data = files.read_range(remote, 0, remote_size)
    if len(data) != remote_size:
        return 0, False  # changed while we read it: next cycle
    settled = clock is None or clock.settled(remote_mtime, read_at)
    stamp = remote_mtime if settled or remote_mtime is None else remote_mtime - 1
    if not _replace(folder, name, data, stamp, must_parse):
        return 0, False  # caught mid-write by a writer that does not rename: next cycle
    return len(data), settled


def continue_append(f: RemoteFile, folder: PinnedFolder, name: str, limit: int) -> bytes:
    """Append the complete lines an open remote file gained past the local size of ``name`` in
    ``folder``; returns them."""
    chunk = f.read_available(folder.size(name), limit)
    complete = _whole_units(name, chunk)
    if complete:
        folder.append(name, complete)
    return complete
