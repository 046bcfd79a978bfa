"""A run's summary as the index keeps it: :class:`SummaryValues`, a read-only mapping in a
compact form.

Written by this SDK, a run's summary holds the last value of every metric it logged: 1,500
metrics make 1,500 keys in each of 1,500 runs. As Python dicts that is 2.25M entries, each key
string of every run its own object, and most of the index's memory. Here the runs whose summaries
have the same keys in the same order share one :class:`KeySet` (the key tuple and a key -> position
dict, interned while some run holds it), and each run keeps only its values: an ``array('d')``
when every value is a float (8 bytes each), else a tuple. A dict is made only for a run that is
answered (:meth:`SummaryValues.to_dict`).

A summary whose values hold a NaN keeps a tuple of the values as read, so that value statistics
(:func:`runicorn.store.query.columns.column_stats`) tell them apart as they tell the read objects
apart; an array holds numbers that compare by value alone.
"""

from __future__ import annotations

import struct
import threading
import weakref
from array import array
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["KeySet", "SummaryValues", "key_set"]


class KeySet:
    """The keys of summaries, in order, and each key's position. Shared: never changed."""

    __slots__ = ("__weakref__", "index", "keys")

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys
        self.index = {k: i for i, k in enumerate(keys)}


_key_sets: weakref.WeakValueDictionary[tuple[str, ...], KeySet] = weakref.WeakValueDictionary()
_key_sets_lock = threading.Lock()


def key_set(keys: tuple[str, ...]) -> KeySet:
    """The one :class:`KeySet` of ``keys`` while some summary holds it (made when none does)."""
    with _key_sets_lock:
        found = _key_sets.get(keys)
        if found is None:
            found = _key_sets[keys] = KeySet(keys)
        return found


_EMPTY_KEYS = KeySet(())


class SummaryValues(Mapping[str, Any]):
    """A run's summary: a read-only mapping of its keys (in their order) to their values."""

    __slots__ = ("key_set", "nested", "ordered_values")

    key_set: KeySet
    ordered_values: array[float] | tuple[Any, ...]  # in the order of key_set.keys
    nested: bool  # some value is a JSON object (a nested summary, see flat_summary)

    def __init__(self, keys: KeySet, values: array[float] | tuple[Any, ...], nested: bool) -> None:
        self.key_set, self.ordered_values, self.nested = keys, values, nested

    @classmethod
    def of_nothing(cls) -> SummaryValues:
        """An empty summary."""
        return cls(_EMPTY_KEYS, (), False)

    @classmethod
    def of(cls, d: Mapping[str, Any], leave_out: str | None = None) -> SummaryValues:
        """The summary of the mapping ``d`` (without its key ``leave_out``)."""
        if isinstance(d, SummaryValues) and (leave_out is None or leave_out not in d.key_set.index):
            return d
        if leave_out is not None and leave_out in d:
            d = dict(d)
            del d[leave_out]
        keys = tuple(d)
        if not keys:
            return cls.of_nothing()
        values: tuple[Any, ...] = tuple(d.values())
        if list(map(type, values)).count(float) == len(values):  # every value a float, in C
            total = sum(values)  # NaN when some value is NaN (or infinities of both signs)
            if total == total:
                floats = array("d")
                floats.frombytes(struct.pack(f"{len(values)}d", *values))  # faster than array("d", values)
                return cls(key_set(keys), floats, False)
        return cls(key_set(keys), values, any(issubclass(c, dict) for c in set(map(type, values))))

    @property
    def floats(self) -> bool:
        """Every value is a float, none NaN (kept as an array)."""
        return self.ordered_values.__class__ is array

    def to_dict(self) -> dict[str, Any]:
        """A new dict of the summary (what a run's answer holds)."""
        return dict(zip(self.key_set.keys, self.ordered_values, strict=True))

    def get(self, key: str, default: Any = None) -> Any:
        i = self.key_set.index.get(key)
        return default if i is None else self.ordered_values[i]

    def __getitem__(self, key: str) -> Any:
        return self.ordered_values[self.key_set.index[key]]

    def __contains__(self, key: object) -> bool:
        return key in self.key_set.index

    def __iter__(self) -> Iterator[str]:
        return iter(self.key_set.keys)

    def __len__(self) -> int:
        return len(self.key_set.keys)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self.to_dict() == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # a mapping, compared by value

    def __repr__(self) -> str:
        return f"SummaryValues({self.to_dict()!r})"
