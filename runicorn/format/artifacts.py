"""The artifact store under the storage root and a run's ``artifacts.json``
(runicorn/artifacts, docs/artifacts.md)."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, TypedDict

from runicorn.format.run import LOCK_SUFFIX

__all__ = [
    "ARTIFACT_BLOBS_DIR",
    "ARTIFACT_NAMES_DIR",
    "ARTIFACT_VERSIONS_DIR",
    "ARTIFACT_ALIASES_FILE",
    "ARTIFACT_LOCK_FILE",
    "ARTIFACT_VERSION_PATTERN",
    "LATEST_ALIAS",
    "ArtifactEntryData",
    "ArtifactVersionData",
    "ArtifactAliasesData",
    "ArtifactLinkData",
    "ArtifactLinks",
    "LOGGED_KEY",
    "USED_KEY",
    "artifact_digest",
    "is_safe_artifact_path",
    "artifact_blob_relpath",
]


# --- the artifact store --------------------------------------------------------------------
# ``<root>/.artifacts/`` holds:
#   blobs/<sha256[:2]>/<sha256>          a file's bytes, stored once whatever name or run it came from
#   names/<name>/versions/v<N>.json       one version: ArtifactVersionData, written once
#   names/<name>/aliases.json             {"latest": "v3", "best": "v1"}: ArtifactAliasesData, rewritten
#   names/<name>/versions.lock            held (fcntl.flock) while a version is numbered or aliases move
# ``<name>`` is a safe id (:func:`is_safe_id`); versions are numbered from 0 per name; a version's
# ``digest`` is the sha256 of its manifest's canonical form (:func:`artifact_digest`), so identical
# content logged under one name is one version, whichever run logs it.
ARTIFACT_BLOBS_DIR = "blobs"
ARTIFACT_NAMES_DIR = "names"
ARTIFACT_VERSIONS_DIR = "versions"
ARTIFACT_ALIASES_FILE = "aliases.json"
ARTIFACT_LOCK_FILE = "versions" + LOCK_SUFFIX
ARTIFACT_VERSION_PATTERN = re.compile(r"^v(0|[1-9][0-9]{0,8})\Z")
LATEST_ALIAS = "latest"


class ArtifactEntryData(TypedDict, total=False):
    """One file of an artifact's manifest. A stored file has ``sha256`` (its blob) and ``size``; a
    reference has ``ref`` (a path or URL kept as it is) and, for a local file, ``sha256`` and ``size``
    as they were when it was logged."""

    path: str  # inside the artifact, "/"-separated, no "." or ".." parts
    sha256: str
    size: int
    ref: str


class ArtifactVersionData(TypedDict, total=False):
    name: str
    type: str
    version: str  # "v0", "v1", ...
    digest: str  # sha256 of the canonical manifest
    description: str | None
    metadata: dict[str, Any]
    created_at: float
    created_by: str | None  # the run folder (relative to the storage root) that first logged it
    entries: list[ArtifactEntryData]


ArtifactAliasesData = dict[str, str]  # alias -> version


class ArtifactLinkData(TypedDict, total=False):
    """One line of a run's ``artifacts.json``: a version the run logged or used."""

    name: str
    version: str
    digest: str
    type: str
    aliases: list[str]  # the aliases the run gave (logged) or asked for (used)
    at: float


class ArtifactLinks(TypedDict):
    logged: list[ArtifactLinkData]
    used: list[ArtifactLinkData]


LOGGED_KEY = "logged"
USED_KEY = "used"


def artifact_digest(entries: list[ArtifactEntryData]) -> str:
    """The sha256 naming an artifact's content: its entries sorted by path, each as
    ``path``, ``sha256``, ``size`` and ``ref`` (missing ones empty), one JSON array per line."""
    h = hashlib.sha256()
    for entry in sorted(entries, key=lambda e: e["path"]):
        row = [entry["path"], entry.get("sha256", ""), entry.get("size", -1), entry.get("ref", "")]
        h.update(json.dumps(row, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n")
    return h.hexdigest()


def is_safe_artifact_path(path: str) -> bool:
    """True when ``path`` can name a file inside an artifact: relative, "/"-separated, no empty,
    ``.`` or ``..`` part, no backslash or NUL."""
    if not path or path.startswith("/") or "\\" in path or "\x00" in path:
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def artifact_blob_relpath(sha256: str) -> str:
    """``blobs/<sha256[:2]>/<sha256>`` inside the artifact store."""
    return f"{ARTIFACT_BLOBS_DIR}/{sha256[:2]}/{sha256}"
