"""``wandb.summary``: W&B's view of a run's summary, nested dicts included.

As in W&B, the view reads the current summary through a callback and reports each change as a
:class:`SummaryRecord` (the key paths set, the key paths removed) to an update callback: a nested
dict read from it is itself a view, so ``summary["a"]["b"] = 1`` and ``del summary["a"]["b"]``
change the run's summary (the path ``("a", "b")``). A run's summary is kept by
:class:`runicorn.wandb.summary_book.SummaryBook`, which applies the records and writes
summary.json through the SDK.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from runicorn.wandb.key_view import KeyView


@dataclass
class SummaryItem:
    key: tuple[str, ...]
    value: Any = None


@dataclass
class SummaryRecord:
    """One change of a summary: the paths set (with their values) and the paths removed."""

    update: list[SummaryItem] = field(default_factory=list)
    remove: list[SummaryItem] = field(default_factory=list)


class SummaryDict(KeyView):
    """A dict of the summary read by item and by attribute; nested dicts are views too."""

    _private_prefix = "_"

    def _path(self) -> tuple[str, ...]:
        raise NotImplementedError

    def _root(self) -> Summary:
        raise NotImplementedError

    def _mapping(self) -> dict[str, Any]:
        node: Any = self._root()._get_current()
        for part in self._path():
            node = node[part] if isinstance(node, dict) else {}
        return node if isinstance(node, dict) else {}

    # --- reading ------------------------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        value = self._mapping()[key]
        if isinstance(value, dict):
            return SummarySubDict(self._root(), (*self._path(), key))
        return value

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SummaryDict):
            return self._mapping() == other._mapping()
        if isinstance(other, dict):
            return self._mapping() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def keys(self) -> list[str]:
        return list(self._mapping())

    def values(self) -> list[Any]:
        return [self[k] for k in self._mapping()]

    def items(self) -> list[tuple[str, Any]]:
        return [(k, self[k]) for k in self._mapping()]

    def as_dict(self) -> dict[str, Any]:
        return _copy(self._mapping())

    def __repr__(self) -> str:
        return repr(self._mapping())

    # --- writing ------------------------------------------------------------------------------
    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __setattr__(self, key: str, value: Any) -> None:
        if key.startswith("_"):
            object.__setattr__(self, key, value)
        else:
            self.update({key: value})

    def __delitem__(self, key: str) -> None:
        if key not in self._mapping():
            raise KeyError(key)
        self._root()._send(SummaryRecord(remove=[SummaryItem((*self._path(), str(key)))]))

    def __delattr__(self, key: str) -> None:
        del self[key]

    def update(self, d: Any = None, **kwargs: Any) -> None:
        values = {**dict(d or {}), **kwargs}
        items = [SummaryItem((*self._path(), str(k)), _plain(v)) for k, v in values.items()]
        if items:
            self._root()._send(SummaryRecord(update=items))


class Summary(SummaryDict):
    """The summary of one run: ``get_current_summary_callback()`` gives it as a nested dict."""

    def __init__(self, get_current_summary_callback: Callable[[], dict[str, Any]]) -> None:
        object.__setattr__(self, "_get_current", get_current_summary_callback)
        object.__setattr__(self, "_update_callback", None)

    def _set_update_callback(self, update_callback: Callable[[SummaryRecord], None]) -> None:
        object.__setattr__(self, "_update_callback", update_callback)

    def _path(self) -> tuple[str, ...]:
        return ()

    def _root(self) -> Summary:
        return self

    def _send(self, record: SummaryRecord) -> None:
        if self._update_callback is not None:
            self._update_callback(record)


class SummarySubDict(SummaryDict):
    """The nested dict at ``path`` of a run's summary."""

    def __init__(self, root: Summary, path: tuple[str, ...]) -> None:
        object.__setattr__(self, "_summary", root)
        object.__setattr__(self, "_at", path)

    def _path(self) -> tuple[str, ...]:
        return self._at

    def _root(self) -> Summary:
        return self._summary


def _plain(value: Any) -> Any:
    """A view given as a value is stored as the dict it shows."""
    return value.as_dict() if isinstance(value, SummaryDict) else value


def _copy(value: Any) -> Any:
    return {k: _copy(v) for k, v in value.items()} if isinstance(value, dict) else value
