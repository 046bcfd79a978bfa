"""Which runs logged and used each artifact version: the runs' ``artifacts.json`` joined.

Each run's file is read through :mod:`runicorn.files` (a link out of the run is
refused) and kept until its size or modification time changes, so a listing re-reads only the
runs that logged or used something since.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.artifacts.lineage import parse_links
from runicorn.files import read_run_json, stat_run_file
from runicorn.store.index.run_index import RunIndex, RunInfo

Stamp = tuple[int, int]


def run_ref(info: RunInfo) -> dict[str, Any]:
    """How the API names a run beside an artifact: enough to link to its page."""
    return {
        "key": info.key,
        "id": info.id,
        "project": info.project,
        "name": info.name,
        "status": info.state(),
    }


class ArtifactLinksIndex:
    """The artifact links of every run of an index, read lazily and cached per run file."""

    def __init__(self, index: RunIndex) -> None:
        self.index = index
        self._cache: dict[Path, tuple[Stamp, fmt.ArtifactLinks]] = {}
        self._lock = threading.Lock()

    def links_of(self, info: RunInfo) -> fmt.ArtifactLinks:
        """The run's links (empty when it has no ``artifacts.json`` or it cannot be read)."""
        try:
            st = stat_run_file(info.path, fmt.ARTIFACTS_FILE)
        except OSError:
            return fmt.ArtifactLinks(logged=[], used=[])
        stamp = (st.st_mtime_ns, st.st_size)
        with self._lock:
            cached = self._cache.get(info.path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        links = parse_links(read_run_json(info.path, fmt.ARTIFACTS_FILE))
        with self._lock:
            self._cache[info.path] = (stamp, links)
        return links

    def by_version(self) -> dict[tuple[str, str], dict[str, list[dict[str, Any]]]]:
        """``(name, version) -> {"logged_by": [run...], "used_by": [run...]}``, runs newest first."""
        out: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = {}
        runs = sorted(self.index.runs(), key=lambda r: r.created_at or 0.0, reverse=True)
        for info in runs:
            links = self.links_of(info)
            for kind, label in ((fmt.LOGGED_KEY, "logged_by"), (fmt.USED_KEY, "used_by")):
                for link in links[kind]:  # type: ignore[literal-required]
                    slot = out.setdefault((link["name"], link["version"]), {"logged_by": [], "used_by": []})
                    slot[label].append(run_ref(info))
        return out
