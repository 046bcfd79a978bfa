"""Which artifacts a run logged and used: the run's ``artifacts.json`` (runicorn/format/artifacts.py).

The run folder is the record of truth for lineage: the store keeps versions, the runs say where
they came from and where they went. The viewer joins the two (runicorn/store/records/artifact_links.py).
The file is rewritten whole (temp file + rename) under a lock, so a reader never sees it torn.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from runicorn import format as fmt
from runicorn.files import write_json_atomic

_lock = threading.Lock()


def parse_links(data: dict[str, Any] | None) -> fmt.ArtifactLinks:
    """A run's ``artifacts.json`` as read (None when missing): only well-formed links kept."""
    out = fmt.ArtifactLinks(logged=[], used=[])
    for kind in (fmt.LOGGED_KEY, fmt.USED_KEY):
        rows = (data or {}).get(kind)
        for row in rows if isinstance(rows, list) else []:
            if (
                isinstance(row, dict)
                and isinstance(row.get("name"), str)
                and fmt.is_safe_id(row["name"])
                and isinstance(row.get("version"), str)
                and fmt.ARTIFACT_VERSION_PATTERN.match(row["version"])
            ):
                aliases = row.get("aliases")
                out[kind].append(  # type: ignore[literal-required]
                    fmt.ArtifactLinkData(
                        name=row["name"],
                        version=row["version"],
                        digest=str(row.get("digest", "")),
                        type=str(row.get("type", "")),
                        aliases=[str(a) for a in aliases] if isinstance(aliases, list) else [],
                        at=float(row["at"]) if type(row.get("at")) in (int, float) else 0.0,
                    )
                )
    return out


def record_link(
    run_dir: Path, kind: str, name: str, version: str, digest: str, type: str, aliases: list[str]
) -> None:
    """Add one link to the run's ``artifacts.json`` (``kind``: ``logged`` or ``used``). A version
    already listed under ``kind`` keeps one line: its aliases are merged."""
    path = Path(run_dir) / fmt.ARTIFACTS_FILE
    with _lock:
        links = parse_links(fmt.read_json(path))
        rows: list[fmt.ArtifactLinkData] = links[kind]  # type: ignore[literal-required]
        for row in rows:
            if row["name"] == name and row["version"] == version:
                row["aliases"] = sorted({*row["aliases"], *aliases})
                break
        else:
            rows.append(
                fmt.ArtifactLinkData(
                    name=name,
                    version=version,
                    digest=digest,
                    type=type,
                    aliases=list(aliases),
                    at=time.time(),
                )
            )
        write_json_atomic(path, dict(links))
