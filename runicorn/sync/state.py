"""What the last sync of a root to a bucket prefix left there: each run's manifest and its ETag, and
the ETags of the prefix's run index (runicorn/sync/index.py).

Kept in the user cache folder (``<cache>/runicorn/sync/<16 hex>.json``, one file per root, URL and
endpoint), never in the storage root. Only a speed-up: a manifest is used from here only when the
bucket's listing shows the same ETag for it, so a bucket changed by anyone else (a manifest
rewritten, a run deleted) is read again. Delete it any time; the next sync reads the manifests
from the bucket.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from runicorn.files import write_bytes_atomic
from runicorn.sync.bucket import BucketError
from runicorn.sync.cache_root import user_cache_dir
from runicorn.sync.index import Copies, IndexSeen
from runicorn.sync.manifest import check_manifest

STATE_VERSION = 1


def state_path(root: Path, url: str, endpoint_url: str) -> Path:
    digest = hashlib.sha256(f"{endpoint_url}\n{url}\n{Path(root).absolute()}".encode()).hexdigest()[:16]
    return user_cache_dir() / "sync" / f"{digest}.json"


@dataclass
class SyncState:
    runs: Copies = field(default_factory=dict)  # run path -> (manifest ETag, manifest)
    index: IndexSeen | None = None  # the prefix's run index as this root's last sync left it


def load_state(path: Path) -> SyncState:
    """What the last sync left; empty when missing or unreadable."""
    try:
        value = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return SyncState()
    if not isinstance(value, dict) or value.get("version") != STATE_VERSION:
        return SyncState()
    state = SyncState()
    for run_path, item in dict(value.get("runs") or {}).items():
        try:
            etag, manifest = item
            state.runs[run_path] = (str(etag), check_manifest(manifest, str(path)))
        except (ValueError, TypeError, BucketError):
            continue
    index = value.get("index")
    if isinstance(index, list) and len(index) == 2 and isinstance(index[1], dict):
        state.index = (str(index[0]), {str(k): str(v) for k, v in index[1].items()})
    return state


def save_state(path: Path, state: SyncState) -> None:
    document: dict[str, Any] = {
        "version": STATE_VERSION,
        "runs": {k: list(v) for k, v in state.runs.items()},
        "index": list(state.index) if state.index is not None else None,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, orjson.dumps(document))
    except OSError:
        pass  # a cache that cannot be written costs speed only
