"""Sweeps in an object store (docs/sync.md#sweeps): a sweep's small JSON files
(``.sweeps/<id>/sweep.json`` and ``trials/<n>.json``, runicorn/format/sweeps.py) travel as whole
objects at the same keys under the prefix, so that ``runicorn pull`` and the viewer over a bucket
show the sweeps that ``runicorn sync`` carried. A file is sent (or fetched) when the other side
lacks it or holds other bytes (its size, or the MD5 the store gives as the ETag of a single PUT).
The trials' runs travel as every run does.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from runicorn import format as fmt
from runicorn.files.atomic import write_bytes_atomic
from runicorn.sync.bucket import Bucket, BucketError, Listed

MAX_SWEEP_FILE_BYTES = 4 * 1024 * 1024  # a sweep's configuration or one trial's record
_TRIAL_FILE = re.compile(r"^\d{1,9}\.json\Z")


@dataclass
class SweepFilesReport:
    files: int = 0  # files sent or landed
    bytes: int = 0
    errors: list[BucketError] = field(default_factory=list)


def is_sweep_file(relpath: str) -> bool:
    """``.sweeps/<id>/sweep.json`` or ``.sweeps/<id>/trials/<n>.json``, and nothing else."""
    parts = PurePosixPath(relpath).parts
    if len(parts) < 3 or parts[0] != fmt.SWEEPS_DIR or not fmt.SWEEP_ID_PATTERN.match(parts[1]):
        return False
    rest = parts[2:]
    return rest == (fmt.SWEEP_FILE,) or (
        len(rest) == 2 and rest[0] == fmt.SWEEP_TRIALS_DIR and bool(_TRIAL_FILE.match(rest[1]))
    )


def local_sweep_files(root: Path) -> dict[str, Path]:
    """The sweep files under a storage root, by their path relative to it."""
    found: dict[str, Path] = {}
    top = root / fmt.SWEEPS_DIR
    if not top.is_dir():
        return found
    candidates = [*top.glob("*/" + fmt.SWEEP_FILE), *top.glob(f"*/{fmt.SWEEP_TRIALS_DIR}/*.json")]
    for path in sorted(candidates):
        rel = path.relative_to(root).as_posix()
        if is_sweep_file(rel) and path.is_file() and not path.is_symlink():
            found[rel] = path
    return found


def _same(data: bytes, listed: Listed | None) -> bool:
    return (
        listed is not None
        and listed.size == len(data)
        and listed.etag == hashlib.md5(data, usedforsecurity=False).hexdigest()
    )


def push_sweeps(root: Path, bucket: Bucket, listing: dict[str, Listed]) -> SweepFilesReport:
    """Sends the sweep files under ``root`` that the bucket (``listing``) lacks or holds otherwise."""
    report = SweepFilesReport()
    for rel, path in local_sweep_files(root).items():
        try:
            data = path.read_bytes()
        except OSError:
            continue  # being replaced right now: the next sync sends it
        if len(data) > MAX_SWEEP_FILE_BYTES or _same(data, listing.get(rel)):
            continue
        try:
            bucket.put(rel, data)
        except BucketError as err:
            if err.fatal:
                raise
            report.errors.append(err)
            continue
        report.files += 1
        report.bytes += len(data)
    return report


def pull_sweeps(bucket: Bucket, listing: dict[str, Listed], dest: Path) -> SweepFilesReport:
    """Lands the sweep files of the bucket (``listing``) that ``dest`` lacks or holds otherwise."""
    report = SweepFilesReport()
    wanted: dict[str, int] = {}
    for rel, listed in listing.items():
        if not is_sweep_file(rel) or listed.size > MAX_SWEEP_FILE_BYTES:
            continue
        local = dest / rel
        try:
            if _same(local.read_bytes(), listed):
                continue
        except OSError:
            pass  # not there yet
        wanted[rel] = MAX_SWEEP_FILE_BYTES
    if not wanted:
        return report
    for rel, data in bucket.get_many(wanted).items():
        if isinstance(data, BucketError):
            report.errors.append(data)
            continue
        local = dest / rel
        local.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(local, data)
        report.files += 1
        report.bytes += len(data)
    return report
