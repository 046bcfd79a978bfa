"""A run logging and using artifacts: the store's calls plus the run's lineage record.

``Run.log_artifact`` and ``Run.use_artifact`` (runicorn/sdk/run.py) call these. Logging never
raises into the training loop: a failure is one warning and ``None``. Using an artifact does
raise :class:`~runicorn.errors.ArtifactError` when it does not exist: the code that asked for it
cannot go on without its files.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from runicorn import format as fmt
from runicorn.artifacts.draft import Draft
from runicorn.artifacts.lineage import record_link
from runicorn.artifacts.store import ArtifactStore, StoredVersion
from runicorn.errors import ArtifactError

log = logging.getLogger("runicorn")

DEFAULT_TYPE = "unspecified"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]+")


def draft_of(
    artifact_or_path: Draft | str | os.PathLike[str], name: str | None = None, type: str | None = None
) -> Draft:
    """A draft as given, or one made of a file or folder path (named after it unless ``name``)."""
    if isinstance(artifact_or_path, Draft):
        return artifact_or_path
    path = Path(artifact_or_path)
    if name is None:
        name = _UNSAFE.sub("_", path.name).lstrip("._") or "artifact"
    draft = Draft(name, type or DEFAULT_TYPE)
    if path.is_dir():
        draft.add_dir(path)
    else:
        draft.add_file(path)
    return draft


def log_artifact(
    storage_root: Path,
    run_dir: Path | None,
    artifact_or_path: Draft | str | os.PathLike[str],
    name: str | None = None,
    type: str | None = None,
    aliases: list[str] | tuple[str, ...] | None = None,
) -> StoredVersion | None:
    """Store the artifact, record it as logged by the run in ``run_dir``; None (and one warning)
    when it cannot be logged."""
    try:
        draft = draft_of(artifact_or_path, name, type)
        created_by = _relative(run_dir, storage_root)
        version = ArtifactStore(storage_root).log(draft, list(aliases or ()), created_by=created_by)
        if run_dir is not None:
            given = sorted({fmt.LATEST_ALIAS, *(aliases or ())})
            record_link(
                run_dir, fmt.LOGGED_KEY, version.name, version.version, version.digest, version.type, given
            )
        return version
    except (ArtifactError, OSError) as exc:
        log.warning("runicorn: log_artifact skipped: %s", exc)
        return None
    except Exception as exc:  # noqa: BLE001 - never raise into the training loop
        log.warning("runicorn: log_artifact failed and was skipped: %r", exc)
        return None


def use_artifact(
    storage_root: Path, run_dir: Path | None, spec: str, type: str | None = None
) -> StoredVersion:
    """The version ``spec`` names (``name``, ``name:latest``, ``name:v1``, ``name:<alias>``),
    recorded as used by the run in ``run_dir``; ArtifactError when there is none."""
    version = ArtifactStore(storage_root).resolve(spec)
    if type is not None and version.type != type:
        raise ArtifactError(
            f"artifact {version.name!r} has type {version.type!r}, not {type!r}", "pass its type, or no type"
        )
    if run_dir is not None:
        asked = str(spec).rsplit("/", 1)[-1].partition(":")[2] or fmt.LATEST_ALIAS
        try:
            record_link(
                run_dir, fmt.USED_KEY, version.name, version.version, version.digest, version.type, [asked]
            )
        except OSError as exc:
            log.warning("runicorn: could not record in %s that %s was used: %s", run_dir, spec, exc)
    return version


def _relative(run_dir: Path | None, root: Path) -> str | None:
    if run_dir is None:
        return None
    try:
        return Path(run_dir).relative_to(root).as_posix()
    except ValueError:
        return None


__all__ = ["DEFAULT_TYPE", "draft_of", "log_artifact", "use_artifact"]
