"""When the runs are scanned again, and by whom: :class:`RescanScheduler`.

It holds the published :class:`~runicorn.store.index.run_set.RunSet` and replaces it after each
scan of its :class:`~runicorn.store.index.scanner.Scanner`. Scans happen at most every
``refresh_interval_s`` seconds, on demand (a reader asking), so a new run appears on its own
without any watcher thread; every ``full_check_interval_s`` a scan looks into every run folder.

With ``background=True`` (the viewer's choice) a reader never waits for a long re-scan: a stale
set answers at once and one re-scan thread starts. The first scan also runs in the background;
until it is done, the default runs page and single runs are answered by a
:class:`~runicorn.store.index.cold_start.ColdIndex` and other queries wait for it. With
``background=False`` every scan is done in the caller.

A background re-scan is Python work that would make every request wait for its turn at the
interpreter lock, so it pauses while a reader holds scans (:meth:`RescanScheduler.hold_scans`)
and for a moment after, at most ``MAX_HOLD_S`` in all per re-scan; a reader waiting for the scan
itself is never kept waiting that way. One lock guards the scheduler's state; one thread scans.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from runicorn.store.index.cold_start import ColdIndex
from runicorn.store.index.run_set import RunSet
from runicorn.store.index.scanner import Scanner

__all__ = ["MAX_HOLD_S", "MAX_SCAN_IN_REQUEST_S", "RescanScheduler"]

# A background re-scan waits while a reader holds scans (hold_scans) and for a moment after,
# at most MAX_HOLD_S in all per re-scan.
MAX_HOLD_S = 10.0
QUIET_AFTER_READ_S = 0.05
YIELD_EVERY_S, YIELD_FOR_S = 0.002, 0.0001  # a background re-scan's pauses for new requests
# A request finding the set older than the re-scan interval waits for a re-scan if the last one
# took at most this long (else it is answered from memory while one runs in the background).
MAX_SCAN_IN_REQUEST_S = 0.5
_NEVER = -1e18


@dataclass(frozen=True)
class RescanRules:
    """How fresh the run set is kept. ``refresh_interval_s``: a reader finding it older asks for
    a re-scan; ``full_check_interval_s``: how often a scan looks into every run folder;
    ``background``: re-scans run in a thread of their own (the viewer) or in the asking call
    (the CLI); ``rescan_pause_factor``: in the background, a re-scan waits at least this many
    times the last one's duration, so re-scanning a huge tree never takes more than a small
    share of the CPU."""

    refresh_interval_s: float = 1.0
    full_check_interval_s: float = 10.0
    background: bool = False
    rescan_pause_factor: float = 10.0


NEW_RUNS_ON_DEMAND = RescanRules()  # the default: re-scans in the asking call


class RescanScheduler:
    """Scans ``scanner``'s root when the freshness rules say so; ``run_set`` is the latest set.
    Thread-safe."""

    def __init__(self, scanner: Scanner, rules: RescanRules = NEW_RUNS_ON_DEMAND) -> None:
        self.scanner = scanner
        self.rules = rules
        self.run_set = RunSet()  # published: replaced whole, read without the lock
        self.last_error: str | None = None  # what stopped the last background re-scan, if anything
        self._cond = threading.Condition()  # the one lock, over everything below
        self._scanning = False  # a scan (or the cold listing) is using the scanner
        self._building_cold = False
        self._thread: threading.Thread | None = None
        self.cold: ColdIndex | None = None  # until the first scan is published
        self._holds = 0  # readers asking background re-scans to wait (hold_scans)
        self._quiet_until = 0.0  # monotonic time until which background re-scans keep waiting
        self._scan_waiters = 0  # readers waiting for a scan to finish (it then waits for no one)
        self._refreshed_at = _NEVER
        self._full_checked_at = _NEVER
        self._last_scan_s = 0.0

    @property
    def scanned(self) -> bool:
        """Whether a first scan was published."""
        return self._refreshed_at > _NEVER / 10

    # --- scanning ------------------------------------------------------------------------------
    def refresh(self, force: bool = False, max_age_s: float | None = None) -> None:
        """Re-scan now, in the caller: a no-op when the last re-scan is younger than ``max_age_s``
        (default ``refresh_interval_s``); ``force`` re-scans now and re-checks every run's files."""
        self._scan(force, max_age_s, yielding=False)

    def _scan(self, force: bool, max_age_s: float | None, yielding: bool, full_ok: bool = True) -> None:
        with self._cond:
            if not yielding:  # a reader waiting for the scan: the scan must not wait for readers now
                self._scan_waiters += 1
            try:
                while self._scanning:
                    self._cond.wait()
            finally:
                if not yielding:
                    self._scan_waiters -= 1
            self._scanning = True
        try:
            self._scan_now(force, max_age_s, yielding, full_ok)
        finally:
            with self._cond:
                self._scanning = False
                self._cond.notify_all()

    def _scan_now(self, force: bool, max_age_s: float | None, yielding: bool, full_ok: bool) -> None:
        now = time.monotonic()
        age = self.rules.refresh_interval_s if max_age_s is None else max_age_s
        if not force and now - self._refreshed_at < age:
            return
        full = force or (full_ok and self._full_check_due(now))
        pauses = _Pauses(self._readers_active) if yielding else None
        run_set = self.scanner.scan(self.run_set, full, pauses)
        with self._cond:
            self.run_set = run_set
            self.cold = None
        self._refreshed_at = time.monotonic()
        self._last_scan_s = self._refreshed_at - now - (pauses.waited_s if pauses else 0.0)
        if full:
            self._full_checked_at = self._refreshed_at

    def _full_check_due(self, now: float) -> bool:
        full_every_s = max(
            self.rules.full_check_interval_s, self._last_scan_s * 5 * self.rules.rescan_pause_factor
        )
        return now - self._full_checked_at >= full_every_s

    def _readers_active(self) -> bool:
        return not self._scan_waiters and (self._holds > 0 or time.monotonic() < self._quiet_until)

    @contextmanager
    def hold_scans(self) -> Iterator[None]:
        """Background re-scans pause while a reader reads, and for ``QUIET_AFTER_READ_S`` after
        (while the answer is sent), at most ``MAX_HOLD_S`` per re-scan."""
        with self._cond:
            self._holds += 1
        try:
            yield
        finally:
            with self._cond:
                self._holds -= 1
                self._quiet_until = time.monotonic() + QUIET_AFTER_READ_S

    def ensure_fresh(self) -> None:
        """Make the set at most a re-scan interval old for this request.

        In the background mode a request that finds the set older than the interval (the
        viewer sat idle: nobody asked while it aged) waits for an incremental re-scan (folder
        mtimes; the every-10-s check of all files is left to the background), unless re-scans
        take longer than ``MAX_SCAN_IN_REQUEST_S``. A request that finds it older than half the
        interval starts a background re-scan and is answered from memory, so a busy viewer's
        requests find the set young and never wait."""
        if not self.scanned or not self.rules.background:
            self.refresh()
            return
        interval_s = max(self.rules.refresh_interval_s, self._last_scan_s * self.rules.rescan_pause_factor)
        age_s = time.monotonic() - self._refreshed_at
        if age_s >= interval_s and self._last_scan_s <= MAX_SCAN_IN_REQUEST_S:
            self._scan(False, interval_s, yielding=False, full_ok=False)
            if self._full_check_due(time.monotonic()):
                self._refresh_in_background()
        elif age_s >= interval_s / 2:
            self._refresh_in_background()

    def _refresh_in_background(self) -> None:
        with self._cond:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._refresh_quietly, name="runicorn-rescan", daemon=True
                )
                self._thread.start()

    def _refresh_quietly(self) -> None:
        try:
            self._scan(False, None, yielding=True)
            self.last_error = None
        except Exception as exc:  # a background thread must not die loudly; the set stays usable
            self.last_error = f"{type(exc).__name__}: {exc}"

    def wait_for_first_scan(self) -> None:
        """Wait until a first scan is published, by whoever starts it (it starts none)."""
        with self._cond:
            while not self.scanned:
                self._cond.wait()

    def wait_for_refresh(self, timeout_s: float | None = None) -> None:
        """Wait for a background re-scan in progress, if any (for tests and the bench)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout_s)

    # --- the cold start ------------------------------------------------------------------------
    def cold_index(self) -> ColdIndex | None:
        """Before the first scan is published (background mode): the cold index, built on first
        use from a listing of the run folders, with the first scan started in the background."""
        if not self.rules.background or self.scanned:
            return None
        with self._cond:
            while self._building_cold:  # one cold index built at a time
                self._cond.wait()
            if self.cold is not None or self.scanned:
                return self.cold
            if self._scanning:
                return None  # a first scan is already running in a caller: wait for it
            self._scanning = self._building_cold = True
        cold = None
        try:
            try:
                runs = self.scanner.listed()
            finally:
                with self._cond:
                    self._scanning = False
                    self._cond.notify_all()
            cold = ColdIndex(runs, self.scanner.read_listed)
        finally:
            with self._cond:
                self._building_cold = False
                if cold is not None:
                    self.cold = cold
                self._cond.notify_all()
        self._refresh_in_background()
        return cold


class _Pauses:
    """A background scan's pauses before each run: while readers are active (at most
    ``MAX_HOLD_S`` in all), else a moment now and then, which hands the interpreter lock to a
    request that just came in (it would otherwise wait up to the switch interval, 5 ms, each
    time)."""

    def __init__(self, readers_active: Callable[[], bool]) -> None:
        self._readers_active = readers_active
        self._held_until: float | None = None
        self._yielded_at = 0.0
        self.waited_s = 0.0

    def __call__(self) -> None:
        if self._held_until is None:  # the first run: the listing is done
            self._held_until = time.monotonic() + MAX_HOLD_S
            self._yielded_at = time.monotonic()
        if self._readers_active():
            start = time.monotonic()
            while self._readers_active() and time.monotonic() < self._held_until:
                time.sleep(0.005)
            self.waited_s += time.monotonic() - start
        elif time.monotonic() - self._yielded_at > YIELD_EVERY_S:
            time.sleep(YIELD_FOR_S)
            self._yielded_at = time.monotonic()
