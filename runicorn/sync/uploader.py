"""Uploads the runs of a storage root into a bucket prefix: sealed segments, whole objects, manifest last.

One :meth:`Uploader.sync_once` lists the bucket prefix once (a few requests per thousand runs),
reads the manifests it does not already hold (batched), plans every run (runicorn.sync.planner)
and uploads only what the plans name. An unchanged root costs the listing and the manifests. A
killed sync leaves segments no manifest lists yet; the next one finds them in the listing with the
size and MD5 it would upload and does not send them again. Memory stays bounded: an append-only
file goes up in segments of at most ``max_segment_bytes`` (or one line or frame, when longer),
a large whole file streams from disk.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from runicorn import format as fmt
from runicorn.codec.frames import whole_frames_length
from runicorn.files import copied_files, find_run_folders
from runicorn.sync.bucket import Bucket, BucketError, Listed
from runicorn.sync.index import IndexWriter
from runicorn.sync.local_files import file_sha256, file_size
from runicorn.sync.manifest import (
    MAX_MANIFEST_BYTES,
    decode_manifest,
    empty_manifest,
    encode_manifest,
    inline_copy,
)
from runicorn.sync.planner import AppendTask, LocalFile, ObjectTask, Plan, plan_run
from runicorn.sync.state import SyncState, load_state, save_state, state_path
from runicorn.sync.sweep_files import push_sweeps

MAX_SEGMENT_BYTES = 8 * 1024 * 1024
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RunUpload:
    """One run on its way up: its prefix in the bucket, its folder, the manifest being built for
    it and what the bucket's listing holds under its prefix."""

    path: str
    run_dir: Path
    manifest: fmt.BucketManifest
    remote: dict[str, Listed]


@dataclass
class SyncReport:
    runs: int = 0
    runs_uploaded: int = 0
    segments: int = 0
    objects: int = 0
    bytes: int = 0  # payload bytes sent (segments, objects, manifests)
    sweep_files: int = 0  # sweep files sent (runicorn/sync/sweep_files.py)
    repaired: list[str] = field(default_factory=list)  # keys the bucket had lost, sent again
    errors: list[BucketError] = field(default_factory=list)  # runs left as they were


def run_folders(root: Path) -> list[Path]:
    """Every run folder under ``root`` in the layouts :func:`format.locate_run` knows."""
    return [p for p in find_run_folders(root) if fmt.locate_run(root, p) is not None]


def local_files(run_dir: Path) -> dict[str, LocalFile]:
    """The run's files a copy carries (:func:`runicorn.files.copied_files`), by relative path."""
    return {f.relpath: LocalFile(f.stat.st_size, f.stat.st_mtime) for f in copied_files(run_dir)}


def whole_units_length(file: str, data: bytes) -> int:
    """How many bytes at the start of ``data`` are whole frames (events.columns) or whole lines."""
    if file == fmt.COLUMNS_FILE:
        return whole_frames_length(data)
    return data.rfind(b"\n") + 1


