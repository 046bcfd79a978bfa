"""Lands the segments of many append-only files at once (the materialiser's bulk download).

Every file's new segments, across all the runs of a cycle, are fetched in batches of at most
``batch_bytes``; the next two batches are in flight while one is written, so the store is never
idle between batches and memory stays under three batches. Each file still grows strictly in
order: a segment is written only after the ones before it, and a missing segment or one with the
wrong bytes stops that file where it is (what landed stays intact) without stopping the others.
Batches are made as they are needed: the segments of the runs ``first()`` names (the viewer asked
for them) go into the next batch, ahead of the rest; ``on_run_landed`` is told each run whose
segments have all been written (or failed).
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from runicorn import format as fmt
from runicorn.sync.bucket import Bucket, BucketError, wrong_bytes

BATCH_BYTES = 32 * 1024 * 1024
IN_FLIGHT = 2  # batches fetched ahead of the one being written


@dataclass
class FileLanding:
    """The segments one local file is to receive. ``replace``: build the file anew beside it
    and swap it in at the end (a cache copy that no longer matches the bucket); otherwise append."""

    run_key: str  # the run's manifest key, for the caller's error bookkeeping
    prefix: str  # the run's key prefix in the bucket ("<run path>/")
    local: Path
    segments: list[fmt.BucketSegment]
    replace: bool = False
    failed: bool = False
    _out: BinaryIO | None = None

    @property
    def target(self) -> Path:
        if self.replace:
            return self.local.with_name(f".{self.local.name}.rebuild{fmt.TEMP_SUFFIX}")
        return self.local

    def key(self, seg: fmt.BucketSegment) -> str:
        return self.prefix + fmt.bucket_segment_name(self.local.name, seg["n"])

    def write(self, data: bytes) -> None:
        if self._out is None:  # opened at the first segment that arrives whole
            self.local.parent.mkdir(parents=True, exist_ok=True)
            self._out = open(self.target, "wb" if self.replace else "ab")
        self._out.write(data)

    def fail(self) -> None:
        self.failed = True
        self.close()
        if self.replace:
            self.target.unlink(missing_ok=True)

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            if self.replace and not self.failed:
                os.replace(self.target, self.local)
            self._out = None


Piece = tuple[FileLanding, fmt.BucketSegment]


def land_segments(
    bucket: Bucket,
    landings: list[FileLanding],
    on_error: Callable[[FileLanding, BucketError], None],
    advance: Callable[[int], None],
    batch_bytes: int = BATCH_BYTES,
    first: Callable[[], set[str]] = set,
    on_run_landed: Callable[[str], None] = lambda run_key: None,
) -> None:
    pieces = [(landing, seg) for landing in landings for seg in landing.segments]
    left = Counter(landing.run_key for landing, _ in pieces)  # pieces each run still waits for
    files: dict[str, list[FileLanding]] = {}
    for landing in landings:
        files.setdefault(landing.run_key, []).append(landing)
    try:
        for batch, got in _fetched(bucket, _batches(pieces, batch_bytes, first)):
            for landing, seg in batch:
                left[landing.run_key] -= 1
                if landing.failed:
                    continue
                key = landing.key(seg)
                data, sha256 = got[key]
                if isinstance(data, bytes) and sha256 != seg["sha256"]:
                    data = wrong_bytes(f"{bucket.url.url}/{key}")
                if isinstance(data, BucketError):
                    landing.fail()
                    on_error(landing, data)
                    continue
                landing.write(data)
                advance(len(data))
            for run_key in {landing.run_key for landing, _ in batch if not left[landing.run_key]}:
                for landing in files[run_key]:
                    landing.close()  # its bytes are in the file for readers now
                on_run_landed(run_key)
                del left[run_key]
    finally:
        for landing in landings:
            landing.close()


Got = dict[str, tuple[bytes | BucketError, str]]  # key -> (the object or its error, its sha256)


def _get_hashed(bucket: Bucket, batch: list[Piece]) -> Got:
    """A batch's objects with their sha256, hashed in the thread that fetched them (beside the
    writes of the batch before)."""
    got = bucket.get_many({landing.key(seg): seg["size"] for landing, seg in batch})
    return {k: (v, hashlib.sha256(v).hexdigest() if isinstance(v, bytes) else "") for k, v in got.items()}


def _fetched(bucket: Bucket, batches: Iterator[list[Piece]]) -> Iterator[tuple[list[Piece], Got]]:
    """Each batch with its objects, in order, the next IN_FLIGHT batches fetched meanwhile."""
    with ThreadPoolExecutor(IN_FLIGHT, thread_name_prefix="runicorn-segments") as pool:
        pending: deque[tuple[list[Piece], Future[Got]]] = deque()

        def submit() -> None:
            batch = next(batches, None)
            if batch is not None:
                pending.append((batch, pool.submit(_get_hashed, bucket, batch)))

        for _ in range(IN_FLIGHT):
            submit()
        try:
            while pending:
                batch, future = pending.popleft()
                got = future.result()
                submit()
                yield batch, got
        finally:
            for _, future in pending:
                future.cancel()


def _batches(pieces: list[Piece], batch_bytes: int, first: Callable[[], set[str]]) -> Iterator[list[Piece]]:
    """Pieces grouped so that one group's bytes stay under ``batch_bytes``, made one at a time:
    those of the runs ``first()`` names when asked, ahead of the rest (each file's in order)."""
    left = deque(pieces)
    while left:
        wanted = first()
        if wanted and any(landing.run_key in wanted for landing, _ in left):
            ahead = [p for p in left if p[0].run_key in wanted]
            left = deque([*ahead, *(p for p in left if p[0].run_key not in wanted)])
        batch: list[Piece] = []
        size = 0
        while left and (not batch or size + left[0][1]["size"] <= batch_bytes):
            piece = left.popleft()
            batch.append(piece)
            size += piece[1]["size"]
        yield batch
