"""Runs in an object store: sealed segments, whole objects, the manifest and the index
(runicorn/sync, docs/sync.md)."""

from __future__ import annotations

from typing import TypedDict

__all__ = [
    "BUCKET_FORMAT_VERSION",
    "BUCKET_MANIFEST_FILE",
    "BUCKET_SEGMENTS_DIR",
    "BUCKET_OBJECTS_DIR",
    "BUCKET_VERSION_KEY",
    "BUCKET_INLINE_KEY",
    "BUCKET_INLINE_MAX_BYTES",
    "bucket_segment_name",
    "bucket_object_name",
    "BucketSegment",
    "BucketObject",
    "BucketManifest",
    "BUCKET_INDEX_FILE",
    "BUCKET_INDEX_VERSION",
    "BUCKET_INDEX_MAX_BYTES",
    "BucketIndexEntry",
    "BucketIndex",
]


# --- runs in an object store (runicorn/sync, docs/sync.md) ------------------------------------
# A bucket holds each run under ``<prefix>/<run path>/`` (the run path as under a storage root,
# e.g. ``demo/exp1/runs/<id>``): an object store cannot append, so
#   segments/<file>.<n>   sealed pieces of an append-only file (whole lines, whole frames for
#                         events.columns), numbered from 0, uploaded once and never rewritten
#   objects/<relpath>     every other file of the run as a whole object (meta/status/... JSON,
#                         media, git diff), replaced whole when it changes
#   manifest.json         BucketManifest, written last: a reader trusts nothing it does not list
BUCKET_FORMAT_VERSION = 1
BUCKET_MANIFEST_FILE = "manifest.json"
BUCKET_SEGMENTS_DIR = "segments"
BUCKET_OBJECTS_DIR = "objects"
# The keys of BucketManifest and its parts, for code that reads them by name.
BUCKET_VERSION_KEY = "format_version"
BUCKET_INLINE_KEY = "inline"
# A JSON file of REWRITTEN_FILES up to this size is also carried inside the manifest (additive).
BUCKET_INLINE_MAX_BYTES = 64 * 1024


def bucket_segment_name(file: str, n: int) -> str:
    """``segments/<file>.<n>``, relative to the run's prefix."""
    return f"{BUCKET_SEGMENTS_DIR}/{file}.{n}"


def bucket_object_name(relpath: str) -> str:
    """``objects/<relpath>``, relative to the run's prefix."""
    return f"{BUCKET_OBJECTS_DIR}/{relpath}"


class BucketSegment(TypedDict):
    """One sealed segment: bytes ``offset .. offset + size`` of its append-only file."""

    n: int
    offset: int
    size: int
    sha256: str


class _BucketObjectFields(TypedDict):
    size: int
    sha256: str
    mtime: float


class BucketObject(_BucketObjectFields, total=False):
    """One whole file: its size and sha256, and its mtime (seconds) in the run it came from.
    ``inline``: for a JSON file of REWRITTEN_FILES of at most BUCKET_INLINE_MAX_BYTES, its text
    (UTF-8) as well, so that one read of the manifest gives a reader the run's JSON files; the
    object is uploaded all the same, and a reader without the copy (or one whose sha256 does not
    match) reads the object."""

    inline: str


class BucketManifest(TypedDict):
    format_version: int  # BUCKET_FORMAT_VERSION; a newer one is refused by name, never misread
    path: str  # the run folder under its storage root, "/"-separated
    run_id: str
    synced_at: float
    segments: dict[str, list[BucketSegment]]  # APPEND_ONLY_FILES name -> its segments, in order
    objects: dict[str, BucketObject]  # relpath -> the whole file


# ``<prefix>/.runs-index.json.gz``: gzip-compressed JSON of BucketIndex, copies of the manifests of
# the prefix's ended runs, so a reader gets many runs from one request (added within bucket format 1).
# A hint, never the truth: a reader uses a copy only when the listing shows that run's manifest with
# the copy's ``etag``, and reads the manifest otherwise. The name starts with "." so that no run
# path (a project folder is never a dot folder) can clash with it.
BUCKET_INDEX_FILE = ".runs-index.json.gz"
BUCKET_INDEX_VERSION = 1
BUCKET_INDEX_MAX_BYTES = 256 * 1024 * 1024  # decompressed; a reader refuses a larger index


class BucketIndexEntry(TypedDict):
    etag: str  # the MD5 (hex) of the manifest.json bytes copied: the ETag a listing shows for them
    manifest: BucketManifest


class BucketIndex(TypedDict):
    format_version: int  # BUCKET_INDEX_VERSION; a reader that knows an older one ignores the index
    written_at: float
    runs: dict[str, BucketIndexEntry]  # run path -> the copy of its manifest