class Uploader:
    """Keeps ``bucket`` in step with the runs under ``root`` (or the one run folder ``only``)."""

    def __init__(
        self,
        root: Path,
        bucket: Bucket,
        only: Path | None = None,
        max_segment_bytes: int = MAX_SEGMENT_BYTES,
        remember: bool = True,
    ) -> None:
        self.root = Path(root).absolute()
        self.bucket = bucket
        self.only = Path(only).absolute() if only is not None else None
        self.max_segment_bytes = max_segment_bytes
        # run path -> (etag, manifest), kept between syncs in the user cache (runicorn/sync/state.py)
        self._state = state_path(self.root, bucket.url.url, bucket.endpoint_url) if remember else None
        state = load_state(self._state) if self._state and self.only is None else SyncState()
        self._known = state.runs
        self.index = IndexWriter(bucket, seen=state.index)  # --watch sets index.every_s
        self._fetched = 0  # manifests read from the bucket since the state was saved

    def sync_once(self, progress: Progress | None = None) -> SyncReport:
        report = SyncReport()
        runs = {self._run_path(p): p for p in ([self.only] if self.only else run_folders(self.root))}
        report.runs = len(runs)
        if not runs:
            if self.only is None:
                self._push_sweeps(None, report)
            return report
        listing = self.bucket.listing(next(iter(runs)) if self.only else "")
        by_run = _group(listing, set(runs))
        manifests = self._manifests(runs, listing, report)
        plans: list[tuple[str, Plan]] = []
        for path, run_dir in runs.items():
            if path not in manifests:
                continue
            plan = plan_run(local_files(run_dir), manifests[path], by_run.get(path, {}))
            if not plan.empty:
                plans.append((path, plan))
        total = sum(p.upload_bytes for _, p in plans) + sum(
            file_size(runs[path] / o.relpath) for path, p in plans for o in p.objects
        )
        done = [0]

        def advance(n: int) -> None:
            done[0] += n
            if progress is not None:
                progress(done[0], total)

        index_before = self.index.seen
        try:
            for path, plan in plans:
                try:
                    upload = RunUpload(path, runs[path], manifests[path], by_run.get(path, {}))
                    self._upload_run(upload, plan, report, advance)
                except BucketError as err:
                    if err.fatal:
                        raise
                    report.errors.append(err)
            if self.only is None:
                self._update_index(listing, runs, report)
                self._push_sweeps(listing, report)
        finally:
            changed = plans or self._fetched or self.index.seen != index_before
            if self._state is not None and self.only is None and changed:
                save_state(self._state, SyncState(self._known, self.index.seen))
                self._fetched = 0
        return report

    def add_to_index(self) -> SyncReport:
        """Put the one run of ``only`` into the prefix's run index (once it has ended and synced):
        a run synced on its own adds itself, so a cold reader of the prefix gets it in one request."""
        report = SyncReport()
        path = self._run_path(self.only) if self.only is not None else None
        if path is None or path not in self._known:
            return report
        try:
            report.bytes += self.index.add({path: self._known[path]})
        except BucketError as err:
            if err.fatal:
                raise
            report.errors.append(err)
        return report

    def _update_index(self, listing: dict[str, Listed], runs: dict[str, Path], report: SyncReport) -> None:
        try:
            report.bytes += self.index.update(listing, {p: self._known[p] for p in runs if p in self._known})
        except BucketError as err:
            if err.fatal:
                raise
            report.errors.append(err)

    def _push_sweeps(self, listing: dict[str, Listed] | None, report: SyncReport) -> None:
        """The root's sweeps, beside its runs (a listing of them alone when none was made)."""
        if not (self.root / fmt.SWEEPS_DIR).is_dir():
            return
        if listing is None:
            listing = self.bucket.listing(fmt.SWEEPS_DIR)
        pushed = push_sweeps(self.root, self.bucket, listing)
        report.sweep_files += pushed.files
        report.bytes += pushed.bytes
        report.errors += pushed.errors

    # --- what the bucket holds ----------------------------------------------------------------
    def _run_path(self, run_dir: Path) -> str:
        return Path(run_dir).absolute().relative_to(self.root).as_posix()

    def _manifests(
        self, runs: dict[str, Path], listing: dict[str, Listed], report: SyncReport
    ) -> dict[str, fmt.BucketManifest]:
        out: dict[str, fmt.BucketManifest] = {}
        wanted: list[str] = []
        for path, run_dir in runs.items():
            key = f"{path}/{fmt.BUCKET_MANIFEST_FILE}"
            listed = listing.get(key)
            known = self._known.get(path)
            if listed is None:
                out[path] = empty_manifest(path, run_dir.name)
            elif known is not None and known[0] == listed.etag:
                out[path] = copy.deepcopy(known[1])
            else:
                wanted.append(key)
        for key, data in self.bucket.get_many(dict.fromkeys(wanted, MAX_MANIFEST_BYTES)).items():
            path = key[: -len(fmt.BUCKET_MANIFEST_FILE) - 1]
            if isinstance(data, BucketError):
                report.errors.append(data)
                continue
            try:
                manifest = decode_manifest(data, f"{self.bucket.url.url}/{key}")
            except BucketError as err:
                report.errors.append(err)  # a newer or foreign manifest is never overwritten
                continue
            self._known[path] = (hashlib.md5(data).hexdigest(), manifest)
            self._fetched += 1
            out[path] = copy.deepcopy(manifest)
        return out

    # --- one run ------------------------------------------------------------------------------
    def _upload_run(
        self, run: RunUpload, plan: Plan, report: SyncReport, advance: Callable[[int], None]
    ) -> None:
        path, manifest = run.path, run.manifest
        sent_before = self.bucket.bytes_sent
        for task in plan.appends:
            self._append(run, task, report, advance)
        for name in plan.dropped:
            manifest["segments"].pop(name, None)
            manifest["objects"].pop(name, None)
        for obj in plan.objects:
            self._object(run, obj, report, advance)
        _inline_copies(run.run_dir, manifest)
        data = encode_manifest(manifest)
        self.bucket.put(f"{path}/{fmt.BUCKET_MANIFEST_FILE}", data)
        self._known[path] = (hashlib.md5(data).hexdigest(), manifest)
        report.repaired += [f"{path}/{key}" for key in plan.repaired]
        report.runs_uploaded += 1
        report.bytes += self.bucket.bytes_sent - sent_before

    def _append(
        self, run: RunUpload, task: AppendTask, report: SyncReport, advance: Callable[[int], None]
    ) -> None:
        segments = run.manifest["segments"].get(task.file, [])[: task.keep]
        n, offset = task.first_n, task.start
        with open(run.run_dir / task.file, "rb") as f:
            while offset < task.end:
                want = min(task.end - offset, self.max_segment_bytes)
                while True:
                    f.seek(offset)
                    data = f.read(want)
                    cut = whole_units_length(task.file, data)
                    if cut or want >= task.end - offset or len(data) < want:
                        break
                    want = min(task.end - offset, want * 2)  # one line or frame longer than a segment
                if not cut:
                    break  # a line or frame still being written: the next sync takes it
                chunk = data[:cut]
                key = fmt.bucket_segment_name(task.file, n)
                listed = run.remote.get(key)
                if not (listed and listed.size == cut and listed.etag == hashlib.md5(chunk).hexdigest()):
                    self.bucket.put(f"{run.path}/{key}", chunk)
                    report.segments += 1
                segments.append(
                    fmt.BucketSegment(n=n, offset=offset, size=cut, sha256=hashlib.sha256(chunk).hexdigest())
                )
                advance(cut)
                n, offset = n + 1, offset + cut
        run.manifest["segments"][task.file] = segments

    def _object(
        self, run: RunUpload, task: ObjectTask, report: SyncReport, advance: Callable[[int], None]
    ) -> None:
        local = run.run_dir / task.relpath
        try:
            st = local.stat()
            if st.st_size <= self.max_segment_bytes:
                content = local.read_bytes()
                data: bytes | None = content
                sha = hashlib.sha256(content).hexdigest()
            else:
                data, sha = None, file_sha256(local)
        except OSError:
            return  # gone since it was listed: the next sync drops it
        known = run.manifest["objects"].get(task.relpath)
        size = len(data) if data is not None else st.st_size
        if task.force or known is None or known["sha256"] != sha:
            key = f"{run.path}/{fmt.bucket_object_name(task.relpath)}"
            if data is not None:
                self.bucket.put(key, data)
            else:
                self.bucket.put_file(key, local)
            report.objects += 1
        run.manifest["objects"][task.relpath] = fmt.BucketObject(size=size, sha256=sha, mtime=st.st_mtime)
        advance(size)


