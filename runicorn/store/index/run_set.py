"""The runs one scan found, published whole: :class:`RunSet`.

A run set is never changed once built: a scan builds the next one beside it (sharing the
:class:`RunInfo` of every run whose files did not change, copying the others), and the index
swaps the reference. A reader takes the current set once and reads it without a lock.

Run keys (:func:`run_keys`): a run is addressed by its ``key``. The key is the run id when that
id is unique under the root. When the same id sits in two folders (a copied run, an imported
archive), every copy gets the key ``<id>.<8 hex of sha1(relative folder path)>``, stable across
restarts; asking for the plain id then returns the copy whose relative path sorts first.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from runicorn import format as fmt
from runicorn.store.index.run_info import GroupInfo, RunInfo

__all__ = ["RunSet", "copy_run", "run_keys"]


class _HasPlace(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def relpath(self) -> str: ...


def run_keys(runs: Sequence[_HasPlace]) -> list[str]:
    """The key of each of ``runs`` (see the module doc), in their order; ``runs`` in relative
    path order."""
    count: dict[str, int] = {}
    for run in runs:
        count[run.id] = count.get(run.id, 0) + 1
    return [
        run.id if count[run.id] == 1 else f"{run.id}.{hashlib.sha1(run.relpath.encode()).hexdigest()[:8]}"
        for run in runs
    ]


def copy_run(info: RunInfo) -> RunInfo:
    """A copy of a published run that a scan may change (its own warnings and caches)."""
    out = copy.copy(info)
    out._file_warnings = dict(info._file_warnings)
    out._flat = dict(info._flat)
    return out


@dataclass(frozen=True)
class RunSet:
    """Every run under the root as one scan left them. Never changed once built.

    ``generation`` counts the sets whose runs' JSON files changed (a run added, removed or read
    again): what is computed over the runs' contents is kept per generation. ``skipped`` holds
    the folders that look like runs but are not served, by relative path, with the reason.
    """

    newest_first: tuple[RunInfo, ...] = ()
    by_key: Mapping[str, RunInfo] = field(default_factory=dict)
    by_id: Mapping[str, Sequence[RunInfo]] = field(default_factory=dict)
    by_relpath: Mapping[str, RunInfo] = field(default_factory=dict)
    skipped: Mapping[str, str] = field(default_factory=dict)
    generation: int = 0

    @classmethod
    def build(cls, runs: Mapping[str, RunInfo], skipped: Mapping[str, str], generation: int) -> RunSet:
        """The set of ``runs`` (by relative path), each with its key: a run whose key changes
        (its id was met again elsewhere) is copied, never changed in place."""
        in_order = [runs[rel] for rel in sorted(runs)]
        keyed = [
            info if info.key == key else _with_key(info, key)
            for info, key in zip(in_order, run_keys(in_order), strict=True)
        ]
        by_id: dict[str, list[RunInfo]] = {}
        for info in keyed:
            by_id.setdefault(info.id, []).append(info)
        by_key = {info.key: info for info in keyed}
        newest_first = tuple(sorted(by_key.values(), key=lambda r: (r.created_at, r.key), reverse=True))
        by_relpath = {info.relpath: info for info in keyed}
        return cls(newest_first, by_key, by_id, by_relpath, dict(skipped), generation)

    def lookup(self, key: str) -> RunInfo | None:
        """The run with this key, else the first by folder path with this plain id."""
        info = self.by_key.get(key)
        if info is None:
            same_id = self.by_id.get(key)
            info = same_id[0] if same_id else None
        return info

    def groups(self, key_of: Callable[[RunInfo], str], project: str | None, now: float) -> list[GroupInfo]:
        """The runs (of ``project``, or all) grouped by ``key_of``, with run counts, by name."""
        groups: dict[str, GroupInfo] = {}
        for run in self.newest_first:
            if project is not None and run.project != project:
                continue
            name = key_of(run)
            g = groups.get(name)
            if g is None:
                g = groups[name] = GroupInfo(name, 0, 0.0, 0)
            g.run_count += 1
            g.last_created_at = max(g.last_created_at, run.created_at)
            g.running += run.state(now) == fmt.RUNNING
        return [groups[k] for k in sorted(groups)]


def _with_key(info: RunInfo, key: str) -> RunInfo:
    out = copy_run(info)
    out.key = key
    return out
