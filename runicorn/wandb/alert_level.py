"""``wandb.AlertLevel``: W&B's alert levels, and the Runicorn level each one is recorded as."""

from __future__ import annotations

from enum import Enum
from typing import Any


class AlertLevel(str, Enum):
    INFO = "INFO"
    WARN = "WARN"
    ERROR = "ERROR"


# W&B's level names (as given, or as the enum's value) to the SDK's alert levels.
_SDK_LEVELS = {
    "info": "info",
    "warn": "warning",
    "warning": "warning",
    "error": "error",
    "success": "success",
}


def sdk_level(level: Any) -> str:
    """The SDK level for ``level`` (an AlertLevel, its name or None); unknown names go to the SDK
    as they are, which records them as ``info`` with a warning."""
    name = str(getattr(level, "value", level) or "info").lower()
    return _SDK_LEVELS.get(name, name)