def _inline_copies(run_dir: Path, manifest: fmt.BucketManifest) -> None:
    """Once a run has ended, its JSON files ride in its manifest (a reader lists it from that one
    object). A live run's manifest, sent again every cycle, goes without them and stays small."""
    status = fmt.read_json(run_dir / fmt.STATUS_FILE) or {}
    live = status.get(fmt.STATUS_KEY) == fmt.RUNNING
    for relpath in fmt.REWRITTEN_FILES:
        obj = manifest["objects"].get(relpath)
        if obj is None:
            continue
        if live:
            obj.pop("inline", None)
            continue
        if "inline" in obj:
            continue
        try:
            content = (run_dir / relpath).read_bytes()
        except OSError:
            continue
        text = inline_copy(relpath, content)
        if text is not None and hashlib.sha256(content).hexdigest() == obj["sha256"]:
            obj["inline"] = text


def _group(listing: dict[str, Listed], runs: set[str]) -> dict[str, dict[str, Listed]]:
    """The listing split by run: run path -> {key relative to the run: listed}."""
    out: dict[str, dict[str, Listed]] = {}
    for key, listed in listing.items():
        for marker in (f"/{fmt.BUCKET_SEGMENTS_DIR}/", f"/{fmt.BUCKET_OBJECTS_DIR}/", "/"):
            at = key.find(marker) if marker != "/" else key.rfind("/")
            if at > 0 and key[:at] in runs:
                out.setdefault(key[:at], {})[key[at + 1 :]] = listed
                break
    return out
