"""Managing runs from the shell: list, tag, move to the trash, restore, purge (``runicorn ls``,
``tag``, ``rm``, ``restore``). It reads through :mod:`runicorn.store` and writes through
:mod:`runicorn.format`; the viewer never imports it (the viewer stays read-only).
"""

from runicorn.runs_admin.liveness import refuse_live, run_is_live
from runicorn.runs_admin.lookup import find_run, open_index
from runicorn.runs_admin.run_table import RunRow, list_rows, plain_table
from runicorn.runs_admin.tags import TagChange, change_tags, parse_tag_changes, run_tags
from runicorn.runs_admin.trash import (
    TrashEntry,
    TrashSize,
    find_trash_entry,
    move_to_trash,
    purge_trash,
    restore_run,
    trash_entries,
    trash_size,
)

__all__ = [
    "RunRow",
    "TagChange",
    "TrashEntry",
    "TrashSize",
    "change_tags",
    "find_run",
    "find_trash_entry",
    "list_rows",
    "move_to_trash",
    "open_index",
    "parse_tag_changes",
    "plain_table",
    "purge_trash",
    "refuse_live",
    "restore_run",
    "run_is_live",
    "run_tags",
    "trash_entries",
    "trash_size",
]
