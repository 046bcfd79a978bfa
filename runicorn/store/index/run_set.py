"""The runs one scan found, published whole: :class:`RunSet`.

A run set is never changed once built: a scan builds the next one beside it (sharing the
:class:`RunInfo` of every run whose files did not change, copying the others), and the index
swaps the reference. A reader takes the current set once and reads it without a lock.

Run keys (:func:`duplicate_key`): a run is addressed by its ``key``. The key is the run id when that
id is unique under the root. When the same id sits in two folders (a copied run, an imported
archive), every copy gets the key ``<id>.<8 hex of sha1(relative folder path)>``, stable across
restarts; asking for the plain id then returns the copy whose relative path sorts first.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TypeVar

from runicorn import format as fmt
from runicorn.store.index.run_info import GroupInfo, RunInfo

__all__ = ["RunSet", "copy_run", "duplicate_key", "runs_by_id"]


_Run = TypeVar("_Run")


def runs_by_id(runs: Iterable[_Run], id_of: Callable[[_Run], str]) -> dict[str, list[_Run]]:
    """``runs`` grouped by run id, each group in the order of ``runs`` (relative path order)."""
    by_id: dict[str, list[_Run]] = {}
    for run in runs:
        by_id.setdefault(id_of(run), []).append(run)
    return by_id


def duplicate_key(run_id: str, relpath: str) -> str:
    """The key of a run whose id is also in another folder (see the module doc)."""
    return f"{run_id}.{hashlib.sha1(relpath.encode()).hexdigest()[:8]}"


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
        by_id = runs_by_id((runs[rel] for rel in sorted(runs)), attrgetter("id"))
        by_relpath = dict(runs)
        for run_id, same_id in by_id.items():
            for i, info in enumerate(same_id):
                key = run_id if len(same_id) == 1 else duplicate_key(run_id, info.relpath)
                if info.key != key:
                    same_id[i] = by_relpath[info.relpath] = _with_key(info, key)
        by_key = {info.key: info for same_id in by_id.values() for info in same_id}
        newest_first = tuple(sorted(by_key.values(), key=lambda r: (r.created_at, r.key), reverse=True))
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
