"""``wandb.sdk.lib.printer_asyncio``: W&B runs slow work (encoding a video) behind a terminal
spinner through :func:`run_async_with_spinner`. Here the work runs in the caller's thread, after one
line on stderr saying what it is; code (and W&B's tests) may replace the function by name."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

_T = TypeVar("_T")


def run_async_with_spinner(spinner_printer: Any, text: str, func: Callable[[], _T]) -> _T:
    """``func()``, after ``wandb: <text>`` on stderr (``spinner_printer`` is W&B's; unused)."""
    print(f"wandb: {text}", file=sys.stderr)
    return func()
