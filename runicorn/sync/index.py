"""The run index of a bucket prefix (format.BucketIndex): many ended runs' manifests in one object.

A reader that starts cold would otherwise read one manifest per run (a thousand requests for a
thousand runs). The index holds a copy of each ended run's manifest with the MD5 of the manifest's
bytes, the ETag a listing shows for it: one request gives a reader every run whose copy is still
current, and the listing says which are not (those manifests are read as before). It is a hint,
never the truth, so writers may race: a copy that one writer drops is read from its manifest until
the next sync puts it back.

Only ended runs go in: a live run's manifest changes every cycle, and rewriting the index for it
would cost more than the run's own appends. ``runicorn sync`` of a root rewrites the index when the
set of ended runs (or one of their manifests) changed, at most once per ``every_s`` under ``--watch``;
a run synced on its own (``sync_url``) adds itself when it ends (:meth:`IndexWriter.add`: no
listing of the prefix).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import time
import zlib
from typing import Any

import orjson

from runicorn import format as fmt
from runicorn.sync.bucket import Bucket, BucketError, Listed
from runicorn.sync.manifest import check_manifest, has_ended

log = logging.getLogger("runicorn")

# The index as stored (gzip): never more than its decompressed bound and a little.
INDEX_MAX_STORED_BYTES = fmt.BUCKET_INDEX_MAX_BYTES + 1024 * 1024
Copies = dict[str, tuple[str, fmt.BucketManifest]]  # run path -> (manifest ETag, manifest)
IndexSeen = tuple[str, dict[str, str]]  # (the index's ETag, run path -> the manifest ETag it holds)


def manifest_key(run_path: str) -> str:
    return f"{run_path}/{fmt.BUCKET_MANIFEST_FILE}"


def encode_index(copies: Copies) -> bytes:
    document = fmt.BucketIndex(
        format_version=fmt.BUCKET_INDEX_VERSION,
        written_at=time.time(),
        runs={p: fmt.BucketIndexEntry(etag=e, manifest=m) for p, (e, m) in sorted(copies.items())},
    )
    return gzip.compress(orjson.dumps(document), compresslevel=6, mtime=0)


def decode_index(data: bytes, where: str) -> Copies:
    """The copies in an index read from ``where``. A copy that does not check out is left out (its
    manifest is read instead); an index that is not one at all, or is too big, is a BucketError;
    an index of a newer version is ignored whole (this reader reads the manifests)."""
    try:
        inflater = zlib.decompressobj(wbits=31)
        raw = inflater.decompress(data, fmt.BUCKET_INDEX_MAX_BYTES)
        if inflater.unconsumed_tail:
            raise BucketError(
                f"{where} holds more than {fmt.BUCKET_INDEX_MAX_BYTES} bytes of index",
                "the runs are read from their manifests instead; sync the root again to rewrite it",
            )
        value = orjson.loads(raw)
    except (zlib.error, orjson.JSONDecodeError):
        raise BucketError(
            f"{where} is not a run index Runicorn can read",
            "the runs are read from their manifests instead; sync the root again to rewrite it",
        ) from None
    if not isinstance(value, dict) or not isinstance(value.get("runs"), dict):
        raise BucketError(
            f"{where} is not a run index Runicorn can read",
            "the runs are read from their manifests instead; sync the root again to rewrite it",
        )
    version = value.get(fmt.BUCKET_VERSION_KEY)
    if not isinstance(version, int) or version > fmt.BUCKET_INDEX_VERSION:
        log.debug("%s is index version %r: read the manifests instead", where, version)
        return {}
    copies: Copies = {}
    for run_path, entry in value["runs"].items():
        copy = _checked_copy(run_path, entry, where)
        if copy is not None:
            copies[run_path] = copy
    return copies


def _checked_copy(run_path: str, entry: Any, where: str) -> tuple[str, fmt.BucketManifest] | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("etag"), str):
        return None
    try:
        manifest = check_manifest(entry.get("manifest"), where)
    except BucketError:
        return None
    if manifest["path"] != run_path:
        return None
    return entry["etag"], manifest


def read_index(bucket: Bucket) -> tuple[str, Copies] | None:
    """(ETag, copies) of the prefix's index; None when there is none. A broken index is logged and
    read as empty: the manifests hold the truth."""
    try:
        data = bucket.get(fmt.BUCKET_INDEX_FILE, INDEX_MAX_STORED_BYTES)
    except BucketError as err:
        if err.fatal:
            raise
        return None  # no index (yet): every manifest is read
    try:
        return hashlib.md5(data).hexdigest(), decode_index(data, f"{bucket.url.url}/{fmt.BUCKET_INDEX_FILE}")
    except BucketError as err:
        log.warning("%s", err.message)
        return hashlib.md5(data).hexdigest(), {}


class IndexWriter:
    """Keeps the prefix's index holding the current manifests of its ended runs (runicorn sync).

    ``seen``: the index's ETag and its runs' manifest ETags as an earlier sync left them (the sync
    state), so that a fresh process syncing an unchanged root need not read the index to know it
    is current."""

    def __init__(self, bucket: Bucket, every_s: float = 0.0, seen: IndexSeen | None = None) -> None:
        self.bucket = bucket
        self.every_s = every_s  # at most one rewrite per this many seconds (``--watch``)
        self.seen: IndexSeen | None = seen
        self._copies: Copies | None = None  # the manifests of ``seen``, once read or written
        self._written_at: float | None = None

    def update(self, listing: dict[str, Listed], ours: Copies) -> int:
        """Rewrite the index if it should change: ``listing`` is the prefix's listing from before
        this sync, ``ours`` the manifests this writer knows now (those it just wrote included).
        Entries of runs it does not know stay while the listing shows them current. Returns the
        bytes sent."""
        listed = listing.get(fmt.BUCKET_INDEX_FILE)
        if listed is None:
            self.seen, self._copies = None, {}
        elif self.seen is None or self.seen[0] != listed.etag:
            self._read()
        before = self.seen[1] if self.seen is not None else {}
        keep = {p: e for p, e in before.items() if _listed_etag(listing, p) == e}
        wanted = dict(keep)
        for run_path, (etag, manifest) in ours.items():
            if has_ended(manifest):
                wanted[run_path] = etag
            else:
                wanted.pop(run_path, None)
        if wanted == before and (listed is not None or not wanted):
            return 0
        if self._written_at is not None and time.monotonic() - self._written_at < self.every_s:
            return 0
        if self._copies is None:
            self._read()
        others = self._copies or {}
        copies = {p: ours[p] if p in ours else others[p] for p in wanted if p in ours or p in others}
        data = encode_index(copies)
        self.bucket.put(fmt.BUCKET_INDEX_FILE, data)
        self.seen = (hashlib.md5(data).hexdigest(), _etags(copies))
        self._copies = copies
        self._written_at = time.monotonic()
        return len(data)

    def add(self, ours: Copies) -> int:
        """Put the ended runs of ``ours`` into the index as it is now, without a listing of the
        prefix (what a run synced on its own does when it ends: one read and one write, however
        many runs the prefix holds). Copies of other runs stay as they are, stale or not: readers
        check every copy, and the next ``runicorn sync`` of a root drops the stale ones. Returns
        the bytes sent."""
        self._read()
        copies = dict(self._copies or {})
        held = _etags(copies)
        added = {p: c for p, c in ours.items() if has_ended(c[1]) and held.get(p) != c[0]}
        if not added:
            return 0
        copies.update(added)
        data = encode_index(copies)
        self.bucket.put(fmt.BUCKET_INDEX_FILE, data)
        self.seen, self._copies = (hashlib.md5(data).hexdigest(), _etags(copies)), copies
        return len(data)

    def _read(self) -> None:
        found = read_index(self.bucket)
        if found is None:
            self.seen, self._copies = None, {}
        else:
            self.seen, self._copies = (found[0], _etags(found[1])), found[1]


def _listed_etag(listing: dict[str, Listed], run_path: str) -> str | None:
    listed = listing.get(manifest_key(run_path))
    return listed.etag if listed is not None else None


def _etags(copies: Copies) -> dict[str, str]:
    return {p: e for p, (e, _) in copies.items()}
