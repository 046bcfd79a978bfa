"""What the CLI prints: progress bars, errors as `error:` / `hint:`, sizes."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from runicorn.errors import RunicornError

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


def _bar(description: str) -> AbstractContextManager[Callable[[int, int], None]]:
    from contextlib import contextmanager

    @contextmanager
    def bar() -> Iterator[Callable[[int, int], None]]:
        with _progress() as progress:
            yield _updater(progress, progress.add_task(description, total=None))

    return bar()


def _progress() -> Progress:
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    console = Console(stderr=True)
    return Progress(*columns, console=console, transient=True, disable=not console.is_terminal)


def _updater(bar: Progress, task: TaskID) -> Callable[[int, int], None]:
    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return update


def _print_error(err: RunicornError, debug: bool) -> None:
    """The CLI's error shape: ``error: what happened`` then ``hint: what to do`` (traceback with --debug)."""
    if debug:
        traceback.print_exc()
    print(f"error: {err.message}", file=sys.stderr)
    if err.hint:
        print(f"hint: {err.hint}", file=sys.stderr)


def _print_query_error(err: RunicornError, query: str | None) -> None:
    """``error: ... at column N``, the query with a caret under that column, then the hint."""
    print(f"error: {err.message}", file=sys.stderr)
    column = getattr(err, "column", 0)
    if query is not None and "\n" not in query and len(query) <= 200:
        print(f"  {query}", file=sys.stderr)
        print("  " + " " * (column - 1) + "^", file=sys.stderr)
    if err.hint:
        print(f"hint: {err.hint}", file=sys.stderr)


def _human_bytes(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    size = float(n)
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            break
    return f"{size:.1f} {unit}"
