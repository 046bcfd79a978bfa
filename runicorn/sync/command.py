"""``runicorn sync`` and ``runicorn pull``: the work behind the CLI's words
(runicorn/cli/sync_commands.py parses, runicorn/cli/output.py prints errors). The bucket viewer's
cache is filled by runicorn/sync/cache_filler.py."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from runicorn.errors import ConfigError
from runicorn.settings import Settings
from runicorn.sync.bucket import Bucket, BucketError, parse_bucket_url
from runicorn.sync.loop import SyncLoop
from runicorn.sync.materialiser import Materialiser
from runicorn.sync.uploader import SyncReport, Uploader

WATCH_INDEX_EVERY_S = 60.0  # --watch rewrites the prefix's run index at most this often
ProgressBar = Callable[[str], AbstractContextManager[Callable[[int, int], None]]]


def run_sync_command(
    root: Path, url: str, settings: Settings, watch: bool, interval_s: float, bar: ProgressBar
) -> int:
    if not root.is_dir():
        raise ConfigError(
            f"{root} is not a folder", "name the storage root to sync: runicorn sync ROOT s3://..."
        )
    bucket = Bucket(parse_bucket_url(url), settings.sync_endpoint_url)
    uploader = Uploader(root, bucket)
    with bar(f"syncing {root.name}") as progress:
        report = uploader.sync_once(progress)
    print(_sync_line(report, bucket), flush=True)
    failed = _print_errors(report.errors)
    if not watch:
        return 1 if failed else 0
    print(f"watching {root} (every {interval_s:g} s); press Ctrl-C to stop", flush=True)
    uploader.index.every_s = WATCH_INDEX_EVERY_S
    loop = SyncLoop(uploader.sync_once, interval_s, f"sync {root}")

    def on_cycle(loop: SyncLoop) -> None:
        if loop.last_error is not None:
            _print_errors([loop.last_error])
        elif loop.last_result is not None and loop.last_result.runs_uploaded:
            print(_sync_line(loop.last_result, bucket), flush=True)

    try:
        loop.run(on_cycle)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    return 0


def _sync_line(report: SyncReport, bucket: Bucket) -> str:
    if not report.runs_uploaded and not report.sweep_files:
        return f"{report.runs} runs, nothing to upload: {bucket.url.url} is up to date"
    repaired = f"; repaired {len(report.repaired)} lost objects" if report.repaired else ""
    sweeps = f", {report.sweep_files} sweep files" if report.sweep_files else ""
    return (
        f"synced {report.runs_uploaded} of {report.runs} runs to {bucket.url.url}: "
        f"{report.segments} segments, {report.objects} files{sweeps}, {report.bytes} bytes{repaired}"
    )


def _print_errors(errors: list[BucketError]) -> int:
    for err in errors:
        print(f"error: {err}", file=sys.stderr)  # the message, then "hint: ..." on its own line
    return len(errors)


def run_pull_command(url: str, root: Path, settings: Settings, bar: ProgressBar) -> int:
    bucket = Bucket(parse_bucket_url(url), settings.sync_endpoint_url)
    materialiser = Materialiser(bucket, root)
    with bar(f"pulling {bucket.url.url}") as progress:
        report = materialiser.sync_once(progress)
    if not report.runs:
        print(f"no runs under {bucket.url.url}", flush=True)
    else:
        print(
            f"pulled {report.runs} runs from {bucket.url.url} into {root} ({report.bytes} bytes)", flush=True
        )
    return 1 if _print_errors(report.errors) else 0
