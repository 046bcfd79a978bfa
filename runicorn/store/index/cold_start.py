"""The runs page and single runs, answered before the index's first full scan is done: :class:`ColdIndex`.

Right after the viewer starts, no run has been read yet, and reading the JSON files of 10,000
runs takes seconds. The first thing the UI asks for, the newest runs (perhaps of one project or
experiment, which the folder path says), needs only the runs on that page. A cold index holds
the list of run folders (no file read) and reads runs in the order of the local time their id
starts with (``YYYYMMDD_HHMMSS``, as :func:`runicorn.format.new_run_id` and the PyPI package name
them) until the runs not read yet cannot belong on the page, as a run's created time lies within
:data:`ID_TIME_SLACK_S` of its id's time. Runs whose id holds no time are always read.

Every run read is checked against that rule. One that breaks it (a run named on a machine with
another time zone, a run copied under a new id) makes the cold index give up, and the query waits
for the full scan, like every query that needs what runs hold (a filter on status, tag or text,
a sort on anything but the created time). So the pages answered are the full scan's (a test
compares them); the full scan, running in the background meanwhile, replaces the cold index.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from runicorn import format as fmt
from runicorn.store.index.run_info import RunInfo, RunPage

ID_TIME_SLACK_S = 2.0
MAX_READS = 2000  # a page that needs more runs read than this waits for the full scan


def id_time(run_id: str) -> float | None:
    """The local time a run id starts with, as a unix time; None when it starts with none."""
    if not fmt.RUN_ID_PATTERN.match(run_id):
        return None
    try:
        return time.mktime(time.strptime(run_id[:15], "%Y%m%d_%H%M%S"))
    except (ValueError, OverflowError):
        return None


@dataclass
class ListedRun:
    """A run folder the listing found, not read yet: where it is and what its path says."""

    key: str
    id: str
    project: str
    name: str
    relpath: str
    layout: str


class ColdIndex:
    """Runs listed but not read, read on demand. Thread-safe.

    ``runs``: every run folder with its key, in relative path order. ``read`` reads one into a
    :class:`RunInfo` (done once per run).
    """

    def __init__(self, runs: list[ListedRun], read: Callable[[ListedRun], RunInfo]) -> None:
        self._read_run = read
        self._lock = threading.Lock()
        self._read_runs: dict[str, RunInfo] = {}  # by relpath
        self._by_key = {listed.key: listed for listed in runs}
        self._by_id: dict[str, list[ListedRun]] = {}
        for listed in runs:
            self._by_id.setdefault(listed.id, []).append(listed)
        # Runs whose id holds a time, oldest id first; and the others.
        self._timed = sorted((r for r in runs if fmt.RUN_ID_PATTERN.match(r.id)), key=lambda r: r.id[:15])
        self._untimed = [r for r in runs if not fmt.RUN_ID_PATTERN.match(r.id)]
        self.gave_up = False

    @property
    def runs_read(self) -> int:
        return len(self._read_runs)

    def get(self, key: str) -> RunInfo | None:
        """The run with this key (or plain id), read; None when not listed."""
        listed = self._by_key.get(key)
        if listed is None:
            same_id = self._by_id.get(key)
            listed = same_id[0] if same_id else None
        if listed is None:
            return None
        with self._lock:
            return self._read(listed)

    def relpaths(self, project: str | None, name: str | None) -> list[str]:
        """The relative paths of the listed run folders of ``project`` and ``name`` (None: any)."""
        return [
            r.relpath
            for r in self._by_key.values()
            if (project is None or r.project == project) and (name is None or r.name == name)
        ]

    def page(
        self, project: str | None, name: str | None, descending: bool, limit: int | None, offset: int
    ) -> RunPage | None:
        """Runs sorted by created time (then key), as the full scan would page them; None when
        that cannot be known without reading too many runs, or the id time rule was broken."""
        if self.gave_up or limit is None:
            return None
        want = offset + limit

        def fits(listed: ListedRun) -> bool:
            return (project is None or listed.project == project) and (name is None or listed.name == name)

        timed = [r for r in self._timed if fits(r)]
        untimed = [r for r in self._untimed if fits(r)]
        if len(untimed) > MAX_READS:
            return None
        if want == 0:
            return RunPage(len(timed) + len(untimed), offset, limit, [])
        if descending:
            timed.reverse()
        sign = 1.0 if descending else -1.0  # compare as if newest first
        with self._lock:
            chosen: list[RunInfo] = []
            best: list[float] = []  # the `want` best created times seen (signed), worst on top
            for listed in untimed:
                info = self._read(listed)
                chosen.append(info)
                _keep_best(best, sign * info.created_at, want)
            for listed in timed:
                if len(best) >= want:
                    next_time = id_time(listed.id)
                    if next_time is not None and best[0] > sign * next_time + ID_TIME_SLACK_S:
                        break  # no run left can come before the page's last one
                read = self._read_checked(listed) if len(chosen) < MAX_READS else None
                if read is None:
                    return None
                chosen.append(read)
                _keep_best(best, sign * read.created_at, want)
        chosen.sort(key=lambda r: (r.created_at, r.key), reverse=descending)
        return RunPage(len(timed) + len(untimed), offset, limit, chosen[offset : offset + limit])

    def _read(self, listed: ListedRun) -> RunInfo:
        info = self._read_runs.get(listed.relpath)
        if info is None:
            info = self._read_runs[listed.relpath] = self._read_run(listed)
        return info

    def _read_checked(self, listed: ListedRun) -> RunInfo | None:
        info = self._read(listed)
        expected = id_time(info.id)
        if expected is None or abs(info.created_at - expected) > ID_TIME_SLACK_S:
            self.gave_up = True
            return None
        return info


def _keep_best(heap: list[float], value: float, size: int) -> None:
    """Keep the ``size`` largest values in the min-heap ``heap``."""
    if size <= 0:
        return
    if len(heap) < size:
        heapq.heappush(heap, value)
    elif value > heap[0]:
        heapq.heapreplace(heap, value)
