"""A bounded map that forgets the least recently used entry first, for the store's readers.

The readers keep something per run folder or per file (a run's metric columns, its media
records, a table parsed, where a log's long lines end) so that asking again is cheap, and
memory stays bounded by dropping what nobody asked about for longest. :class:`LRU` is that one
rule by a count of entries, :class:`SizedLRU` by their bytes; what is kept and when it is stale
stays with each reader.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["LRU", "SizedLRU"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """At most ``max_items`` entries, the least recently used dropped first. Thread-safe."""

    def __init__(self, max_items: int) -> None:
        self.max_items = max_items
        self._lock = threading.Lock()
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        """The entry of ``key`` (now the most recently used), or None."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` as the most recently used entry; the oldest go past ``max_items``."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def get_or_add(self, key: K, make: Callable[[], V]) -> V:
        """The entry of ``key``, else ``make()`` kept as one (``make`` runs under the lock)."""
        with self._lock:
            value = self._items.get(key)
            if value is None:
                value = self._items[key] = make()
                while len(self._items) > self.max_items:
                    self._items.popitem(last=False)
            else:
                self._items.move_to_end(key)
            return value

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items


class SizedLRU(Generic[K, V]):
    """Entries of a known size, at most ``max_bytes`` in all, the least recently used dropped
    first (an entry larger than ``max_bytes`` is not kept). Thread-safe."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0

    def get(self, key: K) -> V | None:
        """The entry of ``key`` (now the most recently used), or None."""
        with self._lock:
            entry = self._items.get(key)
            if entry is None:
                return None
            self._items.move_to_end(key)
            return entry[0]

    def put(self, key: K, value: V, size: int) -> None:
        """Keep ``value`` (``size`` bytes) as the most recently used entry, in place of the one of
        ``key``; the oldest go past ``max_bytes``."""
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            if size <= self.max_bytes:
                self._items[key] = (value, size)
                self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    @property
    def nbytes(self) -> int:
        """The bytes of the entries kept (as their sizes were given)."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)
