"""A run's summary as the SDK keeps it: each logged metric's last value, and what the program set.

Mixed into :class:`~runicorn.sdk.run.Run`. Two dicts, both O(keys): ``_last`` (updated by every
``log`` with one C-level ``dict.update``) and ``_summary`` (``rn.summary``'s values). W&B's rule:
a value set with ``rn.summary`` wins until the key is logged again, and a log replaces it.
``summary.json`` gets both merged, with a note saying which keys were set
(:mod:`runicorn.format.summary`). It is written at once by ``rn.summary``, by the writer thread's
tick at most every :data:`~runicorn.format.SUMMARY_SAVE_INTERVAL_S` while logs change it (so a run
killed without ``finish`` keeps summaries that old at most), and at ``finish``. Only numbers reach
``_last``: what the history keeps (text, bools and lists are ``rn.summary``'s).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from runicorn import format as fmt

_RESERVED = fmt.RESERVED_METRIC_KEYS


class SummaryState:
    """The summary part of a run (see the module)."""

    _summary: dict[str, Any]
    _last: dict[str, Any]
    _keeps_last: Any
    _summary_lock: threading.Lock
    _summary_dirty: bool
    _summary_saved_at: float
    _summary_complete: bool

    def _write_json(self, file_name: str, value: dict[str, Any]) -> None:
        raise NotImplementedError

    def _take_summary(self, written: dict[str, Any], step: int) -> bool:
        """Start from the summary.json a resumed run (or a guest's wrapper run) has; whether
        the summary holds every logged metric's last value: not for one whose events hold
        metrics (``step``) that an older writer logged without them (a reader adds those)."""
        values, note = fmt.split_summary(written)
        if note is None:  # written by the program alone (an older version, another writer)
            self._summary.update(values)
            return step == 0
        explicit = note.get("explicit")
        keys = {k for k in explicit if isinstance(k, str)} if isinstance(explicit, list) else set()
        for key, value in values.items():
            (self._summary if key in keys else self._last)[key] = value
        return fmt.has_last_values(note)

    def _replace_explicit(self, record: dict[str, Any]) -> None:
        """A log replaces the values the program set for the keys it holds."""
        summary = self._summary
        for key in summary.keys() & record.keys():
            if key not in _RESERVED:
                del summary[key]

    def _remember_some(self, record: dict[str, Any]) -> None:
        """``log`` under a ``summary_keeps_last`` test: only the keys it keeps."""
        keeps_of: dict[str, bool] = self.__dict__.setdefault("_keeps_of", {})
        last, summary = self._last, self._summary
        for key, value in record.items():
            keep = keeps_of.get(key)
            if keep is None:
                try:
                    keep = keeps_of[key] = key not in _RESERVED and bool(self._keeps_last(key))
                except Exception:  # noqa: BLE001 - a failing test keeps the default
                    keep = keeps_of[key] = key not in _RESERVED
            if keep:
                last[key] = value
                summary.pop(key, None)

    def summary_remove(self, keys: Any) -> None:
        """Take ``keys`` out of the summary, logged or set, with the keys under ``key/``, and
        write summary.json (W&B's ``del summary[key]``; a later log of the key brings it back)."""
        prefixes = tuple(f"{key}/" for key in keys)
        gone = set(keys)
        for values in (self._last, self._summary):
            for key in [k for k in values if k in gone or k.startswith(prefixes)]:
                del values[key]
        self._save_summary()

    def _summary_now(self) -> dict[str, Any]:
        """summary.json as it should be now (the reserved keys of logged rows left out)."""
        last = dict(self._last)
        for key in _RESERVED:
            last.pop(key, None)
        out = fmt.summary_file(last, self._summary)
        if not self._summary_complete:
            out[fmt.SUMMARY_NOTE_KEY]["last_values"] = False
        return out

    def _save_summary(self) -> None:
        """Write summary.json now (one writer at a time: the caller's thread or the writer's)."""
        with self._summary_lock:
            self._summary_dirty = False
            self._summary_saved_at = time.monotonic()
            if getattr(self, "_child", None) is not None:  # a forked process sends what it set
                self._write_json(fmt.SUMMARY_FILE, dict(self._summary))
            else:
                self._write_json(fmt.SUMMARY_FILE, self._summary_now())
