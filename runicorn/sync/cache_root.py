"""Where the bucket viewer keeps its local copy: under the user cache folder, never in a storage root.

``$XDG_CACHE_HOME/runicorn/buckets/<16 hex>/`` (``~/.cache`` without it), one folder per bucket
URL and endpoint. It is a cache: delete it any time; the next viewer start fetches it again.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from runicorn.sync.bucket import BucketUrl


def user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "runicorn"


def bucket_cache_root(url: BucketUrl, endpoint_url: str = "") -> Path:
    digest = hashlib.sha256(f"{endpoint_url}\n{url.url}".encode()).hexdigest()[:16]
    return user_cache_dir() / "buckets" / digest
