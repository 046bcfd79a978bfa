"""Lands the segments of many append-only files at once (the materialiser's bulk download).

Every file's new segments, across all the runs of a cycle, are fetched in batches of at most
``batch_bytes``; the next two batches are in flight while one is written, so the store is never
idle between batches and memory stays under three batches. Each file still grows strictly in
order: a segment is written only after the ones before it, and a missing segment or one with the
wrong bytes stops that file where it is (what landed stays intact) without stopping the others.
"""

from __future__ import annotations

import hashlib
import os
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
) -> None:
    pieces = [(landing, seg) for landing in landings for seg in landing.segments]
    try:
        for batch, got in _fetched(bucket, _batches(pieces, batch_bytes)):
            for landing, seg in batch:
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
    finally:
        for landing in landings:
            landing.close()


Got = dict[str, tuple[bytes | BucketError, str]]  # key -> (the object or its error, its sha256)


def _get_hashed(bucket: Bucket, batch: list[Piece]) -> Got:
    """A batch's objects with their sha256, hashed in the thread that fetched them (beside the
    writes of the batch before)."""
    got = bucket.get_many({landing.key(seg): seg["size"] for landing, seg in batch})
    return {k: (v, hashlib.sha256(v).hexdigest() if isinstance(v, bytes) else "") for k, v in got.items()}


def _fetched(bucket: Bucket, batches: list[list[Piece]]) -> Iterator[tuple[list[Piece], Got]]:
    """Each batch with its objects, in order, the next IN_FLIGHT batches fetched meanwhile."""
    if len(batches) <= 1:  # nothing to overlap: no thread
        for batch in batches:
            yield batch, _get_hashed(bucket, batch)
        return
    with ThreadPoolExecutor(IN_FLIGHT, thread_name_prefix="runicorn-segments") as pool:
        pending: list[Future[Got]] = []
        ahead = iter(batches)

        def submit() -> None:
            batch = next(ahead, None)
            if batch is not None:
                pending.append(pool.submit(_get_hashed, bucket, batch))

        for _ in range(IN_FLIGHT):
            submit()
        try:
            for batch in batches:
                got = pending.pop(0).result()
                submit()
                yield batch, got
        finally:
            for future in pending:
                future.cancel()


def _batches(pieces: list[Piece], batch_bytes: int) -> list[list[Piece]]:
    """Pieces in order, grouped so that one group's bytes stay under ``batch_bytes``."""
    out: list[list[Piece]] = []
    size = 0
    for piece in pieces:
        if not out or size + piece[1]["size"] > batch_bytes:
            out.append([])
            size = 0
        out[-1].append(piece)
        size += piece[1]["size"]
    return out
