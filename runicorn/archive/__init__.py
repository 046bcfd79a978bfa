"""Export runs to .zip / .tar.gz / .tar archives and import archives safely.

- :func:`select_runs` + :func:`export_runs` write runs, streamed, with a manifest of sha256 sums.
- :func:`import_archive` judges an archive before writing anything, stages it inside the storage
  root and moves each run into place with a rename. See ``docs/archives.md``.
"""

from runicorn.archive.export import ExportResult, archive_kind, export_runs, kind_named, select_runs
from runicorn.archive.importer import ImportResult, import_archive
from runicorn.archive.limits import ArchiveLimits

__all__ = [
    "ArchiveLimits",
    "ExportResult",
    "ImportResult",
    "archive_kind",
    "export_runs",
    "import_archive",
    "kind_named",
    "select_runs",
]
