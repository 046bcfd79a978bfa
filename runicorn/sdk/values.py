"""What ``rn.log`` accepts as a metric value, and the bookkeeping of what it drops.

Python ints and floats pass straight through (NaN and infinities included). numpy scalars,
0-d arrays, torch 0-d tensors and other one-element array-likes become Python numbers through
``.item()``; bools become 0/1. Anything else (strings, None, lists, big tensors) is dropped with
one warning per key, and every drop is counted so the run's status records it at finish.
"""

from __future__ import annotations

import decimal
import logging
import numbers
from collections import Counter
from typing import Any

log = logging.getLogger("runicorn")

DROP = object()  # the sentinel for "not a metric value"


def to_number(value: Any) -> Any:
    """``value`` as a Python int/float, or :data:`DROP`."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):  # float() too: numpy.float64 is a float subclass orjson refuses
        return float(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, (str, bytes)) or value is None:
        return DROP
    item = getattr(value, "item", None)
    if item is not None:
        size = getattr(value, "size", None)
        if callable(size):  # torch: size() is a method, numel() the count
            size = value.numel() if hasattr(value, "numel") else None
        if size not in (None, 1):
            return DROP
        try:
            value = item()
        except (ValueError, RuntimeError, TypeError):
            return DROP
        return to_number(value)  # item() of a boolean array gives a bool
    if isinstance(value, (numbers.Real, decimal.Decimal)):
        return float(value)
    return DROP


class DropLedger:
    """Counts dropped values per key and warns once per key."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def drop(self, key: str, value: Any, why: str) -> None:
        if key not in self.counts:
            log.warning(
                "runicorn: dropped %r for key %r: %s (warned once per key; counted in status.json)",
                _short(value),
                key,
                why,
            )
        self.counts[key] += 1


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
