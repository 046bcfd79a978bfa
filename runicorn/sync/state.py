"""What the last sync of a root to a bucket prefix left there: each run's manifest and its ETag.

Kept in the user cache folder (``<cache>/runicorn/sync/<16 hex>.json``, one file per root, URL and
endpoint), never in the storage root. Only a speed-up: a manifest is used from here only when the
bucket's listing shows the same ETag for it, so a bucket changed by anyone else (a manifest
rewritten, a run deleted) is read again. Delete it any time; the next sync reads the manifests
from the bucket.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson

from runicorn import format as fmt
from runicorn.sync.bucket import BucketError
from runicorn.sync.cache_root import user_cache_dir
from runicorn.sync.manifest import decode_manifest

STATE_VERSION = 1


def state_path(root: Path, url: str, endpoint_url: str) -> Path:
    digest = hashlib.sha256(f"{endpoint_url}\n{url}\n{Path(root).absolute()}".encode()).hexdigest()[:16]
    return user_cache_dir() / "sync" / f"{digest}.json"


def load_state(path: Path) -> dict[str, tuple[str, fmt.BucketManifest]]:
    """run path -> (ETag, manifest); empty when missing or unreadable."""
    try:
        value = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    if not isinstance(value, dict) or value.get("version") != STATE_VERSION:
        return {}
    out: dict[str, tuple[str, fmt.BucketManifest]] = {}
    for run_path, item in dict(value.get("runs") or {}).items():
        try:
            etag, manifest = item
            out[run_path] = (str(etag), decode_manifest(orjson.dumps(manifest), str(path)))
        except (ValueError, TypeError, BucketError):
            continue
    return out


def save_state(path: Path, runs: dict[str, tuple[str, fmt.BucketManifest]]) -> None:
    document: dict[str, Any] = {"version": STATE_VERSION, "runs": {k: list(v) for k, v in runs.items()}}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fmt.write_bytes_atomic(path, orjson.dumps(document))
    except OSError:
        pass  # a cache that cannot be written costs speed only
