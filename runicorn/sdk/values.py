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
from collections.abc import Callable, Mapping
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
    if scalar is not None and type(scalar) is not type(value):  # numpy.float128's item() is itself
        return DROP if scalar is DROP else to_number(scalar)  # item() of a boolean array gives a bool
    if isinstance(value, (numbers.Real, decimal.Decimal)):
        return _float_or_drop(value)
    return DROP


MAX_NESTING = 32  # deeper levels of a summary/config value (or a cycle) are kept as their text

OnDrop = Callable[[str, Any, str], None]  # (key, value, why): a value not saved, warned and counted


def warn_dropped(key: str, value: Any, why: str) -> None:
    """The :data:`OnDrop` of config values given before a run exists: a warning, not counted."""
    log.warning("runicorn: dropped %r for key %r: %s", short_repr(value), key, why)


def to_json_value(value: Any, on_drop: OnDrop = warn_dropped, key: str = "value", depth: int = 0) -> Any:
    """``value`` as plain JSON for summary.json / config.json, numbers as numbers; :data:`DROP`
    for a value that cannot be saved (``on_drop`` says why). Never raises: a key that is not valid
    text, a value whose ``str()`` fails, a mapping that fails to list its items drop that key only.
    ``key`` names the value in those warnings (``a/b`` for a nested one)."""
    try:
        return _json_value(value, on_drop, key, depth)
    except Exception as exc:  # noqa: BLE001 - a value that fails in any way: dropped, never raised
        on_drop(key, value, f"cannot be saved ({_error_text(exc)})")
        return DROP


def _json_value(value: Any, on_drop: OnDrop, key: str, depth: int) -> Any:
    if value is None or isinstance(value, bool) or value is DROP:  # DROP: already warned
        return value
    if isinstance(value, str):
        return _valid_text(value, key)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, int):
        number = _int_or_float(int(value))
        return str(value) if number is DROP else number
    if depth > MAX_NESTING:  # a structure that deep (or a cycle): kept as its text
        text = text_of(value)
        if text is None:
            on_drop(key, value, f"nested deeper than {MAX_NESTING} levels, and its text cannot be made")
            return DROP
        return _valid_text(text, key)
    if isinstance(value, Mapping) or _is_record(value):
        return json_object(mapping_of(value), on_drop, f"{key}/", depth + 1)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [to_json_value(v, on_drop, f"{key}[{i}]", depth + 1) for i, v in enumerate(value)]
        return [None if v is DROP else v for v in items]  # an item that cannot be saved: null
    scalar = _scalar(value)
    if scalar is not None and scalar is not DROP and type(scalar) is not type(value):
        return to_json_value(scalar, on_drop, key, depth + 1)
    if isinstance(value, numbers.Real):  # numpy.float128: its item() is itself
        number = _float_or_drop(value)
        return None if number is DROP else number
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        try:
            listed = tolist()
        except Exception:  # noqa: BLE001 - a tolist() that fails: kept as its text below
            pass
        else:
            return to_json_value(listed, on_drop, key, depth + 1)
    if isinstance(value, (numbers.Real, decimal.Decimal)):
        number = _float_or_drop(value)
        if number is not DROP:
            return number
    text = text_of(value)
    if text is None:
        on_drop(key, value, f"a {type(value).__name__} whose str() fails")
        return DROP
    return _valid_text(text, key)


def json_object(
    items: Mapping[Any, Any], on_drop: OnDrop = warn_dropped, prefix: str = "", depth: int = 0
) -> dict[str, Any]:
    """``items`` as a JSON object by :func:`to_json_value`; a key that is not valid text
    (:func:`key_text`) or a value that cannot be saved drops that key only, through ``on_drop``
    (its key named ``prefix`` + key)."""
    out: dict[str, Any] = {}
    for inner, inner_value in items.items():
        name = key_text(inner)
        if name is None:
            why = "the key is not valid text (its str() fails, or it has a lone surrogate)"
            on_drop(f"{prefix}{inner if isinstance(inner, str) else short_repr(inner)}", inner_value, why)
            continue
        converted = to_json_value(inner_value, on_drop, f"{prefix}{name}", depth)
        if converted is not DROP:
            out[name] = converted
    return out


def text_of(value: Any) -> str | None:
    """``str(value)``, or None when it fails (a ``__str__`` that raises, a structure too deep)."""
    try:
        text = str(value)
    except Exception:  # noqa: BLE001 - RecursionError included
        return None
    return text if isinstance(text, str) else None


def key_text(key: Any) -> str | None:
    """``key`` as the text of a JSON key, or None when it has none: its ``str()`` fails, or the
    text holds a lone surrogate (``"loss\\ud800"``), which UTF-8 cannot hold."""
    text = key if type(key) is str else text_of(key)
    return text if text is not None and is_valid_text(text) else None


def is_valid_text(text: str) -> bool:
    """True when ``text`` can be written as UTF-8 (no lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean_text(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD, so that it can be written as UTF-8."""
    if is_valid_text(text):
        return text
    return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)


_warned_text_keys: set[str] = set()


def _valid_text(text: str, key: str) -> str:
    if is_valid_text(text):
        return text
    if key not in _warned_text_keys:
        _warned_text_keys.add(key)
        log.warning(
            "runicorn: the text of key %r has a lone surrogate: saved with U+FFFD in its place "
            "(warned once per key)",
            key,
        )
    return clean_text(text)


def _error_text(exc: BaseException) -> str:
    return text_of(exc) or type(exc).__name__


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
    """Counts dropped values per key and warns once per key. A key that UTF-8 cannot hold (a
    lone surrogate) is counted under its escaped text (``loss\\ud800``): status.json stays valid."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def drop(self, key: str, value: Any, why: str) -> None:
        if not is_valid_text(key):
            key = key.encode("utf-8", "backslashreplace").decode("utf-8")
        if key not in self.counts:
            log.warning(
                "runicorn: dropped %r for key %r: %s (warned once per key; counted in status.json)",
                short_repr(value),
                key,
                why,
            )
        self.counts[key] += 1


def short_repr(value: Any) -> str:
    """``repr(value)`` cut at 60 characters; ``<TypeName>`` when the repr fails."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a repr that fails (or recurses too deep)
        text = f"<{type(value).__name__}>"
    if not isinstance(text, str):
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:57] + "..."
