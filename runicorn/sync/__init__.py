"""Runs to and from an object store (docs/sync.md): sealed segments + a manifest written last.

- :mod:`.planner`: what one sync of one run uploads (pure);
- :mod:`.uploader`: ``runicorn sync ROOT s3://...``;
- :mod:`.materialiser`: bucket -> folder, for ``runicorn pull`` and the bucket viewer's cache;
- :mod:`.loop` and :mod:`.run_sync`: ``--watch``, the viewer's polling, ``runicorn run`` with
  ``sync_url``.

fsspec and s3fs are imported only when a bucket is opened (:mod:`.bucket`).
"""

from runicorn.sync.bucket import Bucket, BucketError, is_bucket_url, parse_bucket_url
from runicorn.sync.run_sync import RunSync, SyncObserver, start_run_sync

__all__ = [
    "Bucket",
    "BucketError",
    "RunSync",
    "SyncObserver",
    "is_bucket_url",
    "parse_bucket_url",
    "start_run_sync",
]
