"""Answers computed over many runs' JSON files, kept until the index's runs change.

:class:`GenerationCache` holds the latest few answers by key for one generation of the run index
(:attr:`runicorn.store.index.run_index.RunIndex.generation`, which moves on whenever a run is added,
removed or has a JSON file read again); a newer generation drops them all. The answers of one
generation are kept in an :class:`~runicorn.store.lru.LRU`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from runicorn.store.lru import LRU

__all__ = ["GenerationCache"]

T = TypeVar("T")


class GenerationCache(Generic[T]):
    """At most ``max_entries`` answers of one generation, least recently used dropped first."""

    def __init__(self, max_entries: int = 8) -> None:
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._generation = -1
        self._entries: LRU[Hashable, T] = LRU(max_entries)

    def get(self, generation: int, key: Hashable, compute: Callable[[], T]) -> T:
        """The answer kept for ``key`` at ``generation``, else ``compute()`` (kept)."""
        with self._lock:
            if generation != self._generation:
                self._generation, self._entries = generation, LRU(self.max_entries)
            entries = self._entries  # a newer generation replaces it: what is put here then is dropped
        found = entries.get(key)
        if found is not None:
            return found
        value = compute()  # outside any lock: other answers are not held up meanwhile
        entries.put(key, value)
        return value
