"""The trust record: which ``.runicorn.toml`` files the user vouched for with ``runicorn trust``.

A project file in a cloned repository is someone else's text. Its settings that send data or
credentials somewhere (see ``reach`` in runicorn/settings.py) count only once the user trusted
that very file: its resolved path and the SHA-256 of its bytes are kept in the user config under
``trusted_project_files``. A changed file has another hash and needs trusting again, as with
direnv. Pure functions over the user config's mapping; reading and writing it is settings'.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TRUSTED_KEY = "trusted_project_files"  # in the user config: {resolved path: "sha256:<hex>"}
DIGEST_PREFIX = "sha256:"


@dataclass(frozen=True)
class ProjectFile:
    """One ``.runicorn.toml`` as read: where it really is (links followed) and what it held."""

    path: Path
    data: bytes

    @classmethod
    def read(cls, path: Path) -> ProjectFile:
        """The file at ``path`` (OSError, FileNotFoundError included, as ``open`` raises them).
        The bytes read here are the ones both hashed and parsed: nothing can change in between."""
        with open(path, "rb") as f:
            data = f.read()
        return cls(Path(os.path.realpath(path)), data)

    @property
    def digest(self) -> str:
        return DIGEST_PREFIX + hashlib.sha256(self.data).hexdigest()


def trusted_files(user_config: Mapping[str, Any]) -> dict[str, str]:
    """The record: resolved path -> digest of the content that was trusted."""
    record = user_config.get(TRUSTED_KEY)
    if not isinstance(record, dict):
        return {}
    return {str(path): digest for path, digest in record.items() if isinstance(digest, str)}


def is_trusted(user_config: Mapping[str, Any], file: ProjectFile) -> bool:
    return trusted_files(user_config).get(str(file.path)) == file.digest


def with_trusted(user_config: Mapping[str, Any], file: ProjectFile) -> dict[str, str]:
    """The record with ``file`` (as it is now) trusted; an older entry for its path is replaced."""
    return {**trusted_files(user_config), str(file.path): file.digest}


def without(user_config: Mapping[str, Any], path: Path) -> dict[str, str] | None:
    """The record without the file at ``path`` (as given or with links followed; it may be gone
    by now), or None when the record does not hold it."""
    record = trusted_files(user_config)
    candidates = {str(path.absolute()), os.path.realpath(path)}
    kept = {p: d for p, d in record.items() if p not in candidates}
    return kept if len(kept) < len(record) else None
