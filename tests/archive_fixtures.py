"""Runs and hostile archives built by the archive tests themselves."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import zipfile
from pathlib import Path

from runicorn import format as fmt
from runicorn.files import write_json_atomic


def write_run(
    root: Path, project: str = "p", name: str = "n", run_id: str | None = None, steps: int = 20, seed: int = 0
) -> Path:
    """A finished run in the on-disk format, with events, logs, a summary and a media file."""
    run_id = run_id or fmt.new_run_id()
    run = fmt.run_dir(root, project, name, run_id)
    (run / fmt.MEDIA_DIR).mkdir(parents=True)
    write_json_atomic(
        run / fmt.META_FILE,
        {"id": run_id, "project": project, "name": name, "created_at": 1795432430.0 + seed},
    )
    write_json_atomic(run / fmt.STATUS_FILE, {fmt.STATUS_KEY: fmt.FINISHED, fmt.STARTED_AT_KEY: 1.0})
    write_json_atomic(run / fmt.SUMMARY_FILE, {"best": seed, "nan": float("nan")})
    with open(run / fmt.EVENTS_FILE, "wb") as f:
        for step in range(steps):
            f.write(
                fmt.encode_event(
                    fmt.METRICS, {"loss": 1.0 / (step + 1 + seed), fmt.STEP_KEY: step}, 1795432430.0 + step
                )
            )
    (run / fmt.LOGS_FILE).write_text(fmt.text_line(f"hello from seed {seed}", 0.0))
    (run / fmt.media_relpath("sample", 1.0)).write_bytes(os.urandom(2048))
    return run


def tree_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root``, by relative path."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def make_archive(path: Path, members: list[tuple[str, bytes]], kind: str) -> Path:
    """A .zip or .tar.gz holding ``(name, content)`` regular files, names taken verbatim."""
    if kind == "zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members:
                zf.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
    else:
        with tarfile.open(path, "w:gz") as tf:
            for name, data in members:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    return path


def run_members(prefix: str = "p/n/runs/20261123_101500_ab12cd") -> list[tuple[str, bytes]]:
    """The files of a small valid run, under ``prefix``."""
    return [
        (f"{prefix}/{fmt.META_FILE}", b'{"id": "20261123_101500_ab12cd"}'),
        (f"{prefix}/{fmt.STATUS_FILE}", b'{"status": "finished"}'),
        (f"{prefix}/{fmt.EVENTS_FILE}", fmt.encode_event(fmt.METRICS, {"loss": 1.0}, 1.0)),
    ]
