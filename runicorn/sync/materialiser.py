"""Bucket -> folder: turns the runs of a bucket prefix back into ordinary run folders.

``runicorn pull`` runs one :meth:`Materialiser.sync_once` into a storage root; ``runicorn viewer
--storage s3://...`` runs it in a loop (:class:`runicorn.sync.loop.SyncLoop`) into a cache folder
that the normal viewer serves, so a live run's new segments land as appends and the viewer's tail
shows them. Each cycle lists the prefix once (or, in the viewer between full listings, reads the
live runs' manifests: runicorn/sync/change_finder.py) and reads only the manifests whose ETag moved.

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
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from runicorn import format as fmt
from runicorn.files import write_bytes_atomic
from runicorn.sync.bucket import Bucket, BucketError, Listed, wrong_bytes
from runicorn.sync.change_finder import ChangeFinder
from runicorn.sync.index import Copies, manifest_key, read_index
from runicorn.sync.landing_list import LandingList, run_path_of
from runicorn.sync.local_files import file_sha256, file_size
from runicorn.sync.manifest import MAX_MANIFEST_BYTES, covered, decode_manifest, has_ended, inline_bytes
from runicorn.sync.segment_landing import FileLanding, land_segments
from runicorn.sync.sweep_files import pull_sweeps

LARGE_OBJECT_BYTES = 8 * 1024 * 1024
MANIFEST_BATCH = 128  # manifests read before their runs' JSON files land
INDEX_WORTH_READING = 16  # a cycle with more changed manifests than this reads the run index first


@dataclass
class PullReport:
    runs: int = 0  # runs the bucket lists
    runs_updated: int = 0
    bytes: int = 0  # payload bytes landed
    errors: list[BucketError] = field(default_factory=list)


class Materialiser:
    """Keeps ``dest`` holding the runs of ``bucket``."""

    def __init__(
        self,
        bucket: Bucket,
        dest: Path,
        rebuild: bool = False,
        finder: ChangeFinder | None = None,
        landing: LandingList | None = None,
    ) -> None:
        self.bucket = bucket
        self.dest = Path(dest).absolute()
        self.rebuild = rebuild
        self._finder = finder or ChangeFinder(bucket)  # which manifests each cycle looks at
        self._live: set[str] = set()  # manifest keys of the runs whose last manifest was a live run's
        self._runs = 0  # runs the last full listing showed
        self._done: dict[str, str] = {}  # manifest key -> the ETag fully landed
        self._fetched: dict[Path, str] = {}  # local whole file -> sha256 it was written with
        self._index_etag: str | None = None  # the run index last read (runicorn/sync/index.py)
        self._copies: Copies = {}  # its manifests, held for the cycle that read it
        self._shown: dict[str, Path] = {}  # runs landed from the index, not yet checked by a listing
        self._checking: dict[str, Path] = {}  # of those, the ones whose manifests this cycle reads
        self.landing = landing  # the bucket viewer's: runs listed but not landed, and those asked for

    def sync_once(self, progress: Callable[[int, int], None] | None = None) -> PullReport:
        report = PullReport()
        if self.rebuild and self._index_etag is None:
            self.show_index_first()
        look = self._finder.look(self._live)
        listing = look.listing
        keys = sorted(
            k for k in listing if k == fmt.BUCKET_MANIFEST_FILE or k.endswith("/" + fmt.BUCKET_MANIFEST_FILE)
        )
        changed = [k for k in keys if self._done.get(k) != listing[k].etag]
        if look.full:
            self._runs = len(keys)
            self._live &= set(keys)
            self._forget_gone(listing)
            listed_index = listing.get(fmt.BUCKET_INDEX_FILE)
            if listed_index and listed_index.etag != self._index_etag and len(changed) > INDEX_WORTH_READING:
                self._read_index()
        report.runs = self._runs
        runs: list[tuple[str, Path, fmt.BucketManifest]] = []
        total, landed = [0], [0]
        failed: set[str] = set()  # manifest keys of runs with something not landed

        def advance(n: int) -> None:
            landed[0] += n
            report.bytes += n
            if progress is not None:
                progress(landed[0], total[0])

        def fail(key: str, err: BucketError) -> None:
            report.errors.append(err)
            failed.add(key)

        # manifests a batch at a time, each batch's JSON files landed at once (most ride inside the
        # manifest): a viewer lists the runs as they come, before any events land
        try:
            for batch in _chunks(changed, MANIFEST_BATCH):
                fetched = self._read_manifests(batch, listing, look.fetched, report)
                total[0] += sum(_size_to_land(d, m) for _, d, m in fetched)
                self._objects(_files_of(fetched, rewritten=True), fail, advance)
                runs += fetched
        finally:
            self._copies = {}  # what is not current now will not be later: read the index again
            self._checking = {}
        landings = [
            landing
            for key, run_dir, manifest in runs
            for name, segments in sorted(manifest["segments"].items(), key=_landing_order)
            if (landing := self._landing(key, run_dir / name, segments, fail)) is not None
        ]
        self._tell_landing({landing.run_key for landing in landings})
        land_segments(
            self.bucket,
            landings,
            lambda landing, err: fail(landing.run_key, err),
            advance,
            first=self.landing.first_keys if self.landing is not None else set,
            on_run_landed=lambda key: self.landing.landed(run_path_of(key)) if self.landing else None,
        )
        self._tell_landing(set())
        self._objects(_files_of(runs, rewritten=False), fail, advance)
        for key, _, manifest in runs:
            if key not in failed:
                self._done[key] = listing[key].etag
            if has_ended(manifest):
                self._live.discard(key)
            else:
                self._live.add(key)
        report.runs_updated = len(runs)
        if look.full:  # the sweeps those runs are trials of
            pulled = pull_sweeps(self.bucket, listing, self.dest)
            report.bytes += pulled.bytes
            report.errors += pulled.errors
        return report

    # --- manifests ------------------------------------------------------------------------------
    def show_index_first(self) -> dict[str, Path]:
        """The bucket viewer's start: the runs the index holds land their JSON files (carried in
        the copies) before the listing is read, so the viewer lists them at once; the next cycle's
        listing checks every one (a run gone from the bucket leaves the cache). Returns manifest
        key -> run folder of the runs shown; called by the first cycle when not called before."""
        self._read_index()
        shown: dict[str, Path] = {}
        placed: list[tuple[str, Path, fmt.BucketManifest]] = []
        for run_path, (_, manifest) in self._copies.items():
            key = manifest_key(run_path)
            try:
                placed.append((key, self._place(key, manifest), manifest))
            except BucketError:
                continue  # read from its manifest after the listing, errors reported there
        inline = [item for item in _files_of(placed, rewritten=True) if _inline_of(item) is not None]
        self._objects(inline, lambda key, err: None, lambda n: None)
        for key, run_dir, _ in placed:
            shown[key] = run_dir
        self._shown = shown
        self._tell_landing(set(shown))
        return shown

    def _tell_landing(self, manifest_keys: set[str]) -> None:
        if self.landing is not None:
            self.landing.now_landing(run_path_of(key) for key in manifest_keys)

    def _forget_gone(self, listing: dict[str, Listed]) -> None:
        """A run shown from the index that the listing no longer has leaves the cache; one whose
        manifest turns out refused this cycle leaves it too (:meth:`_forget_refused`)."""
        for key, run_dir in self._shown.items():
            if key not in listing:
                shutil.rmtree(run_dir, ignore_errors=True)
        self._checking = {k: d for k, d in self._shown.items() if k in listing}
        self._shown = {}

    def _forget_refused(self, key: str) -> None:
        """The manifest of ``key`` was refused: a run shown from the index's copy of it goes."""
        run_dir = self._checking.pop(key, None)
        if run_dir is not None:
            shutil.rmtree(run_dir, ignore_errors=True)

    def _read_index(self) -> None:
        found = read_index(self.bucket)
        self._index_etag, self._copies = found if found is not None else ("", {})

    def _read_manifests(
        self, keys: list[str], listing: dict[str, Listed], fetched: dict[str, bytes], report: PullReport
    ) -> list[tuple[str, Path, fmt.BucketManifest]]:
        """The manifests of ``keys``: from the index's copies when current, from ``fetched`` (read
        this cycle already), else read now."""
        out: list[tuple[str, Path, fmt.BucketManifest]] = []
        wanted: list[str] = []
        for key in keys:
            copy = self._copies.get(key[: -len(fmt.BUCKET_MANIFEST_FILE) - 1])
            if copy is None or copy[0] != listing[key].etag:
                wanted.append(key)
                continue
            try:
                out.append((key, self._place(key, copy[1]), copy[1]))
            except BucketError as err:
                report.errors.append(err)
                self._forget_refused(key)
        got: dict[str, bytes | BucketError] = {k: fetched[k] for k in wanted if k in fetched}
        got.update(self.bucket.get_many({k: MAX_MANIFEST_BYTES for k in wanted if k not in fetched}))
        for key, data in got.items():
            try:
                if isinstance(data, BucketError):
                    raise data
                manifest = decode_manifest(data, f"{self.bucket.url.url}/{key}")
                out.append((key, self._place(key, manifest), manifest))
            except BucketError as err:
                report.errors.append(err)
                self._forget_refused(key)
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
    def _landing(
        self,
        key: str,
        local: Path,
        segments: list[fmt.BucketSegment],
        fail: Callable[[str, BucketError], None],
    ) -> FileLanding | None:
        """What ``local`` still needs of its segments: none, the ones past its end, or (in the
        cache, when it no longer matches the bucket) all of them into a new copy."""
        prefix = key[: -len(fmt.BUCKET_MANIFEST_FILE)]
        size = file_size(local)
        end = covered(segments)
        if size == end:
            return None
        starts = {seg["offset"]: i for i, seg in enumerate(segments)}
        if size in starts:
            return FileLanding(key, prefix, local, segments[starts[size] :])
        if self.rebuild:
            return FileLanding(key, prefix, local, segments, replace=True)
        fail(
            key,
            BucketError(
                f"{local} ({size} bytes) does not match {self.bucket.url.url}/{prefix}: "
                f"the bucket holds {end} bytes of it",
                "left as it is; pull into an empty storage root to get the bucket's copy",
            ),
        )
        return None

    # --- whole files --------------------------------------------------------------------------
    def _objects(
        self,
        items: list[tuple[str, Path, fmt.BucketManifest, str]],
        fail: Callable[[str, BucketError], None],
        advance: Callable[[int], None],
    ) -> None:
        wanted: dict[str, tuple[str, Path, fmt.BucketObject]] = {}
        for key, run_dir, manifest, relpath in items:
            obj = manifest["objects"][relpath]
            local = run_dir.joinpath(*relpath.split("/"))
            if self._current(local, obj):
                continue
            inline = inline_bytes(obj)  # checked against the sha256 already
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
                    fail(key, err)
                continue
            wanted[remote] = (key, local, obj)
        for batch in _chunks(list(wanted), 256):
            sizes = {remote: wanted[remote][2]["size"] for remote in batch}
            for remote, data in self.bucket.get_many(sizes).items():
                key, local, obj = wanted[remote]
                if isinstance(data, bytes) and hashlib.sha256(data).hexdigest() != obj["sha256"]:
                    data = wrong_bytes(f"{self.bucket.url.url}/{remote}")
                if isinstance(data, BucketError):
                    fail(key, data)  # what was here stays; the run is read again next cycle
                    continue
                self._land_object(local, obj, data)
                advance(len(data))

    def _land_object(self, local: Path, obj: fmt.BucketObject, data: bytes) -> None:
        """``data``, already checked against the manifest's sha256, becomes ``local``."""
        local.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(local, data, obj["mtime"] or None)
        self._fetched[local] = obj["sha256"]

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
        tmp.unlink(missing_ok=True)  # left by a pull that was killed
        try:
            self.bucket.get_file(remote, tmp, obj["size"])
            if file_sha256(tmp) != obj["sha256"]:
                raise wrong_bytes(f"{self.bucket.url.url}/{remote}")
            if obj["mtime"]:
                os.utime(tmp, (obj["mtime"], obj["mtime"]))
            os.replace(tmp, local)
        finally:
            tmp.unlink(missing_ok=True)
        self._fetched[local] = obj["sha256"]


