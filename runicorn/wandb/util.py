"""``wandb.util``: the few helpers of W&B's that scripts and libraries call."""

from __future__ import annotations

import importlib
import secrets
import string
from typing import Any

from runicorn.sdk.values import to_json_value
from runicorn.wandb.errors import Error

_ID_ALPHABET = string.ascii_lowercase + string.digits


def generate_id(length: int = 8) -> str:
    """A random run id, as W&B makes them (lowercase letters and digits)."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def get_module(name: str, required: Any = None, lazy: bool = True) -> Any:
    """The module ``name``, or None when it is not installed (``required``: raise the message)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        if required:
            raise Error(str(required) if isinstance(required, str) else f"{name} is required") from None
        return None


def json_friendly(obj: Any) -> tuple[Any, bool]:
    """``obj`` as a JSON value, and whether it had to be converted."""
    value = to_json_value(obj)
    return value, value is not obj


def make_artifact_name_safe(name: str) -> str:
    """``name`` with the characters an artifact name cannot hold made ``-``."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in name)
    return cleaned[:128]


def to_forward_slash_path(path: str) -> str:
    return path.replace("\\", "/")


__all__ = ["generate_id", "get_module", "json_friendly", "make_artifact_name_safe", "to_forward_slash_path"]
