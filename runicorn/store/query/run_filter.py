"""Which runs a list shows and in what order: one value from the route to the index.

``project``, ``name``, ``status`` and ``tag`` compare exactly (``status`` the derived status,
``crashed`` included); ``q`` is a query (:mod:`runicorn.store.query.grammar`) or plain words;
``where`` is a second query (always the grammar, never plain words) that every run must pass as well:
the Runs page's parallel-coordinates brushes, written as value ranges;
``sort`` is a field of the query grammar (see :meth:`runicorn.store.index.run_index.RunIndex.query`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RunFilter:
    """The filters and the order of a run list; the default is every run, newest first."""

    project: str | None = None
    name: str | None = None
    status: str | None = None
    tag: str | None = None
    q: str | None = None
    sort: str = "created"
    descending: bool = True
    where: str | None = None

    @property
    def narrows(self) -> bool:
        """Whether a field other than ``q`` leaves some runs out."""
        return bool(self.project or self.name or self.status or self.tag)


ALL_RUNS = RunFilter()
