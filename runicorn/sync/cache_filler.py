"""The bucket viewer's cache filler: a process of its own that keeps the cache folder holding the
runs of ``s3://bucket/prefix`` while the viewer serves that folder.

Downloading and checking segments is CPU work (HTTP, hashing, writing); in the viewer's own
process it would hold the interpreter lock against the viewer's scans and requests, so a thousand
runs already landed could wait seconds to be listed. As a separate process it runs beside the
viewer on another core.

The viewer starts it (:func:`start_cache_filler`) and waits for its first line on stdout: the
bucket checked (a missing bucket or refused credentials fail the viewer's start, by name) and the
runs of the prefix's run index in the cache, so that the viewer's first scan lists them; or the
error. It then runs sync cycles until its stdin closes, which happens when the viewer exits in
any way, ``kill -9`` included. Meanwhile each line on its stdin names a run the viewer was asked
for whose files are still on their way (runicorn/sync/landing_list.py): that run lands ahead of
the background fill, and the viewer waits for it, at most ``FETCH_FIRST_S``. Errors of later
cycles go to stderr, each once. Ctrl-C in the terminal is the viewer's to handle: this process
ignores it and ends with the viewer. Being killed mid-cycle is safe: the cache rebuilds any file
that no longer matches the bucket.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from runicorn.sync.bucket import Bucket, BucketError, parse_bucket_url
from runicorn.sync.cache_root import bucket_cache_root
from runicorn.sync.change_finder import ChangeFinder
from runicorn.sync.landing_list import LandingList, landing_runs
from runicorn.sync.loop import SyncLoop
from runicorn.sync.materialiser import Materialiser, PullReport

POLL_S = 1.0
FETCH_FIRST_S = 20.0  # the longest a request for a run still landing waits for it
_WAIT_STEP_S = 0.05


@dataclass
class CacheFiller:
    """The viewer's handle on the filler process."""

    proc: subprocess.Popen[bytes]
    url: str
    cache: Path | None = None
    _asking: threading.Lock = field(default_factory=threading.Lock)

    def wait_ready(self) -> Path:
        """The cache folder, once the filler has checked the bucket; BucketError otherwise."""
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        try:
            answer = orjson.loads(line)
        except orjson.JSONDecodeError:
            self.stop()
            raise BucketError(
                f"the process that reads {self.url} for the viewer ended before it started",
                "its error is printed above; run the viewer again",
            ) from None
        if "error" in answer:
            self.stop()
            raise BucketError(str(answer["error"]), str(answer.get("hint") or ""))
        self.cache = Path(answer["ready"])
        return self.cache

    def fetch_first(self, run_path: str, timeout_s: float = FETCH_FIRST_S) -> None:
        """Returns once the run at ``run_path`` (relative to the cache) has landed, asking the
        filler to land it ahead of the rest; at once when it has; after ``timeout_s`` at most."""
        if self.cache is None or run_path not in landing_runs(self.cache):
            return
        try:
            with self._asking:
                assert self.proc.stdin is not None
                self.proc.stdin.write(run_path.encode() + b"\n")
                self.proc.stdin.flush()
        except (OSError, ValueError):  # the filler has ended: answer with what is there
            return
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and run_path in landing_runs(self.cache):
            time.sleep(_WAIT_STEP_S)

    def stop(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()  # the filler ends at end of input
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start_cache_filler(url: str, endpoint_url: str) -> CacheFiller:
    proc = subprocess.Popen(
        [sys.executable, "-m", "runicorn.sync.cache_filler", url, endpoint_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    return CacheFiller(proc, url)


def _answer(value: dict[str, str]) -> None:
    sys.stdout.buffer.write(orjson.dumps(value) + b"\n")
    sys.stdout.flush()


def _print_once(err: BucketError, reported: set[str]) -> None:
    if err.message in reported:  # each problem once, not every cycle
        return
    reported.add(err.message)
    print(f"error: {err}", file=sys.stderr, flush=True)  # the message, then "hint: ..."


def _end_with_input(asked: Callable[[str], None]) -> None:
    """Read stdin until the viewer closes it (or dies), handing each line (a run path) to
    ``asked``, then end at once: the cache needs no tidying (a file cut short is rebuilt next
    time). It reads the descriptor itself, not ``sys.stdin``: a thread blocked in the buffered
    reader holds its lock, and a process that ends meanwhile (after answering an error) dies with
    "Fatal Python error" instead of its status."""
    partial = b""
    try:
        while chunk := os.read(sys.stdin.fileno(), 4096):
            *lines, partial = (partial + chunk).split(b"\n")
            for line in lines:
                if line.strip():
                    asked(line.decode("utf-8", "replace").strip())
    finally:
        os._exit(0)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    url, endpoint_url = argv
    landing: LandingList | None = None

    def asked(run_path: str) -> None:
        if landing is not None:
            landing.ask(run_path)

    threading.Thread(target=_end_with_input, args=(asked,), name="runicorn-viewer-watch", daemon=True).start()
    try:
        bucket = Bucket(parse_bucket_url(url), endpoint_url)
        bucket.check_reachable()
        cache = bucket_cache_root(bucket.url, endpoint_url)
        cache.mkdir(parents=True, exist_ok=True)
        landing = LandingList(cache)
        finder = ChangeFinder(bucket, POLL_S)
        materialiser = Materialiser(bucket, cache, rebuild=True, finder=finder, landing=landing)
        materialiser.show_index_first()  # the viewer's first scan lists these runs
    except BucketError as err:
        _answer({"error": err.message, "hint": err.hint or ""})
        return 1
    _answer({"ready": str(cache)})
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # nobody reads the pipe after the answer
    reported: set[str] = set()

    def step() -> PullReport:
        report = materialiser.sync_once()
        for err in report.errors:
            _print_once(err, reported)
        return report

    def on_cycle(loop: SyncLoop) -> None:
        if loop.last_error is not None:
            _print_once(loop.last_error, reported)

    SyncLoop(step, POLL_S, f"bucket {bucket.url.url}").run(on_cycle)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
