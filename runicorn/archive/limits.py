"""The limits an imported archive must stay within, taken from the settings table."""

from __future__ import annotations

from dataclasses import dataclass

from runicorn.settings import Settings

# Below this many unpacked bytes the compression ratio is not judged: tiny archives of small
# text files are all header and say nothing about bombs.
RATIO_FLOOR_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ArchiveLimits:
    max_entries: int = 200_000
    max_bytes: int = 10 * 1024**3
    max_ratio: float = 200.0

    @classmethod
    def from_settings(cls, settings: Settings) -> ArchiveLimits:
        return cls(
            max_entries=settings.max_archive_entries,
            max_bytes=settings.max_archive_bytes,
            max_ratio=settings.max_archive_ratio,
        )