def _size_to_land(run_dir: Path, manifest: fmt.BucketManifest) -> int:
    total = sum(max(0, covered(s) - file_size(run_dir / n)) for n, s in manifest["segments"].items())
    return total + sum(o["size"] for o in manifest["objects"].values())


def _landing_order(item: tuple[str, list[fmt.BucketSegment]]) -> int:
    """events.columns lands before events.jsonl: a chart read meanwhile takes the rows from the
    frames for every events byte landed, instead of decoding the lines that no frame covers yet."""
    return 0 if item[0] == fmt.COLUMNS_FILE else 1


def _files_of(
    runs: list[tuple[str, Path, fmt.BucketManifest]], rewritten: bool
) -> list[tuple[str, Path, fmt.BucketManifest, str]]:
    """The whole files of ``runs``: their JSON files (``rewritten``), or all the others."""
    return [
        (key, run_dir, manifest, relpath)
        for key, run_dir, manifest in runs
        for relpath in manifest["objects"]
        if (relpath in fmt.REWRITTEN_FILES) == rewritten
    ]


def _inline_of(item: tuple[str, Path, fmt.BucketManifest, str]) -> bytes | None:
    return inline_bytes(item[2]["objects"][item[3]])


def _chunks(items: list[str], n: int) -> list[list[str]]:
    return [items[i : i + n] for i in range(0, len(items), n)]
