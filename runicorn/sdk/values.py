"""What the SDK does with each kind of value, and the bookkeeping of what it drops.

One table, :data:`VALUE_RULES`, says it for people (docs/sdk.md shows the same rows, a test keeps
them equal); :func:`to_number` (``rn.log``) and :func:`to_json_value` (``rn.summary``,
``rn.config``) are the code that follows it. A metric must be a number: ``rn.log`` drops anything
else with one warning per key and counts the drop in status.json. Summary and config are JSON
documents: text, bools, lists and nested objects stay as they are, but numbers in any form
(numpy, torch) become plain JSON numbers.
"""

from __future__ import annotations

import argparse
import dataclasses
import decimal
import logging
import math
import numbers
from collections import Counter
from collections.abc import Mapping
from typing import Any, NamedTuple

log = logging.getLogger("runicorn")

DROP = object()  # the sentinel for "not a metric value"

# The signed 64-bit range: ints inside it are written as they are; JSON readers (and orjson)
# cannot all hold ints beyond it.
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


class ValueRule(NamedTuple):
    value: str  # the kind of value
    in_log: str  # what rn.log does with it
    in_summary_config: str  # what rn.summary and rn.config do with it


VALUE_RULES = (
    ValueRule("int, float (NaN and ±Inf too)", "kept", "kept"),
    ValueRule("int beyond signed 64 bits", "converted to float (dropped if beyond a float)", "same"),
    ValueRule("bool", "0 / 1", "kept (true / false)"),
    ValueRule("numpy scalar, 0-d array, one-element tensor or array", "its number (`.item()`)", "same"),
    ValueRule("decimal.Decimal, fractions.Fraction", "converted to float", "same"),
    ValueRule("dict", "flattened: `{'a': {'b': 1}}` logs `a/b`", "kept nested, values by these rules"),
    ValueRule("bigger tensor or array", "dropped", "a list (`.tolist()`)"),
    ValueRule("list, tuple", "dropped", "a list, items by these rules"),
    ValueRule("str, None", "dropped", "kept"),
    ValueRule("anything else (a Path, an object)", "dropped", "its text (`str(value)`)"),
)
DROPPED_NOTE = "A dropped value is warned once per key and counted per key in status.json (`dropped`)."


def to_number(value: Any) -> Any:
    """``value`` as a Python int/float for ``rn.log``, or :data:`DROP` (dicts are flattened by the caller)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):  # float() too: numpy.float64 is a float subclass orjson refuses
        return float(value)
    if isinstance(value, int):
        return _int_or_float(int(value))
    if isinstance(value, (str, bytes)) or value is None:
        return DROP
    scalar = _scalar(value)
    if scalar is not None:
        return DROP if scalar is DROP else to_number(scalar)  # item() of a boolean array gives a bool
    if isinstance(value, (numbers.Real, decimal.Decimal)):
        return _float_or_drop(value)
    return DROP


def to_json_value(value: Any, depth: int = 0) -> Any:
    """``value`` as plain JSON for summary.json / config.json, numbers as numbers."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, float):
        return float(value)
    if isinstance(value, int):
        number = _int_or_float(int(value))
        return str(value) if number is DROP else number
    if depth > 32:  # a structure that deep (or a cycle): kept as its text
        return str(value)
    if isinstance(value, Mapping) or _is_record(value):
        return {str(k): to_json_value(v, depth + 1) for k, v in mapping_of(value).items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json_value(v, depth + 1) for v in value]
    scalar = _scalar(value)
    if scalar is not None and scalar is not DROP:
        return to_json_value(scalar, depth + 1)
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        try:
            return to_json_value(tolist(), depth + 1)
        except Exception:  # noqa: BLE001 - a tolist() that fails: kept as its text below
            pass
    if isinstance(value, (numbers.Real, decimal.Decimal)):
        number = _float_or_drop(value)
        return str(value) if number is DROP else number
    return str(value)


def mapping_of(value: Any) -> dict[Any, Any]:
    """The items of a dict, any Mapping, an ``argparse.Namespace`` or a dataclass instance."""
    if isinstance(value, Mapping):
        return dict(value.items())
    if isinstance(value, argparse.Namespace):
        return dict(vars(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    raise TypeError(f"not a mapping: {type(value).__name__}")


def _is_record(value: Any) -> bool:
    return isinstance(value, argparse.Namespace) or (
        dataclasses.is_dataclass(value) and not isinstance(value, type)
    )


def _int_or_float(value: int) -> Any:
    if INT64_MIN <= value <= INT64_MAX:
        return value
    return _float_or_drop(value)


def _float_or_drop(value: Any) -> Any:
    try:
        number = float(value)
    except (OverflowError, ValueError, TypeError):
        return DROP
    if math.isinf(number) and not (isinstance(value, float) or _is_infinite_decimal(value)):
        return DROP  # a finite number too large for a float
    return number


def _is_infinite_decimal(value: Any) -> bool:
    return isinstance(value, decimal.Decimal) and value.is_infinite()


def _scalar(value: Any) -> Any:
    """The Python value of a one-element array-like (numpy, torch...), DROP for a bigger one,
    None for something that is not an array-like."""
    item = getattr(value, "item", None)
    if item is None or not callable(item) or isinstance(value, Mapping):
        return None
    size = getattr(value, "size", None)
    if callable(size):  # torch: size() is a method, numel() the count
        size = value.numel() if hasattr(value, "numel") else None
    if size not in (None, 1):
        return DROP
    try:
        return item()
    except (ValueError, RuntimeError, TypeError):
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
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a repr that fails
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:57] + "..."
