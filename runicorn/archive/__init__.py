"""Export runs to .zip / .tar.gz / .tar archives and import archives safely.

- :func:`select_runs` + :func:`export_runs` write runs, streamed, with a manifest of sha256 sums.
- :func:`import_archive` judges an archive before writing anything, stages it inside the storage
  root and moves each run into place with a rename. See ``docs/archives.md``.
- :func:`import_tensorboard` turns each run directory of a TensorBoard log directory into a run
  (the ``tensorboard`` package is imported only then).
- :func:`import_wandb` turns each W&B run folder (``offline-run-*``) into a run, reading its
  ``.wandb`` transaction log with a bounded reader of its own (no ``wandb`` or ``protobuf``).
"""

from runicorn.archive.export import ExportResult, archive_kind, export_runs, kind_named, select_runs
from runicorn.archive.importer import ImportResult, import_archive
from runicorn.archive.limits import ArchiveLimits
from runicorn.archive.tensorboard_import import (
    TensorBoardImportResult,
    import_tensorboard,
    is_tensorboard_source,
)
from runicorn.archive.wandb_import import WandbImportResult, import_wandb, is_wandb_source

__all__ = [
    "ArchiveLimits",
    "ExportResult",
    "ImportResult",
    "TensorBoardImportResult",
    "WandbImportResult",
    "archive_kind",
    "export_runs",
    "import_archive",
    "import_tensorboard",
    "import_wandb",
    "is_tensorboard_source",
    "is_wandb_source",
    "kind_named",
    "select_runs",
]
