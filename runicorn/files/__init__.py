"""Safe file access under a folder, shared by every part that reads or writes runs:

- :mod:`~runicorn.files.atomic`: files replaced whole (temp file + rename), never torn;
- :mod:`~runicorn.files.run_files`: the reader's opener of a run's files, refusing a link that
  leads out of the run folder;
- :mod:`~runicorn.files.pinned`: a folder reached one name at a time without following a link,
  for writing where others may have planted one (the SSH mirror);
- :mod:`~runicorn.files.run_folders`: the one walk that finds the run folders under a root;
- :mod:`~runicorn.files.copied_files`: the files of a run that a copy (export, sync, mirror) carries;
- :mod:`~runicorn.files.user_cache`: the viewer's private, versioned caches in the user's cache
  folder.

It spells no file name of its own (those are in :mod:`runicorn.format`) and imports only the
standard library and the format.
"""

from runicorn.files.atomic import write_bytes_atomic, write_json_atomic
from runicorn.files.copied_files import CopiedFile, copied_files
from runicorn.files.pinned import LinkRefused, PinnedFolder, is_plain_name
from runicorn.files.run_files import (
    OutsideRunFolder,
    in_run_folder,
    is_run_file,
    open_run_file,
    open_run_file_walked,
    read_run_file,
    read_run_json,
    run_file_path,
    stat_run_file,
)
from runicorn.files.run_folders import RunFolders, find_run_folders

__all__ = [
    "CopiedFile",
    "LinkRefused",
    "OutsideRunFolder",
    "PinnedFolder",
    "RunFolders",
    "copied_files",
    "find_run_folders",
    "in_run_folder",
    "is_plain_name",
    "is_run_file",
    "open_run_file",
    "open_run_file_walked",
    "read_run_file",
    "read_run_json",
    "run_file_path",
    "stat_run_file",
    "write_bytes_atomic",
    "write_json_atomic",
]
