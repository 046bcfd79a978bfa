"""The runs of the bucket viewer's cache whose files are still on their way
(docs/sync.md#the-viewer-over-a-bucket).

The cache filler lists a run as soon as its JSON files land; its segments come later, in the
background fill. So that the viewer never answers such a run with an empty chart or log, the
filler keeps ``.landing.json`` at the cache root, the run paths listed but not yet landed, and
takes the viewer's requests for one of them (a run path per line on its stdin) to land that run
ahead of the rest (runicorn/sync/segment_landing.py). The viewer's side, :func:`landing_runs`,
reads the file; runicorn/sync/cache_filler.py sends the requests and waits, bounded in time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

import orjson

from runicorn import format as fmt
from runicorn.files.atomic import write_bytes_atomic

LANDING_FILE = ".landing.json"
_RUNS_KEY = "landing"
_MANIFEST_SUFFIX = "/" + fmt.BUCKET_MANIFEST_FILE


def run_path_of(manifest_key: str) -> str:
    return manifest_key[: -len(_MANIFEST_SUFFIX)] if manifest_key.endswith(_MANIFEST_SUFFIX) else ""


class LandingList:
    """The filler's list (thread-safe: the main loop lands, the stdin thread asks)."""

    def __init__(self, cache: Path) -> None:
        self.path = Path(cache) / LANDING_FILE
        self._lock = threading.Lock()
        self._landing: set[str] = set()  # run paths listed, segments not landed
        self._first: set[str] = set()  # of those, the ones the viewer asked for

    def now_landing(self, run_paths: Iterable[str]) -> None:
        """The runs a cycle is about to land (none once it has)."""
        with self._lock:
            self._landing = set(run_paths)
            self._first &= self._landing
            self._write()

    def landed(self, run_path: str) -> None:
        """One run's segments are all in (told at once when the viewer waits for it)."""
        with self._lock:
            self._landing.discard(run_path)
            if run_path in self._first:
                self._first.discard(run_path)
                self._write()

    def ask(self, run_path: str) -> None:
        """The viewer wants ``run_path`` now: ahead of the rest, or told landed if it is."""
        with self._lock:
            if run_path in self._landing:
                self._first.add(run_path)
            else:
                self._write()  # the file was behind: the run has landed since

    def first_keys(self) -> set[str]:
        """The manifest keys of the runs asked for."""
        with self._lock:
            return {f"{p}{_MANIFEST_SUFFIX}" for p in self._first}

    def _write(self) -> None:
        write_bytes_atomic(self.path, orjson.dumps({_RUNS_KEY: sorted(self._landing)}))


def landing_runs(cache: Path) -> frozenset[str]:
    """The run paths the filler's file lists as still landing (none when it has not written one)."""
    try:
        data = orjson.loads((Path(cache) / LANDING_FILE).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return frozenset()
    runs = data.get(_RUNS_KEY) if isinstance(data, dict) else None
    return frozenset(p for p in runs if isinstance(p, str)) if isinstance(runs, list) else frozenset()
