"""Bucket -> folder: turns the runs of a bucket prefix back into ordinary run folders.

``runicorn pull`` runs one :meth:`Materialiser.sync_once` into a storage root; ``runicorn viewer
--storage s3://...`` runs it in a loop (:class:`runicorn.sync.loop.SyncLoop`) into a cache folder
that the normal viewer serves, so a live run's new segments land as appends and the viewer's tail
shows them. Each cycle lists the prefix once and reads only the manifests whose ETag moved.

A run lands at ``<dest>/<manifest path>`` (checked to be a run folder's place, so a hostile bucket
cannot write elsewhere). Append-only files grow by whole segments, each checked against its
sha256 before it lands; whole files are replaced by temp file + rename with the mtime the run had.
A segment missing from the bucket, or with the wrong bytes, stops that file where it is (what
landed stays intact) and is reported by key. In the cache (``rebuild=True``) a local file that
does not match the bucket is rebuilt from the segments; in a storage root (``runicorn pull``) it
is left as it is and reported.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from runicorn import format as fmt
from runicorn.sync.bucket import Bucket, BucketError
from runicorn.sync.local_files import file_sha256, file_size
from runicorn.sync.manifest import covered, decode_manifest, inline_bytes

MAX_BATCH_BYTES = 64 * 1024 * 1024
LARGE_OBJECT_BYTES = 8 * 1024 * 1024
MANIFEST_BATCH = 128  # manifests read before their runs' JSON files land


@dataclass
class PullReport:
    runs: int = 0  # runs the bucket lists
    runs_updated: int = 0
    bytes: int = 0  # payload bytes landed
    errors: list[BucketError] = field(default_factory=list)


class Materialiser:
    """Keeps ``dest`` holding the runs of ``bucket``."""

    def __init__(self, bucket: Bucket, dest: Path, rebuild: bool = False) -> None:
        self.bucket = bucket
        self.dest = Path(dest).absolute()
        self.rebuild = rebuild
        self._done: dict[str, str] = {}  # manifest key -> the ETag fully landed
        self._fetched: dict[Path, str] = {}  # local whole file -> sha256 it was written with

    def sync_once(self, progress: Callable[[int, int], None] | None = None) -> PullReport:
        report = PullReport()
        listing = self.bucket.listing()
        keys = sorted(
            k for k in listing if k == fmt.BUCKET_MANIFEST_FILE or k.endswith("/" + fmt.BUCKET_MANIFEST_FILE)
        )
        report.runs = len(keys)
        changed = [k for k in keys if self._done.get(k) != listing[k].etag]
        runs: list[tuple[str, Path, fmt.BucketManifest]] = []
        total, landed = [0], [0]

        def advance(n: int) -> None:
            landed[0] += n
            report.bytes += n
            if progress is not None:
                progress(landed[0], total[0])

        # manifests a batch at a time, each batch's JSON files landed at once (most ride inside the
        # manifest): a viewer lists the runs as they come, before any events land
        for batch in _chunks(changed, MANIFEST_BATCH):
            fetched = self._read_manifests(batch, report)
            total[0] += sum(_size_to_land(d, m) for _, d, m in fetched)
            rewritten = [
                (k, d, m, r) for k, d, m in fetched for r in fmt.REWRITTEN_FILES if r in m["objects"]
            ]
            self._objects(rewritten, report, advance)
            runs += fetched
        for key, run_dir, manifest in runs:
            errors = len(report.errors)
            prefix = key[: -len(fmt.BUCKET_MANIFEST_FILE)]
            for name, segments in manifest["segments"].items():
                self._append(prefix, run_dir / name, segments, report, advance)
            others = [
                (key, run_dir, manifest, r) for r in manifest["objects"] if r not in fmt.REWRITTEN_FILES
            ]
            self._objects(others, report, advance)
            if len(report.errors) == errors:
                self._done[key] = listing[key].etag
            report.runs_updated += 1
        return report

    def _read_manifests(
        self, keys: list[str], report: PullReport
    ) -> list[tuple[str, Path, fmt.BucketManifest]]:
        out: list[tuple[str, Path, fmt.BucketManifest]] = []
        for key, data in self.bucket.get_many(keys).items():
            try:
                if isinstance(data, BucketError):
                    raise data
                manifest = decode_manifest(data, f"{self.bucket.url.url}/{key}")
                out.append((key, self._place(key, manifest), manifest))
            except BucketError as err:
                report.errors.append(err)
        return out

    def _place(self, key: str, manifest: fmt.BucketManifest) -> Path:
        run_dir = self.dest.joinpath(*manifest["path"].split("/"))
        if fmt.locate_run(self.dest, run_dir) is None or not all(
            fmt.is_safe_id(p) for p in manifest["path"].split("/")
        ):
            raise BucketError(
                f"{self.bucket.url.url}/{key} names {manifest['path']!r}, not a run folder's place",
                "sync the run again from its storage root",
            )
        return run_dir

    # --- append-only files ----------------------------------------------------------------------
    def _append(
        self,
        prefix: str,
        local: Path,
        segments: list[fmt.BucketSegment],
        report: PullReport,
        advance: Callable[[int], None],
    ) -> None:
        size = file_size(local)
        end = covered(segments)
        if size == end:
            return
        starts = {seg["offset"]: i for i, seg in enumerate(segments)}
        if size in starts:
            self._land_segments(prefix, local, segments[starts[size] :], report, advance, replace=False)
        elif self.rebuild:
            self._land_segments(prefix, local, segments, report, advance, replace=True)
        else:
            report.errors.append(
                BucketError(
                    f"{local} ({size} bytes) does not match {self.bucket.url.url}/{prefix}: "
                    f"the bucket holds {end} bytes of it",
                    "left as it is; pull into an empty storage root to get the bucket's copy",
                )
            )

    def _land_segments(
        self,
        prefix: str,
        local: Path,
        segments: list[fmt.BucketSegment],
        report: PullReport,
        advance: Callable[[int], None],
        replace: bool,
    ) -> None:
        target = local.with_name(f".{local.name}.rebuild{fmt.TEMP_SUFFIX}") if replace else local
        out = None  # opened at the first segment that arrives whole: a failure leaves nothing new
        try:
            for batch in _batches(segments):
                keys = [prefix + fmt.bucket_segment_name(local.name, s["n"]) for s in batch]
                got = self.bucket.get_many(keys)
                for seg, key in zip(batch, keys, strict=True):
                    data = got[key]
                    if isinstance(data, bytes) and hashlib.sha256(data).hexdigest() != seg["sha256"]:
                        data = BucketError(
                            f"{self.bucket.url.url}/{key} does not hold the bytes its manifest names",
                            "sync the run again from its storage root to repair it",
                        )
                    if isinstance(data, BucketError):
                        report.errors.append(data)
                        if replace:
                            target.unlink(missing_ok=True)
                        return
                    if out is None:
                        local.parent.mkdir(parents=True, exist_ok=True)
                        out = open(target, "wb" if replace else "ab")
                    out.write(data)
                    advance(len(data))
        finally:
            if out is not None:
                out.close()
        if replace and out is not None:
            os.replace(target, local)

    # --- whole files --------------------------------------------------------------------------
    def _objects(
        self,
        items: list[tuple[str, Path, fmt.BucketManifest, str]],
        report: PullReport,
        advance: Callable[[int], None],
    ) -> None:
        wanted: dict[str, tuple[Path, fmt.BucketObject]] = {}
        for key, run_dir, manifest, relpath in items:
            obj = manifest["objects"][relpath]
            local = run_dir.joinpath(*relpath.split("/"))
            if self._current(local, obj):
                continue
            inline = inline_bytes(obj)
            if inline is not None:  # carried in the manifest: no request
                self._land_object(local, obj, inline)
                advance(len(inline))
                continue
            remote = key[: -len(fmt.BUCKET_MANIFEST_FILE)] + fmt.bucket_object_name(relpath)
            if obj["size"] > LARGE_OBJECT_BYTES:
                try:
                    self._land_large(remote, local, obj)
                    advance(obj["size"])
                except BucketError as err:
                    report.errors.append(err)
                continue
            wanted[remote] = (local, obj)
        for batch in _chunks(list(wanted), 256):
            for remote, data in self.bucket.get_many(batch).items():
                local, obj = wanted[remote]
                if isinstance(data, BucketError):
                    report.errors.append(data)
                    continue
                if self._land_object(local, obj, data):
                    advance(len(data))

    def _land_object(self, local: Path, obj: fmt.BucketObject, data: bytes) -> bool:
        if local.name in fmt.REWRITTEN_FILES and fmt.loads_json_object(data) is None:
            return False  # not JSON: left for the next cycle
        local.parent.mkdir(parents=True, exist_ok=True)
        fmt.write_bytes_atomic(local, data, obj["mtime"] or None)
        self._fetched[local] = hashlib.sha256(data).hexdigest()
        return True

    def _current(self, local: Path, obj: fmt.BucketObject) -> bool:
        if file_size(local) != obj["size"] or not local.is_file():
            return False
        known = self._fetched.get(local)
        if known is None:
            known = self._fetched[local] = file_sha256(local)
        return known == obj["sha256"]

    def _land_large(self, remote: str, local: Path, obj: fmt.BucketObject) -> None:
        local.parent.mkdir(parents=True, exist_ok=True)
        tmp = local.with_name(f".{local.name}.pull{fmt.TEMP_SUFFIX}")
        try:
            self.bucket.get_file(remote, tmp)
            if obj["mtime"]:
                os.utime(tmp, (obj["mtime"], obj["mtime"]))
            os.replace(tmp, local)
        finally:
            tmp.unlink(missing_ok=True)
        self._fetched[local] = file_sha256(local)


def _size_to_land(run_dir: Path, manifest: fmt.BucketManifest) -> int:
    total = sum(max(0, covered(s) - file_size(run_dir / n)) for n, s in manifest["segments"].items())
    return total + sum(o["size"] for o in manifest["objects"].values())


def _batches(segments: list[fmt.BucketSegment]) -> list[list[fmt.BucketSegment]]:
    """Segments in order, grouped so that one group's bytes stay under MAX_BATCH_BYTES."""
    out: list[list[fmt.BucketSegment]] = []
    size = 0
    for seg in segments:
        if not out or size + seg["size"] > MAX_BATCH_BYTES:
            out.append([])
            size = 0
        out[-1].append(seg)
        size += seg["size"]
    return out


def _chunks(items: list[str], n: int) -> list[list[str]]:
    return [items[i : i + n] for i in range(0, len(items), n)]
