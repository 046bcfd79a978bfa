"""Answers computed over many runs' JSON files, kept until the index's runs change.

:class:`GenerationCache` holds the latest few answers by key for one generation of the run index
(:attr:`runicorn.store.index.run_index.RunIndex.generation`, which moves on whenever a run is added,
removed or has a JSON file read again); a newer generation drops them all.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["GenerationCache"]

T = TypeVar("T")


class GenerationCache(Generic[T]):
    """At most ``max_entries`` answers of one generation, least recently used dropped first."""

    def __init__(self, max_entries: int = 8) -> None:
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._generation = -1
        self._entries: OrderedDict[Hashable, T] = OrderedDict()

    def get(self, generation: int, key: Hashable, compute: Callable[[], T]) -> T:
        """The answer kept for ``key`` at ``generation``, else ``compute()`` (kept)."""
        with self._lock:
            if generation != self._generation:
                self._entries.clear()
                self._generation = generation
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        value = compute()  # outside the lock: other answers are not held up meanwhile
        with self._lock:
            if generation == self._generation:
                self._entries[key] = value
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return value
