"""Write runs into a .zip, .tar.gz or .tar, streamed file by file, with a manifest at the top.

The archive keeps each run at its path under the storage root, so importing it into another
root puts every run in the same place. It is written to ``OUT.partial`` and renamed when
complete: a failed export leaves no half archive behind.
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

import orjson

from runicorn import format as fmt
from runicorn.archive.placement import find_runs
from runicorn.errors import ArchiveError, ConfigError, RunNotFound, os_error_as
from runicorn.files import copied_files

ProgressCallback = Callable[[int, int], None]  # (bytes done, bytes total)
_CHUNK_BYTES = 1024 * 1024
_STORED_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".gz", ".npz")
_FILE_MODE = 0o644


@dataclass(frozen=True)
class ExportResult:
    path: Path
    runs: int
    files: int
    bytes: int  # bytes of run files written (before compression)


class _Sink(Protocol):
    def add(self, arcname: str, source: IO[bytes], size: int, mtime: float) -> None: ...
    def close(self) -> None: ...


class _ZipSink:
    def __init__(self, path: Path) -> None:
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)

    def add(self, arcname: str, source: IO[bytes], size: int, mtime: float) -> None:
        info = zipfile.ZipInfo(arcname, time.localtime(max(mtime, 315532800))[:6])
        stored = arcname.lower().endswith(_STORED_SUFFIXES)
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        info.external_attr = (0o100000 | _FILE_MODE) << 16
        info.file_size = size
        with self._zip.open(info, "w", force_zip64=size > 2**31) as out:
            while chunk := source.read(_CHUNK_BYTES):
                out.write(chunk)

    def close(self) -> None:
        self._zip.close()


class _TarSink:
    def __init__(self, path: Path, compressed: bool) -> None:
        if compressed:
            self._tar = tarfile.open(path, "w:gz", compresslevel=6, format=tarfile.PAX_FORMAT)
        else:
            self._tar = tarfile.open(path, "w", format=tarfile.PAX_FORMAT)

    def add(self, arcname: str, source: IO[bytes], size: int, mtime: float) -> None:
        info = tarfile.TarInfo(arcname)
        info.size, info.mtime, info.mode = size, int(mtime), _FILE_MODE
        self._tar.addfile(info, source)

    def close(self) -> None:
        self._tar.close()


class _HashingReader:
    """Reads at most ``size`` bytes of a file, hashing them; refuses a file that shrank."""

    def __init__(self, f: IO[bytes], size: int, path: Path, on_bytes: Callable[[int], None]) -> None:
        self._f, self._left, self._path, self._on_bytes = f, size, path, on_bytes
        self.sha256 = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        want = self._left if n is None or n < 0 else min(n, self._left)
        data = self._f.read(want) if want else b""
        if want and not data:
            raise ArchiveError(
                f"{self._path} shrank while it was being exported",
                "export again once the run stops rewriting it",
            )
        self._left -= len(data)
        self.sha256.update(data)
        self._on_bytes(len(data))
        return data


# What an export writes, by the output's name: (suffix, kind), longest suffix first.
_KIND_BY_SUFFIX = ((".tar.gz", "tar.gz"), (".tgz", "tar.gz"), (".zip", "zip"), (".tar", "tar"))


def kind_named(name: str) -> str | None:
    """The archive kind a file name asks for (``zip``, ``tar.gz``, ``tar``), or None."""
    lowered = name.lower()
    return next((kind for suffix, kind in _KIND_BY_SUFFIX if lowered.endswith(suffix)), None)


def archive_kind(out: Path) -> str:
    kind = kind_named(out.name)
    if kind is None:
        raise ConfigError(
            f"cannot tell the archive type of {out}", "name the output OUT.zip, OUT.tar.gz or OUT.tar"
        )
    return kind


def select_runs(
    root: Path, projects: Iterable[str] = (), names: Iterable[str] = (), run_ids: Iterable[str] = ()
) -> list[fmt.RunLocation]:
    """Runs under ``root`` matching every filter given (an empty filter matches all)."""
    root = Path(root)
    if not root.is_dir():
        raise RunNotFound(f"storage root {root} does not exist", "pass --storage ROOT or set RUNICORN_DIR")
    project_set, name_set, id_set = set(projects), set(names), set(run_ids)
    runs = [
        r
        for r in find_runs(root)
        if (not project_set or r.project in project_set)
        and (not name_set or r.name in name_set)
        and (not id_set or r.run_id in id_set)
    ]
    missing = id_set - {r.run_id for r in runs}
    if missing:
        raise RunNotFound(
            f"no run {', '.join(sorted(missing))} under {root}"
            + (" with the project/name given" if project_set or name_set else ""),
            "list the runs in the viewer, or drop --project/--name",
        )
    if not runs:
        raise RunNotFound(f"no runs to export under {root}", "check --storage, --project and --name")
    return runs


def export_runs(
    root: Path,
    out: Path,
    runs: list[fmt.RunLocation],
    on_progress: ProgressCallback | None = None,
    replace: bool = False,
) -> ExportResult:
    """Write ``runs`` (from :func:`select_runs`) into ``out``; returns what was written.

    An existing ``out`` is kept (an error) unless ``replace`` is true.
    """
    root, out = Path(root), Path(out).absolute()
    kind = archive_kind(out)
    _refuse_existing(out, replace)
    # one stat per file: its size (what is read and declared) and mtime (kept in the archive)
    plan = [(run, [(f.relpath, f.path, f.stat) for f in copied_files(run.path)]) for run in runs]
    total = sum(st.st_size for _run, files in plan for _rel, _path, st in files)
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if on_progress:
            on_progress(done, total)

    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    manifest: fmt.Manifest = {
        "manifest_version": fmt.MANIFEST_VERSION,
        "format_version": fmt.FORMAT_VERSION,
        "created_at": time.time(),
        "runs": [],
    }
    files_written = 0
    hint = "check free space and permissions of the output folder"
    try:
        with os_error_as(ArchiveError, f"cannot write {out}", hint):
            sink: _Sink = (
                _ZipSink(partial) if kind == "zip" else _TarSink(partial, compressed=kind == "tar.gz")
            )
            try:
                for run, files in plan:
                    run_rel = run.path.relative_to(root).as_posix()
                    entry: fmt.ManifestRun = {
                        "id": run.run_id,
                        "project": run.project,
                        "name": run.name,
                        "path": run_rel,
                        "files": [],
                    }
                    for rel, path, st in files:
                        with open(path, "rb") as f:
                            reader = _HashingReader(f, st.st_size, path, advance)
                            sink.add(f"{run_rel}/{rel}", reader, st.st_size, st.st_mtime)  # type: ignore[arg-type]
                        sha256 = reader.sha256.hexdigest()
                        entry["files"].append({"path": rel, "size": st.st_size, "sha256": sha256})
                        files_written += 1
                    manifest["runs"].append(entry)
                data = orjson.dumps(manifest, option=orjson.OPT_INDENT_2)
                sink.add(fmt.MANIFEST_FILE, io.BytesIO(data), len(data), time.time())
            finally:
                sink.close()
            _refuse_existing(out, replace)  # one may have appeared while the runs were written
            os.replace(partial, out)
    finally:
        if partial.exists():
            partial.unlink()
    return ExportResult(out, len(plan), files_written, total)


def _refuse_existing(out: Path, replace: bool) -> None:
    if not replace and (out.exists() or out.is_symlink()):
        raise ArchiveError(f"{out} already exists", "pass --force to replace it, or name another file")
