"""Durations as ``runicorn run --timeout`` takes them: ``0`` (none), ``SECONDS``, ``90s``,
``5m``, ``5h``, ``2d``."""

from __future__ import annotations

import math
import re

from runicorn.errors import ConfigError

_UNITS_S = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([smhd]?)\s*$", re.IGNORECASE)


def parse_duration(text: str | float | int, what: str = "--timeout") -> float | None:
    """Seconds in ``text``, or None for ``0`` (no limit). Raises ConfigError on anything else."""
    match = _DURATION.match(str(text))
    if match is None:
        raise ConfigError(
            f"{what} {text!r} is not a duration",
            "give seconds (90), or a number with a unit: 90s, 5m, 5h, 2d; 0 means no limit",
        )
    seconds = float(match.group(1)) * _UNITS_S[match.group(2).lower()]
    if not math.isfinite(seconds):
        raise ConfigError(f"{what} {text!r} is too large", "give a duration under a few years")
    return seconds or None


def describe_duration(seconds: float) -> str:
    """``1.5 s``, ``5 min``, ``2 h 30 min``: a duration for messages."""
    if seconds < 60:
        return f"{seconds:g} s"
    minutes = seconds / 60
    if minutes < 60:
        return f"{minutes:.0f} min" if minutes == int(minutes) else f"{minutes:.1f} min"
    hours, rest = divmod(round(minutes), 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"
