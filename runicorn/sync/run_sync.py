"""Syncing one run while it runs: what ``runicorn run`` (and the job service) call.

:func:`start_run_sync` starts a background loop that keeps one run folder in step with a bucket
prefix; :meth:`RunSync.finish` stops it and syncs once more, so the bucket ends with the run's final
status. :class:`SyncObserver` does both around ``runicorn run``'s events when ``sync_url`` is set.
A store that cannot be reached never stops the run: the error is reported and the next sync
(``runicorn sync``) completes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runicorn.settings import Settings
from runicorn.sync.bucket import Bucket, BucketError, parse_bucket_url
from runicorn.sync.loop import SyncLoop
from runicorn.sync.uploader import Uploader

WATCH_INTERVAL_S = 2.0


class RunSync:
    def __init__(self, uploader: Uploader, interval_s: float) -> None:
        self.uploader = uploader
        self.loop = SyncLoop(uploader.sync_once, interval_s, f"sync {uploader.only}")

    def finish(self) -> BucketError | None:
        """Stop the loop, sync once more and add the ended run to the prefix's run index; the error
        that stopped the last sync, if any."""
        self.loop.stop()
        try:
            report = self.uploader.sync_once()
            if not report.errors:
                report = self.uploader.add_to_index()
        except BucketError as err:
            return err
        return report.errors[0] if report.errors else None


def start_run_sync(
    run_dir: Path,
    root: Path,
    url: str,
    endpoint_url: str = "",
    interval_s: float = WATCH_INTERVAL_S,
) -> RunSync:
    """Keep the run folder ``run_dir`` (under the storage root ``root``) in step with ``url``."""
    bucket = Bucket(parse_bucket_url(url), endpoint_url)
    sync = RunSync(Uploader(root, bucket, only=run_dir), interval_s)
    sync.loop.start()
    return sync


class SyncObserver:
    """A ``runicorn run`` observer: starts a :class:`RunSync` on the first ``start`` event."""

    def __init__(self, settings: Settings, report: Any = print) -> None:
        self.settings = settings
        self.report = report
        self.sync: RunSync | None = None

    def __call__(self, event: Any) -> None:
        if event.kind == "start" and self.sync is None:
            self.sync = start_run_sync(
                Path(event.run_dir),
                self.settings.storage,
                self.settings.sync_url,
                self.settings.sync_endpoint_url,
            )

    def finish(self) -> None:
        if self.sync is None:
            return
        error = self.sync.finish()
        if error is not None:
            self.report(f"runicorn run: the run was not fully synced to {self.settings.sync_url}: {error}")
